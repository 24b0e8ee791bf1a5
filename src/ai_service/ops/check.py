"""`ai-service check-config`: is this configuration ready for production, and if not, what to fix.

Each check says OK, WARN (works, but think about it) or FAIL (fix before going live), with the
exact variable or path to change. Connection errors name the host and the error class, never a
password.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ai_service.config import MIN_SECRET_BYTES, Settings, secret_strength
from ai_service.core.crypto import Keyring, KeyringError

TIMEOUT = 10.0
_PLACEHOLDERS = ("change_me", "changeme", "secret", "password", "example")


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: str  # OK, WARN, FAIL
    message: str


def _ok(name: str, message: str) -> CheckResult:
    return CheckResult(name, "OK", message)


def _warn(name: str, message: str) -> CheckResult:
    return CheckResult(name, "WARN", message)


def _fail(name: str, message: str) -> CheckResult:
    return CheckResult(name, "FAIL", message)


def _secret(name: str, value: str, *, required: bool) -> CheckResult:
    if not value:
        if required:
            return _fail(name, f"{name} is not set: set it to at least {MIN_SECRET_BYTES} random "
                               "bytes (`openssl rand -base64 48`)")
        return _ok(name, "not set")
    if any(p in value.lower() for p in _PLACEHOLDERS):
        return _fail(name, f"{name} still holds a placeholder: replace it with "
                           "`openssl rand -base64 48`")
    strength = secret_strength(value)
    if strength < MIN_SECRET_BYTES:
        return _fail(name, f"{name} has {strength} bytes: use at least {MIN_SECRET_BYTES} "
                           "(`openssl rand -base64 48`)")
    return _ok(name, f"{strength} bytes")


def _secret_checks(settings: Settings) -> list[CheckResult]:
    results = [
        _ok("environment", "production") if settings.is_production else _warn(
            "environment", "AI_SERVICE_ENV is development: set AI_SERVICE_ENV=production on a "
                           "server (production never generates keys and refuses weak ones)"),
        _secret("JWT_SECRET", settings.jwt_secret, required=True),
    ]
    key = _secret("INTEGRATION_CONFIG_KEY", settings.integration_config_key, required=True)
    if key.status == "OK":
        try:
            Keyring.parse(settings.integration_config_key)
        except KeyringError as exc:
            key = _fail("INTEGRATION_CONFIG_KEY", f"{exc}: use the form "
                                                  "k1:$(openssl rand -base64 32)")
    results.append(key)
    if settings.jwt_secret and settings.jwt_secret == settings.integration_config_key:
        results.append(_fail("secrets", "JWT_SECRET and INTEGRATION_CONFIG_KEY are the same: "
                                        "give each its own random value"))
    backup_key = _secret("BACKUP_ENCRYPTION_KEY", settings.backup_encryption_key, required=False)
    if not settings.backup_encryption_key:
        backup_key = _warn("BACKUP_ENCRYPTION_KEY", "not set: backups are not encrypted (set it, "
                                                    "and keep a copy away from the NAS)")
    results.append(backup_key)
    if settings.metrics_token:
        results.append(_secret("METRICS_TOKEN", settings.metrics_token, required=False))
    if settings.is_production and not settings.public_url:
        results.append(_warn("PUBLIC_URL", "not set: Telegram's webhook and links in messages "
                                           "need the address the app is reached at"))
    return results


def _writable(name: str, path: Path) -> CheckResult:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".check-{os.getpid()}-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return _fail(name, f"{path} is not writable ({exc.strerror or type(exc).__name__}): "
                           f"create it and give the service user write access "
                           f"(uid {os.getuid()})")
    return _ok(name, f"{path} is writable")


def _directory_checks(settings: Settings) -> list[CheckResult]:
    results = [
        _writable("DATA_DIR", settings.data_dir),
        _writable("documents", settings.documents_path),
        _writable("LOG_DIR", settings.logs_path),
        _writable("BACKUP_DIR", settings.backups_path),
    ]
    try:
        if settings.backups_path.resolve().is_relative_to(settings.data_dir.resolve()) \
                and settings.is_production:
            results.append(_warn("BACKUP_DIR", f"{settings.backups_path} is inside DATA_DIR: "
                                               "put backups on another volume or disk"))
    except OSError:
        pass
    return results


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port}" if parts.port else (
        parts.hostname or url.split("://", 1)[0])


def _error(exc: BaseException) -> str:
    # The class and the driver's text without credentials (URLs are never part of it here).
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"{type(exc).__name__}{': ' + text if text else ''}"


async def _probe(name: str, what: str, fix: str, probe: Callable[[], Awaitable[str]],
                 limit: float | None = TIMEOUT) -> CheckResult:
    try:
        detail = await asyncio.wait_for(probe(), limit)
    except Exception as exc:
        return _fail(name, f"{what} is unreachable ({_error(exc)}): {fix}")
    return _ok(name, f"{what} {detail}")


async def _database(settings: Settings) -> CheckResult:
    from ai_service.core import db
    from ai_service.core.migrations import pending_migrations

    if settings.uses_sqlite:
        where = f"SQLite {settings.sqlite_path}"
        if settings.is_production:
            return _warn("database", f"{where}: production should use PostgreSQL "
                                     "(set DATABASE_URL=postgresql://…)")
    else:
        assert settings.database_url
        where = f"PostgreSQL at {_where(settings.database_url)}"

    async def probe() -> str:
        try:
            await asyncio.wait_for(_connect(), TIMEOUT)
            # Reading the migration history imports every migration: not part of the timeout.
            pending = await pending_migrations()
        finally:
            await db.close_db()
        if pending:
            return f"answers; {len(pending)} migration(s) pending (`ai-service migrate` or " \
                   "`serve --migrate` applies them, after a backup)"
        return "answers; schema up to date"

    async def _connect() -> None:
        await db.init_db(settings)
        await db.ping()

    return await _probe("database", where, "check DATABASE_URL (host, port, user, password, "
                                           "database) and that the server runs", probe,
                        limit=None)


async def _redis(settings: Settings) -> CheckResult:
    if not settings.redis_url:
        if settings.is_production:
            return _warn("cache", "in-process: set REDIS_URL so rate limits and live updates "
                                  "are shared by every process")
        return _ok("cache", "in-process")
    import redis.asyncio as redis

    url = settings.redis_url

    async def probe() -> str:
        client = redis.Redis.from_url(url, socket_timeout=TIMEOUT)
        try:
            await client.ping()
        finally:
            await client.aclose()
        return "answers"

    return await _probe("cache", f"Redis at {_where(url)}", "check REDIS_URL (host, port and "
                                                             "password) and that Redis runs",
                        probe)


async def _http(name: str, label: str, url: str | None, path: str, fix: str,
                headers: dict[str, str] | None = None) -> CheckResult:
    if not url:
        return _ok(name, "embedded (not configured)")

    async def probe() -> str:
        async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT, headers=headers) as client:
            response = await client.get(path)
        if response.status_code >= 400:
            raise RuntimeError(f"HTTP {response.status_code} on {path}")
        return "answers"

    return await _probe(name, f"{label} at {_where(url)}", fix, probe)


async def run_checks(settings: Settings, *, online: bool = True) -> list[CheckResult]:
    results = _secret_checks(settings) + _directory_checks(settings)
    if not online:
        return results
    influx_headers = {"Authorization": f"Token {settings.influxdb_token}"} \
        if settings.influxdb_token else None
    results += [
        await _database(settings),
        await _redis(settings),
        await _http("market data", "InfluxDB", settings.influxdb_url, "/ping",
                    "check INFLUXDB_URL and that InfluxDB runs", influx_headers),
        await _http("vectors", "Qdrant", settings.qdrant_url, "/readyz",
                    "check QDRANT_URL and that Qdrant runs"),
    ]
    return results
