"""Which backend this run is for (AI_SERVICE_TEST_BACKEND), and the environment that describes it.

embedded (default): SQLite in a temporary data dir, in-process cache.
services: a fresh PostgreSQL database created from TEST_DATABASE_URL, Redis at TEST_REDIS_URL
under a private key prefix, and InfluxDB at TEST_INFLUXDB_URL. Unreachable services fail the run.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import httpx

from ai_service.config import Settings, load_settings

BACKEND = os.environ.get("AI_SERVICE_TEST_BACKEND", "embedded")
if BACKEND not in ("embedded", "services"):
    raise SystemExit(f"AI_SERVICE_TEST_BACKEND must be embedded or services, not {BACKEND!r}")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_INFLUXDB_URL = "http://127.0.0.1:8086"


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis at TEST_REDIS_URL is unreachable: {exc}") from exc


def check_influxdb(url: str) -> None:
    try:
        status = httpx.get(f"{url}/ping", timeout=5).status_code
    except httpx.HTTPError as exc:
        raise RuntimeError(f"InfluxDB at TEST_INFLUXDB_URL is unreachable: {exc} (.ci/influxdb.sh "
                           "installs and starts one)") from exc
    if status != 204:
        raise RuntimeError(f"InfluxDB at {url} answered /ping with {status}")


def influx_query(env: dict[str, str], statement: str) -> None:
    response = httpx.post(f"{env['INFLUXDB_URL']}/query", timeout=30,
                          data={"q": statement, "db": env["INFLUXDB_DATABASE"]})
    response.raise_for_status()


def base_env(data_dir: Path) -> dict[str, str]:
    return {
        "AI_SERVICE_ENV": "development",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "INTEGRATION_CONFIG_KEY": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        # argon2id still, at its minimum cost: the suite logs in hundreds of times.
        "PASSWORD_HASH_OPSLIMIT": "1",
        "PASSWORD_HASH_MEMLIMIT": "8192",
        "JOB_POLL_SECONDS": "0.2",
        "JOB_LEASE_SECONDS": "2",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
    }


def settings_for(env: dict[str, str], **overrides: str) -> Settings:
    return load_settings(environ={**env, **overrides}, env_file=None)
