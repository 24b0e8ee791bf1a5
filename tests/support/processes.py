"""The `ai-service` command in its own process: one-off commands and a served app."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


START_SECONDS = 90


@contextlib.contextmanager
def served(env: dict[str, str], *args: str) -> Iterator[str]:
    """`ai-service serve` in its own process (one app per process: Tortoise state is global);
    yields its base URL once /health answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_service", "serve", "--port", str(port), *args], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A start takes seconds; a shared 2-core machine under other suites' load, many more.
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}: {process.stderr.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer /health within {START_SECONDS} s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def embedded_env(backend_env: dict[str, str], data_dir: Path, **extra: str) -> dict[str, str]:
    """This run's environment, on the embedded default in its own data dir."""
    env = {k: v for k, v in backend_env.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX")}
    return {**env, "DATA_DIR": str(data_dir), **extra}


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None,
            timeout: float = 60) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "ai_service", *args], input=stdin, capture_output=True,
        text=True, env=env, timeout=timeout, check=False,
    )
