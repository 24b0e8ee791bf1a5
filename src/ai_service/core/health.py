"""Liveness (`/health`), readiness (`/status`) and build information (`/api/version`)."""

from __future__ import annotations

import asyncio
import platform
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ai_service import __version__
from ai_service.config import Settings
from ai_service.core import db

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


async def status(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    services = request.app.state.services
    checks = dict(zip(
        ("database", "cache"),
        await asyncio.gather(
            _check(db.ping, "sqlite" if settings.uses_sqlite else "postgres"),
            _check(services.cache.ping, "redis" if settings.redis_url else "memory"),
        ),
        strict=True,
    ))
    ready = all(c["state"] == "up" for c in checks.values() if c["required"])
    return JSONResponse(
        {"status": "ready" if ready else "unavailable",
         "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
         "checks": checks},
        status_code=200 if ready else 503,
    )


async def version(request: Request) -> JSONResponse:
    return JSONResponse(version_info(request.app.state.settings))
