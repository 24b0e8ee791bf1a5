"""Housekeeping for sessions: expired and long-revoked ones go, their tokens with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from ai_service.core.jobs import JobContext
from ai_service.users.models import AuthSession, RefreshToken

PURGE_SESSIONS = "users.purge_sessions"
_KEEP_REVOKED = timedelta(days=30)


async def purge_sessions(ctx: JobContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    # Spent tokens stay until they expire: a replay of one must still revoke its session.
    tokens = await RefreshToken.filter(expires_at__lt=now).delete()
    sessions = await AuthSession.filter(
        Q(expires_at__lt=now - _KEEP_REVOKED) | Q(revoked_at__lt=now - _KEEP_REVOKED)
    ).delete()
    return {"refreshTokens": tokens, "sessions": sessions}
