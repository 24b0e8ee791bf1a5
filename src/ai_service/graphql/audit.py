"""GraphQL for the audit log (administrators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ai_service.audit.models import AuditEvent
from ai_service.graphql.context import Context
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAdmin
from ai_service.graphql.users import UserType


@strawberry.type(name="AuditEvent")
class AuditEventType:
    id: strawberry.ID
    created_at: datetime
    action: str
    actor_email: str | None
    target_type: str | None
    target_id: str | None
    ip: str | None
    request_id: str | None
    details: JSON
    actor_id: strawberry.Private[int | None]

    @strawberry.field(description="The user who acted; null for the CLI and unknown emails.")
    async def actor(self, info: Info[Context, None]) -> UserType | None:
        if self.actor_id is None:
            return None
        user = await info.context.loaders.user.load(self.actor_id)
        return UserType.of(user) if user else None

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventType:
        details: Any = event.details
        return cls(
            id=strawberry.ID(str(event.id)), created_at=event.created_at, action=event.action,
            actor_email=event.actor_email, target_type=event.target_type,
            target_id=event.target_id, ip=event.ip, request_id=event.request_id,
            details=details, actor_id=event.actor_id,
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(permission_classes=[IsAdmin],
                      description="Security events, newest first. Administrators only.")
    async def audit_log(
        self,
        info: Info[Context, None],
        first: int = 20,
        after: str | None = None,
        action: str | None = None,
    ) -> Connection[AuditEventType]:
        await info.context.admin()
        page = await info.context.services.audit.page(first, after, action)
        return Connection.of(page, AuditEventType.of)
