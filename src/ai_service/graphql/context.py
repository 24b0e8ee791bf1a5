"""The typed per-request context: who asks, the services, and the operation's loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from ai_service.core.client import ClientInfo
from ai_service.core.errors import Forbidden, Unauthenticated
from ai_service.graphql.loaders import Loaders
from ai_service.services import Services
from ai_service.users.auth import Principal
from ai_service.users.models import User

# Set per WebSocket operation (see view.py): a connection's context outlives its operations,
# and loaders shared across them would serve stale rows.
_operation_loaders: ContextVar[Loaders | None] = ContextVar("operation_loaders", default=None)


@dataclass
class Context:
    services: Services
    request: Request | WebSocket
    response: Response | WebSocket | None
    client: ClientInfo
    authorization: str | None = None
    connection_params: Mapping[str, Any] | None = None
    _loaders: Loaders | None = field(default=None, repr=False)
    _principal: asyncio.Future[Principal] | None = field(default=None, repr=False)

    @property
    def loaders(self) -> Loaders:
        scoped = _operation_loaders.get()
        if scoped is not None:
            return scoped
        if self._loaders is None:
            self._loaders = Loaders(self.services)
        return self._loaders

    def fresh_loaders(self) -> None:
        """Start a new loader cache for the current task: a WebSocket operation, or the next
        event of a subscription. Tasks the operation spawns inherit it."""
        _operation_loaders.set(Loaders(self.services))

    async def principal(self) -> Principal:
        """Authenticates the bearer token once, on first need, however many fields ask."""
        if self._principal is None:
            future: asyncio.Future[Principal] = asyncio.get_running_loop().create_future()
            self._principal = future
            try:
                if not self.authorization:
                    raise Unauthenticated()
                future.set_result(await self.services.auth.authenticate(self.authorization))
            except Exception as exc:
                future.set_exception(exc)
                future.exception()  # mark retrieved: concurrent fields re-raise it themselves
                raise
            return future.result()
        return await self._principal

    def forget_principal(self) -> None:
        """Authenticate again on next need (each WebSocket operation does)."""
        self._principal = None

    async def user(self) -> User:
        return (await self.principal()).user

    async def admin(self) -> User:
        user = await self.user()
        if not user.is_admin:
            raise Forbidden("This requires the administrator role")
        return user

    async def session_id(self) -> str:
        return (await self.principal()).session_id

