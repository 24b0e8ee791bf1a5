"""Backup and restore time, and what /metrics costs a GraphQL operation.

    .venv/bin/python benchmarks/ops.py [--rows 200000] [--backend embedded|services]

Backup/restore: a database with one user and `--rows` market bars (the biggest table a real
instance grows), through the real `ai-service backup` and `restore` commands (wall time of the
process, start-up included), unencrypted and encrypted. /metrics: the work the GraphQL guard adds
per operation when metrics are on (two clock reads and `Metrics.observe`), timed in a loop; with
metrics off the guard does none of it.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path

from _common import ROOT, base_env, create_database, drop_database

BIN = ROOT / ".venv" / "bin" / "ai-service"


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(BIN), *args], env=env, input=stdin, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{args}: {done.stderr}")
    return time.perf_counter() - started, done.stdout


def fill(env: dict[str, str], rows: int) -> None:
    cli(env, "migrate")
    cli(env, "create-admin", "--email", "bench@example.com", stdin="a long bench password\n")
    sql = ("INSERT INTO market_bars (owner_id, symbol, timeframe, ts, open, high, low, close, "
           "volume) VALUES ")
    values = [(1, "BENCH", "M1", 1_600_000_000 + 60 * i, 1.0 + i, 2.0 + i, 0.5 + i, 1.5 + i,
               1000.0 + i) for i in range(rows)]
    if "DATABASE_URL" in env:
        import asyncio

        import asyncpg

        async def load() -> None:
            conn = await asyncpg.connect(env["DATABASE_URL"].replace("postgres://",
                                                                     "postgresql://", 1))
            await conn.copy_records_to_table(
                "market_bars", records=values,
                columns=["owner_id", "symbol", "timeframe", "ts", "open", "high", "low",
                         "close", "volume"])
            await conn.close()

        asyncio.run(load())
    else:
        with sqlite3.connect(Path(env["DATA_DIR"]) / "ai-service.sqlite3") as db:
            db.executemany(sql + "(?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--backend", choices=("embedded", "services"), default="embedded")
    options = parser.parse_args()

    from ai_service.core.metrics import Metrics

    metrics = Metrics()
    number = 200_000

    def operation() -> None:
        started = time.perf_counter()
        metrics.observe("Me", "query", time.perf_counter() - started, ())

    per_op = min(timeit.repeat(operation, number=number, repeat=5)) / number
    print(f"/metrics bookkeeping per GraphQL operation: {per_op * 1e6:.2f} µs")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        urls = []
        for mode in ("plain", "encrypted"):
            env = base_env(root / f"src-{mode}")
            env["BACKUP_DIR"] = str(root / f"backups-{mode}")
            target = base_env(root / f"dst-{mode}")
            if options.backend == "services":
                env["DATABASE_URL"] = create_database("ai_service_bench")
                target["DATABASE_URL"] = create_database("ai_service_bench")
                urls += [env["DATABASE_URL"], target["DATABASE_URL"]]
            if mode == "encrypted":
                env["BACKUP_ENCRYPTION_KEY"] = target["BACKUP_ENCRYPTION_KEY"] = "k" * 48
            try:
                fill(env, options.rows)
                backup_s, out = cli(env, "backup")
                archive = re.search(r"backup written: (\S+) \(", out).group(1)  # type: ignore[union-attr]
                size = Path(archive).stat().st_size
                restore_s, _ = cli(target, "restore", archive)
                print(f"{options.backend} {mode}: {options.rows} bars, backup {backup_s:.2f} s "
                      f"({size / 1e6:.1f} MB), restore {restore_s:.2f} s")
            finally:
                pass
        for url in urls:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
