"""Requests per second of `{ me { id email fullName role } }` through /graphql against a bare
Starlette route doing the same work (benchmarks/_server.py), in one uvicorn process.

    .venv/bin/python benchmarks/graphql_vs_bare.py [--backend embedded|services] [--duration 10]

Both targets get the identical request from wrk (POST, the same JSON body, bearer token), go
through the same middleware (LOG_LEVEL=WARNING: the access line is skipped for both) and run
the same authentication query. Rounds alternate between the targets after a warm-up of each;
medians and the ratio graphql/bare are reported, with the server's CPU time per request (which,
unlike rps, barely moves when other processes share the machine). SQL statements per request
are counted in-process (`count_statements()`) on a second app built from the same settings.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import (
    BIN,
    LOG_LEVEL,
    ROOT,
    backend,
    cpu_seconds,
    cpu_split,
    free_port,
    login,
    median,
    pinned,
    request,
    run_cli,
    spawn,
    stop,
    wait_healthy,
    write_json,
)

QUERY = "{ me { id email fullName role } }"
BODY = f'{{"query": "{QUERY}"}}'
# Under /api/ so the bare route gets the same headers (cache-control: no-store) as /graphql.
TARGETS = {"graphql": "/graphql", "bare": "/api/bench/me"}
TARGET_RATIO = 0.7
EMAIL = "bench@example.com"

# Every response is checked (status 200 and the user's email in the body), so an
# authentication failure cannot pass for a fast answer.
LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"email":"%(email)s"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("BENCH bad=%%d p50_us=%%d p99_us=%%d\\n", total,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(port: int, path: str, script: Path, duration: int, connections: int,
            cpus: str | None, server_pid: int) -> dict[str, float]:
    """rps and latency from wrk, and the server's CPU time per request (user + system, all
    threads): unlike rps, that hardly moves when other processes compete for the CPUs."""
    cpu_before = cpu_seconds(server_pid)
    argv = pinned(cpus, ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "-s", str(script),
                         f"http://127.0.0.1:{port}{path}"])
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    cpu = cpu_seconds(server_pid) - cpu_before
    out = done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    extra = re.search(r"BENCH bad=(\d+) p50_us=(\d+) p99_us=(\d+)", out)
    if not rps or not extra or not count:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    if int(extra[1]) or "Socket errors" in out:
        raise SystemExit(f"{path}: {extra[1]} bad responses or socket errors:\n{out}")
    return {"rps": float(rps[1]), "p50_ms": int(extra[2]) / 1000, "p99_ms": int(extra[3]) / 1000,
            "cpu_us": cpu / int(count[1]) * 1e6}


async def count_statements(env: dict[str, str], token: str) -> dict[str, list[str]]:
    """SQL per request, counted in-process on a second app instance of the same settings."""
    import httpx

    from _server import build_app
    from ai_service.config import load_settings
    from ai_service.core.db import count_statements

    settings = load_settings(environ={**env, "WORKER_IN_PROCESS": "false"}, env_file=None)
    app = build_app(settings)
    found: dict[str, list[str]] = {}
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench",
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    ) as client:
        for name, path in TARGETS.items():
            await client.post(path, content=BODY)  # warm: count a steady-state request
            with count_statements() as counter:
                response = await client.post(path, content=BODY)
            if response.status_code != 200 or EMAIL not in response.text:
                raise SystemExit(f"{path} failed in-process: {response.text}")
            found[name] = list(counter.statements)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured round")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per target")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per target")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="also write benchmarks/results/*.json")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (or build it from "
                         "https://github.com/wg/wrk), then run this again.")

    server_cpus, client_cpus = cpu_split()
    password = secrets.token_urlsafe(16)
    with backend(args.backend) as env, tempfile.TemporaryDirectory() as tmp:
        run_cli(env, "create-admin", "--email", EMAIL, "--full-name", "Bench Mark",
                "--password-stdin", stdin=password + "\n")
        port = free_port()
        log = Path(tmp) / "server.log"
        server = spawn(pinned(server_cpus, [str(BIN / "python"), str(ROOT / "benchmarks/_server.py")]),
                       {**env, "PORT": str(port)}, log)
        try:
            wait_healthy(port, server, log)
            token = login(port, EMAIL, password)
            answers = [request("POST", port, path, {"query": QUERY},
                               {"authorization": f"Bearer {token}"}) for path in TARGETS.values()]
            if answers[0] != answers[1] or answers[0][0] != 200:
                raise SystemExit(f"the targets answer differently: {answers}")
            statements = asyncio.run(count_statements(env, token))

            scripts = {}
            for name in TARGETS:
                scripts[name] = Path(tmp) / f"{name}.lua"
                scripts[name].write_text(LUA % {"body": BODY, "token": token, "email": EMAIL})
            wrk_args = (args.connections, client_cpus, server.pid)
            for name, path in TARGETS.items():
                run_wrk(port, path, scripts[name], args.warmup, *wrk_args)
            rounds: dict[str, list[dict[str, float]]] = {name: [] for name in TARGETS}
            for i in range(args.rounds):
                for name, path in TARGETS.items():
                    rounds[name].append(run_wrk(port, path, scripts[name], args.duration, *wrk_args))
                    print(f"  round {i + 1} {name:<8} {rounds[name][-1]['rps']:8.0f} rps", flush=True)
        finally:
            stop(server)

    med: dict[str, dict[str, float]] = {
        name: {key: median([r[key] for r in runs]) for key in runs[0]}
        for name, runs in rounds.items()
    }
    ratio = med["graphql"]["rps"] / med["bare"]["rps"]
    cpu_ratio = med["bare"]["cpu_us"] / med["graphql"]["cpu_us"]
    where = (f"server on CPU {server_cpus}, wrk on CPU {client_cpus}" if server_cpus
             else "no CPU pinning (one CPU)")
    print(f"\n{args.backend}: uvicorn 1 worker, LOG_LEVEL={LOG_LEVEL}, {where}, "
          f"wrk -t1 -c{args.connections}, {args.rounds} x {args.duration} s per target")
    for name in TARGETS:
        m = med[name]
        print(f"  {name:<8} {m['rps']:8.0f} rps   p50 {m['p50_ms']:6.2f} ms   "
              f"p99 {m['p99_ms']:6.2f} ms   server CPU {m['cpu_us']:5.0f} us/request   "
              f"SQL/request {len(statements[name])}")
    verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
    print(f"  ratio graphql/bare {ratio:.2f} (target >= {TARGET_RATIO}: {verdict}); "
          f"by server CPU per request {cpu_ratio:.2f}")
    for name, sql in statements.items():
        for statement in sql:
            print(f"  [{name} SQL] {statement[:160]}")

    if args.json:
        result: dict[str, Any] = {
            "backend": args.backend, "query": QUERY, "duration_s": args.duration,
            "connections": args.connections, "server_cpus": server_cpus,
            "client_cpus": client_cpus, "python": sys.version.split()[0], "rounds": rounds,
            "median": med, "ratio": ratio, "cpu_ratio": cpu_ratio, "sql_statements": statements,
        }
        print(f"wrote {write_json(f'graphql_vs_bare-{args.backend}', result)}")


if __name__ == "__main__":
    main()
