"""The one DataLoader registry: every relation any type resolves, one loader each, created on
first use and cached for one operation (a WebSocket operation or a subscription event gets a new
registry; see `Context.fresh_loaders`). Domains contribute by adding a loader here over their
service's batch read; no loader lives anywhere else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader

from ai_service.core.jobs.models import Job
from ai_service.documents.models import Document
from ai_service.finance.bank_models import BankConnection
from ai_service.finance.models import Account, Category, Client
from ai_service.services import Services
from ai_service.tagging.models import Tag, TaggedKind
from ai_service.trading.models import Strategy
from ai_service.users.models import User

K = TypeVar("K")
V = TypeVar("V")


def _batch(read: Callable[[list[K]], Awaitable[Mapping[K, V]]], missing: V
           ) -> DataLoader[K, V]:
    """A loader over a batch read that returns what it found by key."""

    async def load(keys: list[K]) -> list[V]:
        found = await read(keys)
        return [found.get(key, missing) for key in keys]

    return DataLoader(load)


async def _jobs(ids: Sequence[int]) -> dict[int, Job]:
    return {job.id: job for job in await Job.filter(id__in=list(ids))}


class Loaders:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._tags: dict[TaggedKind, DataLoader[int, list[Tag]]] = {}

    # -- users and jobs --------------------------------------------------------------------

    @cached_property
    def user(self) -> DataLoader[int, User | None]:
        return _batch(self._services.users.by_ids, None)

    @cached_property
    def job(self) -> DataLoader[int, Job | None]:
        return _batch(_jobs, None)

    # -- finance ---------------------------------------------------------------------------

    @cached_property
    def account(self) -> DataLoader[int, Account | None]:
        finance = self._services.finance
        return _batch(lambda ids: finance.by_ids(Account, ids), None)

    @cached_property
    def category(self) -> DataLoader[int, Category | None]:
        finance = self._services.finance
        return _batch(lambda ids: finance.by_ids(Category, ids), None)

    @cached_property
    def client(self) -> DataLoader[int, Client | None]:
        finance = self._services.finance
        return _batch(lambda ids: finance.by_ids(Client, ids), None)

    @cached_property
    def account_balance(self) -> DataLoader[int, Decimal]:
        return _batch(self._services.finance.balances, Decimal(0))

    @cached_property
    def client_totals(self) -> DataLoader[int, list[tuple[str, Decimal, Decimal, int]]]:
        return _batch(self._services.finance.client_totals, [])

    @cached_property
    def bank_connection(self) -> DataLoader[int, BankConnection | None]:
        return _batch(self._services.banking.by_ids, None)

    @cached_property
    def connection_accounts(self) -> DataLoader[int, list[Account]]:
        return _batch(self._services.banking.accounts_of, [])

    # -- tagging ---------------------------------------------------------------------------

    def tags_of(self, kind: TaggedKind) -> DataLoader[int, list[Tag]]:
        loader = self._tags.get(kind)
        if loader is None:
            tags = self._services.tags
            loader = self._tags[kind] = _batch(lambda ids: tags.tags_of(kind, ids), [])
        return loader

    # -- trading and documents -------------------------------------------------------------

    @cached_property
    def strategy(self) -> DataLoader[int, Strategy | None]:
        return _batch(self._services.trading.strategies_by_ids, None)

    @cached_property
    def document(self) -> DataLoader[int, Document | None]:
        return _batch(self._services.documents.by_ids, None)
