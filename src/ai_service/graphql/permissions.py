"""Who may call a root field, declared on the field itself (`permission_classes=[...]`).

Every Query, Mutation and Subscription field names exactly one of these; a test walks the schema
and fails on a field without one, so a forgotten check cannot become a leak. Ownership is the
services' part: they scope every read and write to the signed-in user.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from ai_service.graphql.context import Context


class Public(BasePermission):
    """Anyone, signed in or not (signing in, first-run setup, refreshing a session)."""

    message = "Public"

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return True


class IsAuthenticated(BasePermission):
    """A signed-in, active user; UNAUTHENTICATED otherwise."""

    message = "Sign in first"

    async def has_permission(self, source: Any, info: Info[Context, None],
                             **kwargs: Any) -> bool:
        await info.context.user()  # raises Unauthenticated, which keeps its own code
        return True


class IsAdmin(BasePermission):
    """An administrator; UNAUTHENTICATED or FORBIDDEN otherwise."""

    message = "This requires the administrator role"

    async def has_permission(self, source: Any, info: Info[Context, None],
                             **kwargs: Any) -> bool:
        await info.context.admin()  # raises Unauthenticated or Forbidden
        return True


ACCESS = (Public, IsAuthenticated, IsAdmin)
