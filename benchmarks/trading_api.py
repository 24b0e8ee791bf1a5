"""Trading over HTTP, as a client sees it: importing CSVs, reading candles, running backtests.

    .venv/bin/python benchmarks/trading_api.py [--backend embedded|services] [--repeat 7]

Serves the app with `ai-service serve` on the chosen backend (services: PostgreSQL, Redis and
InfluxDB at TEST_INFLUXDB_URL), signs in, and times each request end to end (client included):
  - importMarketData of ORCL 1995-2014 (5,036 daily rows, 300 KB), first and again (unchanged);
  - importMarketData of 200,000 one-minute bars (13 MB);
  - candles: 5,036 daily bars, and the same rolled up to weeks in the store;
  - runBacktest inline: SMA crossover on the 5,036 daily bars and on the 200,000 minute bars.
Medians of `--repeat` runs (imports: one run each, they change state).
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from _common import BIN, backend, free_port, median, run_cli, spawn, stop, wait_healthy, write_json

ROOT = Path(__file__).resolve().parents[1]
ORCL = ROOT / "tests" / "data" / "market" / "orcl-1995-2014.csv"
IMPORT = """mutation($s: String!, $tf: Timeframe!, $f: Upload!) {
  importMarketData(symbol: $s, timeframe: $tf, file: $f) { inserted unchanged rejected } }"""
CANDLES = """query($s: String!, $tf: Timeframe!) { candles(symbol: $s, timeframe: $tf) {
  timestamps open high low close volume } }"""
CREATE = """mutation($i: CreateStrategyInput!) { createStrategy(input: $i) { id } }"""
RUN = """mutation($i: RunBacktestInput!) { runBacktest(input: $i) { status barCount
  metrics { sharpe tradeCount } equityCurve { timestamps values } } }"""


def minute_bars(n: int) -> bytes:
    rng = np.random.default_rng(1)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    start = 1_577_836_800
    lines = ["timestamp,open,high,low,close,volume"]
    lines += [f"{start + 60 * i},{c:.4f},{c * 1.001:.4f},{c * 0.999:.4f},{c:.4f},100"
              for i, c in enumerate(close.tolist())]
    return ("\n".join(lines) + "\n").encode()


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300,
                                 headers={"authorization": f"Bearer {token}"})

    def gql(self, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
        started = time.perf_counter()
        body = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
        elapsed = time.perf_counter() - started
        if body.get("errors"):
            raise SystemExit(f"request failed: {body['errors']}")
        return elapsed, body["data"]

    def upload(self, symbol: str, timeframe: str, content: bytes) -> tuple[float, Any]:
        import json

        operations = {"query": IMPORT, "variables": {"s": symbol, "tf": timeframe, "f": None}}
        started = time.perf_counter()
        body = self.http.post("/graphql", data={
            "operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
            files={"0": ("bars.csv", content, "text/csv")}).json()
        elapsed = time.perf_counter() - started
        if body.get("errors"):
            raise SystemExit(f"upload failed: {body['errors']}")
        return elapsed, body["data"]["importMarketData"]


def measure(env: dict[str, str], repeat: int) -> dict[str, Any]:
    password = "benchmark password 1"
    run_cli(env, "create-admin", "--email", "bench@example.com", "--password-stdin",
            stdin=password + "\n")
    port = free_port()
    log = Path(env["DATA_DIR"]) / "serve.log"
    proc = spawn([str(BIN / "ai-service"), "serve", "--port", str(port)], env, log)
    try:
        wait_healthy(port, proc, log)
        token = httpx.post(f"http://127.0.0.1:{port}/graphql", json={
            "query": "mutation { login(email: \"bench@example.com\", password: \"" + password
                     + "\") { accessToken } }"}).json()["data"]["login"]["accessToken"]
        client = Client(port, token)
        daily = ORCL.read_bytes()
        minutes = minute_bars(200_000)
        results: dict[str, Any] = {}
        results["import_daily_s"], first = client.upload("ORCL", "D1", daily)
        results["import_daily_again_s"], again = client.upload("ORCL", "D1", daily)
        assert (first["inserted"], again["unchanged"]) == (5036, 5036)
        results["import_minutes_s"], bulk = client.upload("SYN", "M1", minutes)
        assert bulk["inserted"] == 200_000
        results["import_minutes_rows_per_s"] = 200_000 / results["import_minutes_s"]
        results["candles_daily_s"] = median(
            [client.gql(CANDLES, {"s": "ORCL", "tf": "D1"})[0] for _ in range(repeat)])
        results["candles_weekly_s"] = median(
            [client.gql(CANDLES, {"s": "ORCL", "tf": "W1"})[0] for _ in range(repeat)])
        for symbol, timeframe, key in (("ORCL", "D1", "backtest_daily_s"),
                                       ("SYN", "M1", "backtest_minutes_s")):
            _, created = client.gql(CREATE, {"i": {
                "name": f"bench {uuid.uuid4().hex[:6]}", "kind": "SMA_CROSSOVER",
                "symbol": symbol, "timeframe": timeframe, "parameters": {"fast": 20, "slow": 50},
                "risk": {"feeBps": 5}}})
            sid = created["createStrategy"]["id"]
            times = []
            for _ in range(repeat):
                elapsed, data = client.gql(RUN, {"i": {"strategyId": sid}})
                assert data["runBacktest"]["status"] == "SUCCEEDED"
                times.append(elapsed)
            results[key] = median(times)
        return results
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("embedded", "services"), default="embedded")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with backend(args.backend) as env:
        if args.backend == "services":
            env["INFLUXDB_URL"] = os.environ.get("TEST_INFLUXDB_URL", "http://127.0.0.1:8086")
            env["INFLUXDB_DATABASE"] = f"ai_service_bench_{uuid.uuid4().hex[:8]}"
        try:
            results = measure(env, args.repeat)
        finally:
            if "INFLUXDB_URL" in env:
                httpx.post(f"{env['INFLUXDB_URL']}/query",
                           data={"q": f"DROP DATABASE {env['INFLUXDB_DATABASE']}"})
    for name, value in results.items():
        unit = "" if name.endswith("per_s") else " s"
        print(f"{name:28} {value:12.4f}{unit}")
    write_json(f"trading_api_{args.backend}", {"backend": args.backend, **results})


if __name__ == "__main__":
    main()
