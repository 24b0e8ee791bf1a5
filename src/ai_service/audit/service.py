"""Writes and reads the audit log. Details never carry secrets or passwords."""

from __future__ import annotations

from typing import Any

from ai_service.audit.models import AuditEvent
from ai_service.core.client import ClientInfo
from ai_service.core.errors import BadUserInput
from ai_service.core.pagination import Page, keyset_page


class AuditLog:
    async def record(
        self,
        action: str,
        client: ClientInfo,
        *,
        actor_id: int | None = None,
        actor_email: str | None = None,
        target_type: str | None = None,
        target_id: object = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        return await AuditEvent.create(
            action=action,
            actor_id=actor_id,
            actor_email=actor_email,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            ip=client.ip,
            request_id=client.request_id,
            details=details or {},
        )

    async def page(
        self, first: int, after: str | None, action: str | None = None
    ) -> Page[AuditEvent]:
        query = AuditEvent.all()
        if action:
            if len(action) > 64:
                raise BadUserInput("`action` is at most 64 characters", field="action")
            query = query.filter(action=action)
        return await keyset_page(query, first, after, order="desc")
