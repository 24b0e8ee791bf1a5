"""Shared by the benchmarks: the server's environment, the two backends, processes, HTTP."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from support.pgadmin import create_database, drop_database  # noqa: E402 - scratch databases, as in tests

BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "benchmarks" / "results"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOG_LEVEL = "WARNING"  # both targets: our access-log middleware runs but writes nothing


def base_env(data_dir: Path) -> dict[str, str]:
    """A clean environment (nothing inherited but PATH, HOME and PYTHONPATH, which can point the
    server at another checkout of the package), as in tests/conftest.py."""
    inherited = {k: os.environ[k] for k in ("PATH", "HOME", "PYTHONPATH") if k in os.environ}
    return {
        **inherited,
        "AI_SERVICE_ENV": "development",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": LOG_LEVEL,
        "JWT_SECRET": secrets.token_urlsafe(48)[:48],
        "INTEGRATION_CONFIG_KEY": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ACCESS_TOKEN_MINUTES": "120",  # outlives any run
    }


# --------------------------------------------------------------------------- backends


def _redis_cleanup(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextlib.contextmanager
def backend(kind: str, migrate: bool = True) -> Iterator[dict[str, str]]:
    """The server environment for `embedded` (SQLite in a temp DATA_DIR, in-process cache) or
    `services` (a fresh PostgreSQL database, Redis under a unique key prefix). `migrate` runs
    `ai-service migrate` first. Everything is removed on exit."""
    data_dir = Path(tempfile.mkdtemp(prefix="ai-service-bench-"))
    env = base_env(data_dir)
    database_url = prefix = None
    try:
        if kind == "services":
            import redis

            try:
                redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
            except redis.RedisError as exc:
                raise SystemExit(f"Redis at {REDIS_URL} is unreachable: {exc}") from exc
            database_url = create_database("ai_service_bench")
            prefix = f"ai-service-bench-{uuid.uuid4().hex[:8]}:"
            env.update(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix)
        if migrate:
            run_cli(env, "migrate")
        yield env
    finally:
        if database_url:
            drop_database(database_url)
        if prefix:
            _redis_cleanup(prefix)
        shutil.rmtree(data_dir, ignore_errors=True)


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "ai-service"), *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=env["DATA_DIR"], timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"ai-service {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --------------------------------------------------------------------------- processes


def cpu_split() -> tuple[str | None, str | None]:
    """(server CPUs, load generator CPUs) for taskset, or Nones when that is not possible."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or shutil.which("taskset") is None:
        return None, None
    return str(cpus[0]), ",".join(map(str, cpus[1:]))


def pinned(cpus: str | None, argv: list[str]) -> list[str]:
    return ["taskset", "-c", cpus, *argv] if cpus else argv


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(argv, env=env, cwd=env["DATA_DIR"], stdout=log,
                                stderr=subprocess.STDOUT)


def wait_healthy(port: int, proc: subprocess.Popen[bytes], log_path: Path,
                 timeout: float = 60, interval: float = 0.01) -> float:
    """Poll GET /health every `interval` s; returns the monotonic time of the first 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            status, _ = request("GET", port, "/health", timeout=1)
            if status == 200:
                return time.monotonic()
        except OSError:
            pass
        time.sleep(interval)
    raise SystemExit(f"server not healthy after {timeout} s:\n{log_path.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- HTTP


def request(method: str, port: int, path: str, body: Any = None,
            headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["content-type"] = "application/json"
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        kind = response.getheader("content-type") or ""
        return response.status, json.loads(raw) if kind.startswith("application/json") else raw
    finally:
        conn.close()


def graphql(port: int, query: str, variables: dict[str, Any] | None = None,
            token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    status, body = request("POST", port, "/graphql", {"query": query, "variables": variables or {}},
                           headers)
    if status != 200 or not isinstance(body, dict) or body.get("errors"):
        raise SystemExit(f"GraphQL request failed ({status}): {body}")
    return body["data"]


def login(port: int, email: str, password: str) -> str:
    data = graphql(port, "mutation($e: String!, $p: String!) { login(email: $e, password: $p) "
                         "{ accessToken } }", {"e": email, "p": password})
    token: str = data["login"]["accessToken"]
    return token


# --------------------------------------------------------------------------- results


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_json(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
