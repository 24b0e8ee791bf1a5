"""Bank sync as the GraphQL layer, the HTTP routes and the job registry see it: one façade over
linking (linking.py), syncing (syncing.py) and the schedule (scheduling.py), which checks that
a connection belongs to the user asking before any of them acts on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from ai_service.config import Settings
from ai_service.core.cache import Cache
from ai_service.core.jobs import Job, JobQueue, JobRegistry
from ai_service.finance.bank_models import BankConnection
from ai_service.finance.banking import connections
from ai_service.finance.banking.access import BankAccess
from ai_service.finance.banking.linking import BankLinking
from ai_service.finance.banking.provider import Institution
from ai_service.finance.banking.scheduling import BankScheduling
from ai_service.finance.banking.syncing import BankSyncing
from ai_service.finance.banking.urls import BankRoutes, BankUrls
from ai_service.finance.models import Account
from ai_service.integrations.service import IntegrationService
from ai_service.notifications.service import Notifier
from ai_service.users.models import User


class BankSyncService:
    def __init__(self, settings: Settings, cache: Cache, jobs: JobQueue,
                 integrations: IntegrationService, notifier: Notifier,
                 routes: BankRoutes) -> None:
        access = BankAccess(settings, cache, integrations)
        urls = BankUrls(routes, settings.public_url, settings.jwt_secret)
        self.syncing = BankSyncing(access, jobs, notifier, urls)
        self.linking = BankLinking(access, self.syncing, urls)
        self.scheduling = BankScheduling(settings, access, self.syncing, notifier, urls)

    def register_jobs(self, registry: JobRegistry) -> None:
        self.syncing.register_jobs(registry)
        self.scheduling.register_jobs(registry)

    # -- for the user, through GraphQL ------------------------------------------------------

    async def institutions(self, user: User, provider: str, country: str) -> list[Institution]:
        return await self.linking.institutions(user.id, provider, country)

    async def connect(self, user: User, provider: str, institution_id: str, redirect_url: str,
                      *, base_url: str) -> tuple[BankConnection, str]:
        return await self.linking.connect(user.id, provider, institution_id, redirect_url,
                                          base_url=base_url)

    async def connections(self, user: User) -> list[tuple[BankConnection, list[Account]]]:
        return await connections.of_owner(user.id)

    async def sync(self, user: User, connection_id: int) -> Job:
        return await self.syncing.sync(await connections.owned(user.id, connection_id))

    async def disconnect(self, user: User, connection_id: int) -> BankConnection:
        return await self.linking.disconnect(await connections.owned(user.id, connection_id))

    async def next_sync_at(self, connection: BankConnection,
                           accounts: Sequence[Account]) -> datetime | None:
        return await self.scheduling.next_sync_at(connection, accounts)

    async def by_ids(self, ids: Sequence[int]) -> dict[int, BankConnection]:
        return await connections.by_ids(ids)

    async def accounts_of(self, connection_ids: Sequence[int]) -> dict[int, list[Account]]:
        return await connections.accounts_of(connection_ids)

    # -- for the browser the bank sends back, and a reminder's link --------------------------

    async def complete(self, params: Mapping[str, str]) -> str:
        return await self.linking.complete(params)

    async def relink(self, connection_id: int, token: str) -> str:
        return await self.linking.relink(connection_id, token)

    # -- on a schedule -----------------------------------------------------------------------

    async def sync_all(self) -> int:
        return await self.scheduling.sync_all()

    async def send_reminders(self, now: datetime | None = None) -> int:
        return await self.scheduling.send_reminders(now)
