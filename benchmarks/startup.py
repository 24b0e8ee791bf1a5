"""Cold start of `ai-service serve` to a healthy /health, and its idle memory.

    .venv/bin/python benchmarks/startup.py [--backend embedded|services] [--runs 5]

Each run uses a fresh DATA_DIR (and, for `services`, a fresh PostgreSQL database and Redis key
prefix) and measures, from spawning the process to the first 200 from /health (polled every
10 ms):
  - the first-ever start, which applies the migrations (services: with AUTO_MIGRATE=true);
  - a second start on the now-migrated database (the everyday case).
After the second start it reads VmRSS from /proc/<pid>/status, sends a few requests (login,
`me`, /health, /status), waits, and reads VmRSS (idle) and VmHWM (peak) again.
"""

from __future__ import annotations

import argparse
import secrets
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    BIN,
    LOG_LEVEL,
    backend,
    free_port,
    graphql,
    login,
    median,
    request,
    rss_mib,
    run_cli,
    spawn,
    stop,
    wait_healthy,
    write_json,
)

TARGET_START_S = 1.5
TARGET_RSS_MIB = 120
EMAIL = "bench@example.com"


def start(env: dict[str, str], log: Path) -> tuple[float, int, subprocess.Popen[bytes]]:
    port = free_port()
    began = time.monotonic()
    proc = spawn([str(BIN / "ai-service"), "serve", "--port", str(port)], env, log)
    healthy = wait_healthy(port, proc, log, interval=0.01)
    return healthy - began, port, proc


def exercise(port: int, password: str) -> None:
    token = login(port, EMAIL, password)
    for _ in range(10):
        graphql(port, "{ me { id email fullName role } }", token=token)
    for path in ("/health", "/status", "/api/version"):
        status, body = request("GET", port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body}")


def one_run(kind: str, log: Path) -> dict[str, float]:
    with backend(kind, migrate=False) as env:
        if kind == "services":
            env["AUTO_MIGRATE"] = "true"  # `serve` refuses an unmigrated PostgreSQL otherwise
        first, _, proc = start(env, log)
        stop(proc)
        password = secrets.token_urlsafe(16)
        run_cli(env, "create-admin", "--email", EMAIL, "--password-stdin", stdin=password + "\n")
        warm, port, proc = start(env, log)
        try:
            rss_started = rss_mib(proc.pid)
            exercise(port, password)
            time.sleep(1)
            rss_idle, rss_peak = rss_mib(proc.pid), rss_mib(proc.pid, "VmHWM")
        finally:
            stop(proc)
    return {"first_start_s": first, "start_s": warm, "rss_started_mib": rss_started,
            "rss_idle_mib": rss_idle, "rss_peak_mib": rss_peak}


def import_time(runs: int) -> float:
    """The floor: a bare interpreter importing the app module."""
    times = []
    for _ in range(runs):
        began = time.monotonic()
        subprocess.run([str(BIN / "python"), "-c", "import ai_service.app"], check=True)
        times.append(time.monotonic() - began)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="also write benchmarks/results/*.json")
    args = parser.parse_args()

    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        for i in range(args.runs):
            runs.append(one_run(args.backend, log))
            r = runs[-1]
            print(f"  run {i + 1}: first start {r['first_start_s']:.3f} s, start "
                  f"{r['start_s']:.3f} s, RSS {r['rss_started_mib']:.1f} -> "
                  f"{r['rss_idle_mib']:.1f} MiB (peak {r['rss_peak_mib']:.1f})", flush=True)
    med = {key: median([r[key] for r in runs]) for key in runs[0]}
    imports = import_time(args.runs)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "ABOVE TARGET"

    print(f"\n{args.backend}: `ai-service serve`, LOG_LEVEL={LOG_LEVEL}, median of {args.runs}")
    print(f"  start (migrated database)   {med['start_s']:.3f} s "
          f"(target < {TARGET_START_S} s: {verdict(med['start_s'] < TARGET_START_S)})")
    print(f"  first start (+ migrations)  {med['first_start_s']:.3f} s")
    print(f"  `import ai_service.app`     {imports:.3f} s")
    print(f"  RSS after start             {med['rss_started_mib']:.1f} MiB")
    print(f"  RSS idle after requests     {med['rss_idle_mib']:.1f} MiB "
          f"(target < {TARGET_RSS_MIB} MB: {verdict(med['rss_idle_mib'] < TARGET_RSS_MIB)}), "
          f"peak {med['rss_peak_mib']:.1f} MiB")
    if args.json:
        result: dict[str, Any] = {"backend": args.backend, "runs": runs, "median": med,
                                  "import_app_s": imports}
        print(f"wrote {write_json(f'startup-{args.backend}', result)}")


if __name__ == "__main__":
    main()
