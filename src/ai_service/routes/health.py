"""Liveness (`/health`), readiness (`/status`) and build information (`/api/version`)."""

from __future__ import annotations

import platform
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ai_service import __version__
from ai_service.config import Settings
from ai_service.core.health import is_ready


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


async def status(request: Request) -> JSONResponse:
    checks = await request.app.state.services.health.run()
    ready = is_ready(checks)
    return JSONResponse(
        {"status": "ready" if ready else "unavailable",
         "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
         "checks": checks},
        status_code=200 if ready else 503,
    )


async def version(request: Request) -> JSONResponse:
    return JSONResponse(version_info(request.app.state.settings))
