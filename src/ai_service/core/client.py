"""Who is calling, as far as services need to know: for sessions, rate limits and the audit log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


CLI_CLIENT = ClientInfo(ip=None, user_agent="ai-service cli", request_id=None)
