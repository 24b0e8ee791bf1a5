"""The bank connections' root queries and mutations: a thin layer over BankSyncService
(finance/banking/service.py); their types are in types.py."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.finance.types import (
    BankConnectionType,
    BankConnectLink,
    BankInstitution,
    BankProviderName,
)
from ai_service.graphql.jobs import JobType
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.services import BANK_ROUTES


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
                                     f"sends the browser back to {BANK_ROUTES.callback}, which "
                                     "sends it on to redirectUrl (a path of this app or an "
                                     "address on its own origin).")
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
