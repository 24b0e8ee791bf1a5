"""GraphQL for bank sync: a thin layer over BankSyncService (finance/sync.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking import Institution
from ai_service.finance.models import Account
from ai_service.graphql.context import Context
from ai_service.graphql.finance.schema import AccountType_
from ai_service.graphql.jobs import JobType
from ai_service.graphql.permissions import IsAuthenticated


class BankProviderName(StrEnum):
    GOCARDLESS = "GOCARDLESS"
    ENABLE_BANKING = "ENABLE_BANKING"


strawberry.enum(BankProviderName, name="BankProvider")
strawberry.enum(ConnectionStatus, name="BankConnectionStatus")


@strawberry.type
class BankInstitution:
    id: strawberry.ID = strawberry.field(description="What connectBank takes as institutionId.")
    name: str
    bic: str | None
    countries: list[str]
    logo: str | None
    max_history_days: int | None = strawberry.field(
        description="How far back the bank gives transactions; null when it does not say.")
    max_consent_days: int | None

    @classmethod
    def of(cls, item: Institution) -> BankInstitution:
        return cls(id=strawberry.ID(item.id), name=item.name, bic=item.bic,
                   countries=list(item.countries), logo=item.logo,
                   max_history_days=item.max_history_days,
                   max_consent_days=item.max_consent_days)


@strawberry.type(name="BankConnection")
class BankConnectionType:
    id: strawberry.ID
    provider: BankProviderName
    institution_id: str
    institution_name: str
    status: ConnectionStatus
    consent_expires_at: datetime | None
    last_synced_at: datetime | None
    last_error: str | None = strawberry.field(
        description="Why the last sync or link failed, or why the next sync waits, in plain "
                    "words; null when all is well.")
    created_at: datetime
    row: strawberry.Private[BankConnection]
    account_rows: strawberry.Private[list[Account] | None]

    @classmethod
    def of(cls, row: BankConnection, accounts: list[Account] | None) -> BankConnectionType:
        return cls(id=strawberry.ID(str(row.id)), provider=BankProviderName(row.provider),
                   institution_id=row.institution_id, institution_name=row.institution_name,
                   status=row.status, consent_expires_at=row.consent_expires_at,
                   last_synced_at=row.last_synced_at, last_error=row.last_error,
                   created_at=row.created_at, row=row, account_rows=accounts)

    async def _accounts(self, info: Info[Context, None]) -> list[Account]:
        if self.account_rows is None:
            self.account_rows = await info.context.loaders.connection_accounts.load(self.row.id)
        return self.account_rows

    @strawberry.field(description="The accounts this connection syncs.")
    async def accounts(self, info: Info[Context, None]) -> list[AccountType_]:
        return [AccountType_.of(a) for a in await self._accounts(info)]

    @strawberry.field(description="When a sync can next fetch transactions for every account, "
                                  "as the bank's quota allows (now if it can already); null "
                                  "unless LINKED.")
    async def next_sync_at(self, info: Info[Context, None]) -> datetime | None:
        return await info.context.services.banking.next_sync_at(self.row,
                                                                 await self._accounts(info))


async def connection_of(info: Info[Context, None], connection_id: int) -> BankConnectionType | None:
    """Account.connection, through the operation's loader."""
    row = await info.context.loaders.bank_connection.load(connection_id)
    return BankConnectionType.of(row, None) if row is not None else None


@strawberry.type
class BankConnectLink:
    url: str = strawberry.field(description="The bank's consent page: send the browser there.")
    connection: BankConnectionType


@strawberry.type
class BankQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The banks a provider offers in a country (ISO 3166 alpha-2).")
    async def bank_institutions(self, info: Info[Context, None], provider: BankProviderName,
                                country: str) -> list[BankInstitution]:
        user = await info.context.user()
        return [BankInstitution.of(i) for i in
                await info.context.services.banking.institutions(user, provider.value, country)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Your bank connections, newest first.")
    async def bank_connections(self, info: Info[Context, None]) -> list[BankConnectionType]:
        user = await info.context.user()
        return [BankConnectionType.of(row, accounts) for row, accounts in
                await info.context.services.banking.connections(user)]


@strawberry.type
class BankMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Starts linking a bank: returns its consent page. The bank "
                                     "sends the browser back to /api/bank/callback, which sends "
                                     "it on to redirectUrl (a path of this app or an address "
                                     "on its own origin).")
    async def connect_bank(self, info: Info[Context, None], provider: BankProviderName,
                           institution_id: str, redirect_url: str) -> BankConnectLink:
        user = await info.context.user()
        connection, url = await info.context.services.banking.connect(
            user, provider.value, institution_id, redirect_url,
            base_url=str(info.context.request.base_url))
        return BankConnectLink(url=url, connection=BankConnectionType.of(connection, []))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Syncs the connection's accounts as a job; while one is "
                                     "queued or running, returns that one.")
    async def sync_bank_accounts(self, info: Info[Context, None],
                                 connection_id: strawberry.ID) -> JobType:
        user = await info.context.user()
        return JobType.of(await info.context.services.banking.sync(
            user, parse_id(connection_id, "connectionId")))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Ends the consent at the provider; the accounts and their "
                                     "transactions stay.")
    async def disconnect_bank(self, info: Info[Context, None],
                              connection_id: strawberry.ID) -> BankConnectionType:
        user = await info.context.user()
        banking = info.context.services.banking
        row = await banking.disconnect(user, parse_id(connection_id, "connectionId"))
        return BankConnectionType.of(row, None)
