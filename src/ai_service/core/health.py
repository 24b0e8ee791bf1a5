"""Liveness (`/health`), readiness (`/status`) and build information (`/api/version`).

`check_dependencies` is shared by `/status`, the Telegram bot's /status and the health monitor.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ai_service import __version__
from ai_service.config import Settings
from ai_service.core import db
from ai_service.integrations.models import GLOBAL_SCOPE, Integration, IntegrationState
from ai_service.integrations.providers import Provider

if TYPE_CHECKING:
    from ai_service.services import Services

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0


def version_info(settings: Settings) -> dict[str, Any]:
    commit = settings.commit
    return {
        "version": settings.version or __version__,
        "commit": commit,
        "commitShort": settings.commit_short or (commit[:7] if commit else None),
        "buildDate": settings.build_date,
        "python": platform.python_version(),
    }


async def health(request: Request) -> JSONResponse:
    state = request.app.state
    return JSONResponse({
        "status": "healthy",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "uptime": round(time.monotonic() - state.started_at, 3),
        "version": state.settings.version or __version__,
    })


async def _check(probe: Callable[[], Awaitable[None]], backend: str) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT)
    except Exception as exc:  # reported, not raised: this endpoint exists to say what is down
        # The class name only: driver messages can carry host names or credentials.
        return {"state": "down", "backend": backend, "required": True,
                "error": type(exc).__name__}
    return {"state": "up", "backend": backend, "required": True,
            "latencyMs": round((time.perf_counter() - started) * 1000, 2)}


async def check_dependencies(
    services: Services, *, integrations: bool = True
) -> dict[str, dict[str, Any]]:
    """The required dependencies, probed live; then, unless told not to, each configured global
    integration with the status its last test stored (no provider is called: a slow or failing
    provider must not slow or fail readiness)."""
    settings = services.settings
    checks = dict(zip(
        ("database", "cache"),
        await asyncio.gather(
            _check(db.ping, "sqlite" if settings.uses_sqlite else "postgres"),
            _check(services.cache.ping, "redis" if settings.redis_url else "memory"),
        ),
        strict=True,
    ))
    if settings.influxdb_url:  # on the embedded default the market store is the database
        checks["timeseries"] = await _check(services.market.ping, "influxdb")
    if integrations and checks["database"]["state"] == "up":
        checks.update(await _integration_checks())
    return checks


def is_ready(checks: dict[str, dict[str, Any]]) -> bool:
    return all(c["state"] == "up" for c in checks.values() if c["required"])


_INTEGRATION_STATES = {
    IntegrationState.CONNECTED: "up", IntegrationState.FAILED: "down",
    IntegrationState.UNTESTED: "unknown",
}


async def _integration_checks() -> dict[str, dict[str, Any]]:
    try:
        rows = await asyncio.wait_for(
            Integration.filter(scope=GLOBAL_SCOPE).values("provider", "status", "last_checked_at"),
            CHECK_TIMEOUT,
        )
    except Exception:  # the database just went away: its own check says so
        log.warning("could not read the integrations for /status", exc_info=True)
        return {}
    order = [p.value for p in Provider]
    known = [r for r in rows if str(r["provider"]) in order]  # a provider since removed: skip
    checks = {}
    for row in sorted(known, key=lambda r: order.index(str(r["provider"]))):
        state = IntegrationState(row["status"])
        checked: datetime | None = row["last_checked_at"]
        checks[str(row["provider"]).lower()] = {
            "state": _INTEGRATION_STATES[state], "provider": str(row["provider"]),
            "required": False, "status": state.value,
            "lastCheckedAt": checked.isoformat(timespec="seconds") if checked else None,
        }
    return checks


async def status(request: Request) -> JSONResponse:
    checks = await check_dependencies(request.app.state.services)
    ready = is_ready(checks)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable",
         "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
         "checks": checks},
        status_code=200 if ready else 503,
    )


async def version(request: Request) -> JSONResponse:
    return JSONResponse(version_info(request.app.state.settings))
