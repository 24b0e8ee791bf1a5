"""The finance domain's root queries: accounts, transactions, categories, rules, clients, the
suggestion queue and the metrics."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.finance import metrics
from ai_service.finance.inputs import TransactionFilter
from ai_service.finance.metrics import Granularity
from ai_service.finance.models import SuggestionStatus
from ai_service.finance.service import encode_cursor
from ai_service.graphql.context import Context
from ai_service.graphql.finance.inputs import TransactionFilterInput, parse_ids
from ai_service.graphql.finance.metrics import FinancialMetrics
from ai_service.graphql.finance.types import (
    AccountNode,
    CategorySuggestionType,
    CategoryType,
    ClientType,
    RuleType,
    TransactionType,
)
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAuthenticated


@strawberry.type
class FinanceQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def accounts(self, info: Info[Context, None],
                       include_archived: bool = False) -> list[AccountNode]:
        user = await info.context.user()
        return [AccountNode.of(a) for a in
                await info.context.services.finance.accounts(user, include_archived)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def account(self, info: Info[Context, None], id: strawberry.ID) -> AccountNode:
        user = await info.context.user()
        return AccountNode.of(await info.context.services.finance.account(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first (booking date, then id).")
    async def transactions(self, info: Info[Context, None], first: int = 50,
                           after: str | None = None,
                           filter: TransactionFilterInput | None = None,
                           ) -> Connection[TransactionType]:
        user = await info.context.user()
        where = filter.as_filter() if filter else TransactionFilter()
        page = await info.context.services.finance.transactions(user, first, after, where)
        return Connection.of(page, TransactionType.of, encode_cursor)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def transaction(self, info: Info[Context, None], id: strawberry.ID) -> TransactionType:
        user = await info.context.user()
        return TransactionType.of(
            await info.context.services.finance.transaction(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Created with a default set on first use.")
    async def categories(self, info: Info[Context, None]) -> list[CategoryType]:
        user = await info.context.user()
        return [CategoryType.of(c) for c in await info.context.services.finance.categories(user)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="In the order they run.")
    async def rules(self, info: Info[Context, None]) -> list[RuleType]:
        user = await info.context.user()
        return [RuleType.of(r) for r in await info.context.services.finance.rules(user)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def clients(self, info: Info[Context, None]) -> list[ClientType]:
        user = await info.context.user()
        return [ClientType.of(c) for c in await info.context.services.finance.clients(user)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def client(self, info: Info[Context, None], id: strawberry.ID) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.client(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The review queue of AI suggestions, most confident first.")
    async def category_suggestions(
        self, info: Info[Context, None], status: SuggestionStatus = SuggestionStatus.PENDING,
    ) -> list[CategorySuggestionType]:
        user = await info.context.user()
        return [CategorySuggestionType.of(s) for s in
                await info.context.services.suggestions.queue(user, status)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Per currency: series of income, expenses, net and running "
                                  "balance; totals by category; top counterparties; recurring "
                                  "payments.")
    async def financial_metrics(
        self, info: Info[Context, None],
        start: Annotated[date, strawberry.argument(name="from")],
        end: Annotated[date, strawberry.argument(name="to")],
        granularity: Granularity = Granularity.MONTH,
        account_ids: list[strawberry.ID] | None = None,
    ) -> FinancialMetrics:
        user = await info.context.user()
        accounts = parse_ids(account_ids, "accountIds")
        if accounts:  # someone else's account is NOT_FOUND, not silently empty
            for account_id in set(accounts):
                await info.context.services.finance.account(user, account_id)
        scope = metrics.Scope(user.id, start, end, None if accounts is None else tuple(accounts))
        return FinancialMetrics(scope=scope, granularity=granularity)
