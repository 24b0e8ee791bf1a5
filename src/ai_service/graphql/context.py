"""The typed per-request context, and the per-operation DataLoader registry."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader

from ai_service.core.client import ClientInfo
from ai_service.core.errors import Forbidden, Unauthenticated
from ai_service.core.jobs.models import Job
from ai_service.finance.models import Account, Category, Client
from ai_service.services import Services
from ai_service.tagging.models import Tag, TaggedKind
from ai_service.trading.models import Strategy
from ai_service.users.auth import Principal
from ai_service.users.models import User

# Set per WebSocket operation (see view.py): a connection's context outlives its operations,
# and loaders shared across them would serve stale rows.
_operation_loaders: ContextVar[Loaders | None] = ContextVar("operation_loaders", default=None)


class Loaders:
    """One DataLoader per relation, created on first use and cached for one operation."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._tag_loaders: dict[TaggedKind, DataLoader[int, list[Tag]]] = {}

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        users = self._services.users

        async def load(ids: list[int]) -> list[User | None]:
            found = await users.by_ids(ids)
            return [found.get(i) for i in ids]

        return DataLoader(load)

    @cached_property
    def job(self) -> DataLoader[int, Job | None]:
        async def load(ids: list[int]) -> list[Job | None]:
            found = {job.id: job for job in await Job.filter(id__in=ids)}
            return [found.get(i) for i in ids]

        return DataLoader(load)

    @cached_property
    def strategy(self) -> DataLoader[int, Strategy | None]:
        trading = self._services.trading

        async def load(ids: list[int]) -> list[Strategy | None]:
            found = await trading.strategies_by_ids(ids)
            return [found.get(i) for i in ids]

        return DataLoader(load)

    def _by_id(self, model: type[Any]) -> DataLoader[int, Any]:
        finance = self._services.finance

        async def load(ids: list[int]) -> list[Any]:
            found = await finance.by_ids(model, ids)
            return [found.get(i) for i in ids]

        return DataLoader(load)

    @cached_property
    def account(self) -> DataLoader[int, Account | None]:
        return self._by_id(Account)

    @cached_property
    def category(self) -> DataLoader[int, Category | None]:
        return self._by_id(Category)

    @cached_property
    def client(self) -> DataLoader[int, Client | None]:
        return self._by_id(Client)

    @cached_property
    def account_balance(self) -> DataLoader[int, Decimal]:
        finance = self._services.finance

        async def load(ids: list[int]) -> list[Decimal]:
            found = await finance.balances(ids)
            return [found.get(i, Decimal(0)) for i in ids]

        return DataLoader(load)

    @cached_property
    def client_totals(self) -> DataLoader[int, list[tuple[str, Decimal, Decimal, int]]]:
        finance = self._services.finance

        async def load(ids: list[int]) -> list[list[tuple[str, Decimal, Decimal, int]]]:
            found = await finance.client_totals(ids)
            return [found.get(i, []) for i in ids]

        return DataLoader(load)

    def tags_of(self, kind: TaggedKind) -> DataLoader[int, list[Tag]]:
        loader = self._tag_loaders.get(kind)
        if loader is None:
            tags = self._services.tags

            async def load(ids: list[int]) -> list[list[Tag]]:
                found = await tags.tags_of(kind, ids)
                return [found.get(i, []) for i in ids]

            loader = self._tag_loaders[kind] = DataLoader(load)
        return loader


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

