"""Market store throughput: a million one-minute bars written, written again, read and rolled up,
in each store, plus the CSV parser on a million rows.

    .venv/bin/python benchmarks/market_store.py [--stores sqlite,postgres,influx] [--bars N]

sqlite: a scratch data dir; postgres: a scratch database on TEST_DATABASE_URL's server (as the
tests); influx: a scratch database on TEST_INFLUXDB_URL (default http://127.0.0.1:8086, start it
with .ci/influxdb.sh). Every figure is wall time in this one process, client included.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import numpy as np

from _common import backend, median, write_json
from ai_service.config import load_settings
from ai_service.core import db
from ai_service.platform.market import BarColumns, MarketStore
from ai_service.platform.market.influx import InfluxMarketStore
from ai_service.platform.market.sql import SqlMarketStore
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.marketdata import parse_ohlcv
from ai_service.users.models import User

INFLUXDB_URL = os.environ.get("TEST_INFLUXDB_URL", "http://127.0.0.1:8086")
START = 1_577_836_800  # 2020-01-01, a minute bar every 60 s from there


def synthetic_bars(n: int, seed: int = 1) -> BarColumns:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.r_[close[0], close[:-1]]
    spread = np.abs(rng.normal(0, 0.0005, n)) * close
    return BarColumns(START + 60 * np.arange(n, dtype=np.int64), open_,
                      np.maximum(open_, close) + spread, np.minimum(open_, close) - spread,
                      close, rng.integers(1, 10_000, n).astype(float))


async def timed(work: Callable[[], Awaitable[Any]], runs: int = 1) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return median(times), result


async def exercise(store: MarketStore, owner: int, data: BarColumns) -> dict[str, Any]:
    m1, n = Timeframe.M1, len(data)
    write_s, first = await timed(lambda: store.write(owner, "BENCH", m1, data))
    assert first.inserted == n, first
    rewrite_s, again = await timed(lambda: store.write(owner, "BENCH", m1, data))
    assert again.unchanged == n, again
    read_s, back = await timed(lambda: store.range(owner, "BENCH", m1), runs=3)
    assert back.equals(data)
    hourly_s, hourly = await timed(
        lambda: store.range(owner, "BENCH", m1, aggregate_to=Timeframe.H1), runs=3)
    daily_s, daily = await timed(
        lambda: store.range(owner, "BENCH", m1, aggregate_to=Timeframe.D1), runs=3)
    weekly_s, _ = await timed(
        lambda: store.range(owner, "BENCH", m1, aggregate_to=Timeframe.W1), runs=3)
    window_s, window = await timed(lambda: store.range(
        owner, "BENCH", m1, start=back.datetimes()[n // 2].item(),
        end=back.datetimes()[n // 2 + 1440].item()), runs=5)
    summary_s, _ = await timed(lambda: store.symbols(owner), runs=3)
    assert len(window) == 1440
    return {
        "bars": n,
        "write_s": round(write_s, 3),
        "rewrite_unchanged_s": round(rewrite_s, 3),
        "read_all_s": round(read_s, 3),
        "aggregate_to_h1_s": round(hourly_s, 3),
        "h1_bars": len(hourly),
        "aggregate_to_d1_s": round(daily_s, 3),
        "d1_bars": len(daily),
        "aggregate_to_w1_s": round(weekly_s, 3),
        "read_one_day_s": round(window_s, 4),
        "symbols_s": round(summary_s, 4),
        "write_per_s": round(n / write_s),
        "read_per_s": round(n / read_s),
    }


async def run_sql(env: dict[str, str], data: BarColumns) -> dict[str, Any]:
    await db.init_db(load_settings(environ=env, env_file=None))
    try:
        user = await User.create(email="bench@example.com", password_hash="x")
        return await exercise(SqlMarketStore(), int(user.id), data)
    finally:
        await db.close_db()


async def run_influx(data: BarColumns) -> dict[str, Any]:
    database = f"ai_service_bench_{uuid.uuid4().hex[:8]}"
    store = InfluxMarketStore(INFLUXDB_URL, database)
    try:
        await store.ping()
        return await exercise(store, 1, data)
    finally:
        await store.close()
        async with httpx.AsyncClient(timeout=60) as client:
            await client.post(f"{INFLUXDB_URL}/query",
                              data={"q": f'DROP DATABASE "{database}"'})


def parse_figures(data: BarColumns) -> dict[str, Any]:
    lines = ["timestamp,open,high,low,close,volume"]
    lines += [f"{t},{o!r},{h!r},{lo!r},{c!r},{v!r}" for t, o, h, lo, c, v in zip(
        data.timestamps.tolist(), data.open.tolist(), data.high.tolist(), data.low.tolist(),
        data.close.tolist(), data.volume.tolist(), strict=True)]
    blob = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    parsed = parse_ohlcv(io.BytesIO(blob))
    seconds = time.perf_counter() - started
    assert parsed.ok
    assert parsed.bars.equals(data)
    return {"rows": len(data), "megabytes": round(len(blob) / 1e6, 1), "seconds": round(seconds, 3),
            "rows_per_s": round(len(data) / seconds)}


def measure(name: str, bars: int) -> dict[str, Any]:
    data = synthetic_bars(bars)
    if name == "influx":
        return asyncio.run(run_influx(data))
    if name in ("sqlite", "postgres"):
        with backend("embedded" if name == "sqlite" else "services") as env:
            return asyncio.run(run_sql(env, data))
    if name == "csv":
        return parse_figures(data)
    raise SystemExit(f"unknown store {name!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgres,influx")
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process measuring one store
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.bars)))
        return
    results: dict[str, Any] = {}
    # One process per store: Tortoise's state is global, and SQLite then PostgreSQL in one
    # process would reuse queries built for the first dialect.
    for name in [*args.stores.split(","), "csv"]:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, __file__, "--one", name, "--bars", str(args.bars)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{name} failed:\n{done.stdout}{done.stderr}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        for key, value in results[name].items():
            print(f"{key:>22}: {value}")
    path = write_json("market_store", {
        "cpus": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "results": results,
    })
    print(f"written to {path}")


if __name__ == "__main__":
    main()
