"""The answer of `financialMetrics`: each part is computed only when a query selects it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from ai_service.finance import metrics
from ai_service.finance.metrics import Granularity
from ai_service.graphql.context import Context
from ai_service.graphql.finance.types import CategoryType

strawberry.enum(Granularity, name="Granularity")


@strawberry.type
class CurrencySeries:
    currency: str
    periods: list[date]
    income: list[Decimal]
    expenses: list[Decimal]
    net: list[Decimal]
    balance: list[Decimal] = strawberry.field(description="At the end of each period.")


@strawberry.type
class CategoryTotal:
    currency: str
    category_id: strawberry.ID | None
    total: Decimal
    count: int

    @strawberry.field
    async def category(self, info: Info[Context, None]) -> CategoryType | None:
        if self.category_id is None:
            return None
        row = await info.context.loaders.category.load(int(self.category_id))
        return CategoryType.of(row) if row else None


@strawberry.type
class CounterpartyTotal:
    currency: str
    name: str
    total: Decimal
    count: int


@strawberry.type
class RecurringPayment:
    currency: str
    name: str
    amount: Decimal
    cadence: str = strawberry.field(description="WEEKLY, BIWEEKLY, MONTHLY, QUARTERLY, YEARLY")
    interval_days: float
    count: int
    first: date
    last: date
    next_expected: date


@strawberry.type(description="Each part is computed (one SQL aggregate or three) only when "
                             "selected.")
class FinancialMetrics:
    scope: strawberry.Private[metrics.Scope]
    granularity: strawberry.Private[Granularity]

    @strawberry.field(description="Income, expenses, net and running balance per period.")
    async def series(self) -> list[CurrencySeries]:
        return [CurrencySeries(currency=s.currency, periods=s.periods, income=s.income,
                               expenses=s.expenses, net=s.net, balance=s.balance)
                for s in await metrics.series(self.scope, self.granularity)]

    @strawberry.field
    async def by_category(self) -> list[CategoryTotal]:
        return [CategoryTotal(currency=c.currency, total=c.total, count=c.count,
                              category_id=None if c.category_id is None
                              else strawberry.ID(str(c.category_id)))
                for c in await metrics.by_category(self.scope)]

    @strawberry.field
    async def top_counterparties(self, limit: int = 20) -> list[CounterpartyTotal]:
        return [CounterpartyTotal(currency=c.currency, name=c.name, total=c.total,
                                  count=c.count)
                for c in await metrics.top_counterparties(self.scope, max(1, min(limit, 100)))]

    @strawberry.field
    async def recurring_payments(self) -> list[RecurringPayment]:
        return [RecurringPayment(**vars(r)) for r in await metrics.recurring_payments(self.scope)]
