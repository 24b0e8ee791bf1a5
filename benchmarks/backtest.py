"""The trading core on one million bars: every strategy kind through `run_backtest` (signals,
fills, equity curve, metrics), timed end to end in this process.

    .venv/bin/python benchmarks/backtest.py [--bars 1000000] [--runs 7]

The bars are a seeded geometric random walk (1-minute bars, 1.5% daily-ish volatility per bar
scaled down, overnight-style gaps between close and next open, random intrabar ranges). Each
kind runs in three variants: long-only with fees and slippage (fully vectorised), the same with
a stop loss and a take profit (the per-trade loop), and long/short with fees. Also timed: one
walk-forward optimisation (100 combinations, 5,036 bars, as much as the ORCL sample) to size the
optimisation jobs. Prints the median of `--runs` runs and writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from _common import median, write_json
from ai_service.trading import Bars, RiskSettings, Strategy, run_backtest
from ai_service.trading.optimize import optimize

KINDS = [
    ("SMA_CROSSOVER", {"fast": 10, "slow": 50}),
    ("EMA_CROSSOVER", {"fast": 10, "slow": 50}),
    ("RSI_REVERSION", {"period": 14, "lower": 30, "upper": 70}),
    ("DONCHIAN_BREAKOUT", {"entry": 20, "exit": 10}),
]
VARIANTS = {
    "long, fees": RiskSettings(fee_bps=5, slippage_bps=2),
    "long, fees, stops": RiskSettings(fee_bps=5, slippage_bps=2, stop_loss_pct=1,
                                      take_profit_pct=2),
    "long/short, fees": RiskSettings(fee_bps=5, slippage_bps=2, allow_short=True),
}
MINUTES_PER_YEAR = 365 * 24 * 60


def synthetic_bars(n: int, seed: int = 42) -> Bars:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.002, n)))
    open_ = np.empty(n)
    open_[0] = 100
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.0005, n - 1))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.001, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.001, n)))
    volume = rng.integers(100, 10_000, n).astype(np.float64)
    stamps = np.datetime64("2020-01-01T00:00") + np.arange(n).astype("timedelta64[m]")
    return Bars(stamps, open_, high, low, close, volume)


def timed(work: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds over `runs` runs after one warm-up run, and the last result."""
    result = work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    started = time.perf_counter()
    bars = synthetic_bars(args.bars)
    print(f"{args.bars:,} synthetic bars built and checked in "
          f"{time.perf_counter() - started:.2f} s; median of {args.runs} runs\n")
    print(f"{'kind':<20}{'variant':<20}{'ms/run':>10}{'trades':>10}{'Mbars/s':>10}")
    rows = []
    for kind, params in KINDS:
        strategy = Strategy.create(kind, params)
        for variant, risk in VARIANTS.items():
            seconds, result = timed(
                lambda s=strategy, r=risk: run_backtest(bars, s, r,
                                                        periods_per_year=MINUTES_PER_YEAR),
                args.runs)
            rows.append({"kind": kind, "params": params, "variant": variant,
                         "seconds": seconds, "trades": len(result.trades)})
            print(f"{kind:<20}{variant:<20}{seconds * 1000:>10.1f}{len(result.trades):>10,}"
                  f"{args.bars / seconds / 1e6:>10.1f}")

    sample = synthetic_bars(5036, seed=7)
    grid = {"fast": list(range(5, 55, 5)), "slow": list(range(60, 260, 20))}
    seconds, outcome = timed(
        lambda: optimize(sample, "SMA_CROSSOVER", grid, VARIANTS["long, fees"],
                         train_bars=1000, test_bars=250), max(1, args.runs // 2))
    simulations = outcome.combinations * (len(outcome.windows) + 1) + len(outcome.windows)
    print(f"\nwalk-forward: {outcome.combinations} combinations x {len(outcome.windows)} windows "
          f"on 5,036 bars ({simulations} simulations): {seconds:.2f} s "
          f"({seconds / simulations * 1e6:.0f} us per simulation)")

    path = write_json("backtest", {
        "bars": args.bars,
        "runs": args.runs,
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "results": rows,
        "walkForward": {"bars": 5036, "combinations": outcome.combinations,
                        "windows": len(outcome.windows), "simulations": simulations,
                        "seconds": seconds},
    })
    print(f"written to {path}")


if __name__ == "__main__":
    main()
