"""Grid search and walk-forward optimisation of the trading core."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ai_service.core.errors import BadUserInput
from ai_service.trading import Bars, RiskSettings, Strategy, run_backtest, simulate
from ai_service.trading.optimize import (
    MAX_COMBINATIONS,
    ScoreMetric,
    Window,
    optimize,
    parameter_grid,
    walk_forward_windows,
)

RISK = RiskSettings(fee_bps=5, slippage_bps=2)
GRID = {"fast": [3, 5, 10], "slow": [20, 40]}


def random_bars(n: int, seed: int) -> Bars:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0.0003, 0.012, n)))
    open_ = np.empty(n)
    open_[0] = 50
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.003, n - 1))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.005, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.005, n)))
    stamps = np.datetime64("2015-01-01") + np.arange(n).astype("timedelta64[D]")
    return Bars(stamps, open_, high, low, close)


def window_metrics(bars, params, start, stop, kind="SMA_CROSSOVER"):
    """A window run the way the optimiser documents it: signals on the whole series (warm-up
    from the bars before the window), simulated on the window alone."""
    signals = Strategy.create(kind, params).signals(bars)
    return simulate(bars.slice(start, stop), signals.slice(start, stop), RISK).metrics


def test_grid_expands_in_order_and_skips_invalid_combinations():
    grid = parameter_grid("SMA_CROSSOVER", {"fast": [5, 10, 20], "slow": [10, 20, 50]})
    # 9 combinations; (10, 10), (20, 10), (20, 20) break fast < slow.
    assert grid.skipped == 3
    assert [(p["fast"], p["slow"]) for p in grid.combinations] == [
        (5, 10), (5, 20), (5, 50), (10, 20), (10, 50), (20, 50)]
    # Left-out parameters keep their default; duplicates count once.
    rsi = parameter_grid("RSI_REVERSION", {"period": [7, 14, 7.0]})
    assert rsi.combinations == [{"period": 7, "lower": 30, "upper": 70},
                                {"period": 14, "lower": 30, "upper": 70}]


@pytest.mark.parametrize(
    ("grid", "field", "words"),
    [
        ({"fast": list(range(2, 32)), "slow": list(range(40, 60))}, "grid",
         "600 combinations; the limit is 500"),
        ({"fast": [5], "period": [3]}, "grid.period", "no parameter"),
        ({"fast": [], "slow": [20]}, "grid.fast", "non-empty list"),
        ({"fast": "5", "slow": [20]}, "grid.fast", "non-empty list"),
        ({"fast": [5], "slow": [20, 2000]}, "grid.slow", "between 2 and 1000"),
        ({"fast": [50, 60], "slow": [20, 30]}, "grid", "None of the 4 combinations"),
    ],
)
def test_grid_errors(grid, field, words):
    with pytest.raises(BadUserInput) as caught:
        parameter_grid("SMA_CROSSOVER", grid)
    assert caught.value.extensions["field"] == field
    assert words in caught.value.message
    assert MAX_COMBINATIONS == 500


def test_walk_forward_windows():
    assert walk_forward_windows(100, 40, 20) == [
        Window(0, 40, 40, 60), Window(20, 60, 60, 80), Window(40, 80, 80, 100)]
    # A smaller step overlaps consecutive test windows, never a window with its own train part.
    windows = walk_forward_windows(100, 40, 20, 10)
    assert [w.train_start for w in windows] == [0, 10, 20, 30, 40]
    assert all(w.test_start == w.train_end and w.test_end - w.test_start == 20 for w in windows)
    # Only full test windows: 99 bars leave room for the first two.
    assert len(walk_forward_windows(99, 40, 20)) == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((100, 80, 21, None), "trainBars"),
        ((100, 1, 20, None), "trainBars"),
        ((100, 40, 20, 0), "stepBars"),
        ((10_000, 100, 10, 1), "stepBars"),  # 9891 windows
        ((100, 40, 2.5, None), "testBars"),
    ],
)
def test_window_errors(args, field):
    with pytest.raises(BadUserInput) as caught:
        walk_forward_windows(*args)
    assert caught.value.extensions["field"] == field


def test_walk_forward_picks_the_in_sample_best_and_tests_it_out_of_sample():
    bars = random_bars(900, seed=4)
    seen: list[float] = []
    result = optimize(bars, "SMA_CROSSOVER", GRID, RISK, train_bars=300, test_bars=100,
                      metric="SHARPE", progress=seen.append)
    combos = [{"fast": f, "slow": s} for f in GRID["fast"] for s in GRID["slow"]]
    assert result.combinations == 6
    assert len(result.windows) == 6  # (900 - 400) / 100 + 1
    for outcome in result.windows:
        w = outcome.window
        assert w.train_end - w.train_start == 300
        assert w.test_start == w.train_end  # out of sample: after the train window, disjoint
        assert w.test_end - w.test_start == 100
        # Recompute every combination on the train window, independently of the optimiser.
        scores = []
        for params in combos:
            m = window_metrics(bars, params, w.train_start, w.train_end)
            scores.append(-math.inf if m.sharpe is None else m.sharpe)
        best = combos[scores.index(max(scores))]
        assert outcome.params == best
        assert outcome.in_sample == window_metrics(bars, best, w.train_start, w.train_end)
        assert outcome.out_of_sample == window_metrics(bars, best, w.test_start, w.test_end)
        assert outcome.train_from.date().isoformat() == str(bars.timestamps[w.train_start])
        assert outcome.test_to.date().isoformat() == str(bars.timestamps[w.test_end - 1])
    # Not a degenerate case: the choice changes over time and trades happen out of sample.
    assert len({tuple(o.params.values()) for o in result.windows}) > 1
    assert sum(o.out_of_sample.trade_count for o in result.windows) > 0

    # Progress: one report per combination and per test window, increasing, ending at 1.
    assert len(seen) == 6 + 6
    assert seen == sorted(seen)
    assert seen[-1] == 1.0

    # Test windows tile the series: their returns chain.
    chained = math.prod(1 + o.out_of_sample.total_return for o in result.windows) - 1
    assert result.out_of_sample_return == pytest.approx(chained)
    assert result.in_sample_score == pytest.approx(
        sum(o.in_sample.sharpe for o in result.windows) / 6)


def test_ranking_over_the_whole_series():
    bars = random_bars(900, seed=4)
    result = optimize(bars, "SMA_CROSSOVER", GRID, RISK, train_bars=300, test_bars=100,
                      metric=ScoreMetric.TOTAL_RETURN)
    assert [r.rank for r in result.ranking] == [1, 2, 3, 4, 5, 6]
    returns = [r.metrics.total_return for r in result.ranking]
    assert returns == sorted(returns, reverse=True)
    for ranked in result.ranking:
        full = run_backtest(bars, Strategy.create("SMA_CROSSOVER", ranked.params), RISK)
        assert ranked.metrics == full.metrics
        assert ranked.score == full.metrics.total_return


def test_max_drawdown_is_minimised():
    bars = random_bars(900, seed=8)
    result = optimize(bars, "SMA_CROSSOVER", GRID, RISK, train_bars=300, test_bars=200,
                      step_bars=100, metric="MAX_DRAWDOWN")
    drawdowns = [r.metrics.max_drawdown for r in result.ranking]
    assert drawdowns == sorted(drawdowns)
    assert result.ranking[0].score == -drawdowns[0]
    # Overlapping test windows (step < test) cannot be chained into one run.
    assert result.out_of_sample_return is None


def test_choice_never_sees_the_test_window():
    # Replacing every bar from the end of the first train window on changes nothing about
    # that window's choice or in-sample figures.
    bars = random_bars(900, seed=4)
    other = random_bars(900, seed=99)
    cut = 300
    scale = bars.close[cut - 1] / other.open[cut]
    changed = Bars(bars.timestamps,
                   np.concatenate([bars.open[:cut], other.open[cut:] * scale]),
                   np.concatenate([bars.high[:cut], other.high[cut:] * scale]),
                   np.concatenate([bars.low[:cut], other.low[cut:] * scale]),
                   np.concatenate([bars.close[:cut], other.close[cut:] * scale]))
    a = optimize(bars, "SMA_CROSSOVER", GRID, RISK, train_bars=cut, test_bars=100)
    b = optimize(changed, "SMA_CROSSOVER", GRID, RISK, train_bars=cut, test_bars=100)
    assert a.windows[0].params == b.windows[0].params
    assert a.windows[0].in_sample == b.windows[0].in_sample
    assert a.windows[0].out_of_sample != b.windows[0].out_of_sample


def test_undefined_scores_rank_last_and_ties_keep_grid_order():
    # Constant prices: no crossing, no trade, flat equity: Sharpe is undefined everywhere.
    n = 200
    stamps = np.datetime64("2020-01-01") + np.arange(n).astype("timedelta64[D]")
    flat = Bars(stamps, np.full(n, 10.0), np.full(n, 10.0), np.full(n, 10.0), np.full(n, 10.0))
    result = optimize(flat, "SMA_CROSSOVER", GRID, train_bars=100, test_bars=50)
    assert [r.params for r in result.ranking] == [
        {"fast": f, "slow": s} for f in GRID["fast"] for s in GRID["slow"]]
    assert all(r.score is None for r in result.ranking)
    assert all(w.params == {"fast": 3, "slow": 20} for w in result.windows)
    assert result.in_sample_score is None


def test_unknown_metric():
    with pytest.raises(BadUserInput) as caught:
        optimize(random_bars(100, 1), "SMA_CROSSOVER", GRID, train_bars=50, test_bars=20,
                 metric="ALPHA")
    assert caught.value.extensions["field"] == "metric"
