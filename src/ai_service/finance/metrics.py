"""Where the money goes: series, categories, counterparties and recurring payments, per
currency (amounts in different currencies are never added together).

Everything is a SQL aggregate over the transactions (GROUP BY period, category, counterparty);
Python only walks the aggregated rows (a few hundred periods at most) to fill empty periods and
to carry the running balance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ai_service.core import db
from ai_service.core.errors import BadUserInput
from ai_service.finance.money import from_units

MAX_DAYS = 366 * 30
MAX_PERIODS = 5_000


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@dataclass
class CurrencySeries:
    currency: str
    periods: list[date] = field(default_factory=list)
    income: list[Decimal] = field(default_factory=list)
    expenses: list[Decimal] = field(default_factory=list)
    net: list[Decimal] = field(default_factory=list)
    balance: list[Decimal] = field(default_factory=list)  # at the end of each period


@dataclass(frozen=True)
class CategoryTotal:
    currency: str
    category_id: int | None
    total: Decimal
    count: int


@dataclass(frozen=True)
class CounterpartyTotal:
    currency: str
    name: str
    total: Decimal
    count: int


@dataclass(frozen=True)
class RecurringPayment:
    currency: str
    name: str
    amount: Decimal
    cadence: str  # WEEKLY, MONTHLY, QUARTERLY, YEARLY
    interval_days: float
    count: int
    first: date
    last: date
    next_expected: date


_CADENCES = (("WEEKLY", 6, 8), ("BIWEEKLY", 13, 15), ("MONTHLY", 27, 33),
             ("QUARTERLY", 85, 95), ("YEARLY", 355, 375))


def _bucket(granularity: Granularity, postgres: bool) -> str:
    if granularity is Granularity.DAY:
        return "t.booking_date"
    if postgres:
        unit = "week" if granularity is Granularity.WEEK else "month"
        return f"CAST(date_trunc('{unit}', t.booking_date) AS date)"
    if granularity is Granularity.WEEK:  # back to Monday: %w is 0 for Sunday
        return ("date(t.booking_date, '-' || ((CAST(strftime('%w', t.booking_date) AS INTEGER)"
                " + 6) % 7) || ' days')")
    return "strftime('%Y-%m-01', t.booking_date)"


def _period_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.DAY:
        return day + timedelta(days=1)
    if granularity is Granularity.WEEK:
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Scope:
    """Whose transactions, between which dates (inclusive), in which accounts (None: all)."""

    owner_id: int
    start: date
    end: date
    account_ids: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise BadUserInput("`to` is before `from`", field="to")
        if (self.end - self.start).days > MAX_DAYS:
            raise BadUserInput("The range is at most 30 years", field="from")

    def owner_sql(self, alias: str = "t") -> tuple[str, list[Any]]:
        sql, params = f"{alias}.owner_id = ?", [self.owner_id]
        column = "id" if alias == "a" else "account_id"
        if self.account_ids is not None:
            marks = ", ".join("?" * len(self.account_ids)) or "NULL"
            sql += f" AND {alias}.{column} IN ({marks})"
            params += list(self.account_ids)
        return sql, params

    def sql(self) -> tuple[str, list[Any]]:
        where, params = self.owner_sql()
        return f"{where} AND t.booking_date >= ? AND t.booking_date <= ?", [
            *params, self.start, self.end]


async def series(scope: Scope, granularity: Granularity) -> list[CurrencySeries]:
    """Income, expenses, net and the running balance per period, per currency."""
    periods = []
    cursor = _period_start(scope.start, granularity)
    while cursor <= scope.end:
        periods.append(cursor)
        cursor = _next(cursor, granularity)
        if len(periods) > MAX_PERIODS:
            raise BadUserInput(f"That is more than {MAX_PERIODS} periods: choose a coarser "
                               "granularity", field="granularity")
    owner, owner_params = scope.owner_sql("d")
    bucket = _bucket(granularity, db.dialect() == "postgres").replace("t.booking_date", "d.day")
    # From the daily totals (finance.daily), not the transactions: a year is 365 rows per
    # account whatever the number of transactions.
    flows = await db.fetch(
        f"SELECT d.currency, {bucket} AS period, SUM(d.income_units), "  # noqa: S608
        f"SUM(d.expense_units) FROM transaction_days d WHERE {owner} AND d.day >= ? "
        "AND d.day <= ? GROUP BY d.currency, period", [*owner_params, scope.start, scope.end])
    before = await db.fetch(
        f"SELECT d.currency, SUM(d.income_units + d.expense_units) FROM transaction_days d "  # noqa: S608
        f"WHERE {owner} AND d.day < ? GROUP BY d.currency", [*owner_params, scope.start])
    accounts, account_params = scope.owner_sql("a")
    opening = await db.fetch(
        f"SELECT a.currency, SUM(a.opening_balance_units) FROM accounts a "  # noqa: S608
        f"WHERE {accounts} GROUP BY a.currency", account_params)
    starting: dict[str, int] = defaultdict(int)
    for currency, total in [*before, *opening]:
        starting[str(currency)] += int(total or 0)
    by_period: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for currency, period, income, expenses in flows:
        by_period[str(currency)][_as_date(period)] = (int(income or 0), int(expenses or 0))
    lines = []
    for currency in sorted(set(by_period) | {c for c, v in starting.items() if v}):
        line = CurrencySeries(currency)
        running = starting[currency]
        for period in periods:
            income, expenses = by_period[currency].get(period, (0, 0))
            running += income + expenses
            line.periods.append(period)
            line.income.append(from_units(income))
            line.expenses.append(from_units(-expenses))
            line.net.append(from_units(income + expenses))
            line.balance.append(from_units(running))
        lines.append(line)
    return lines


async def by_category(scope: Scope) -> list[CategoryTotal]:
    where, params = scope.sql()
    rows = await db.fetch(
        f"SELECT t.currency, t.category_id, SUM(t.amount_units), COUNT(*) "  # noqa: S608
        f"FROM transactions t WHERE {where} GROUP BY t.currency, t.category_id "
        "ORDER BY t.currency, SUM(t.amount_units)", params)
    return [CategoryTotal(str(c), None if k is None else int(k), from_units(int(s)), int(n))
            for c, k, s, n in rows]


async def top_counterparties(scope: Scope, limit: int = 20) -> list[CounterpartyTotal]:
    where, params = scope.sql()
    rows = await db.fetch(
        "SELECT t.currency, t.counterparty_name, SUM(t.amount_units), COUNT(*) "  # noqa: S608
        f"FROM transactions t WHERE {where} AND t.counterparty_name IS NOT NULL "
        "GROUP BY t.currency, t.counterparty_name ORDER BY SUM(ABS(t.amount_units)) DESC "
        "LIMIT ?", [*params, limit])
    return [CounterpartyTotal(str(c), str(name), from_units(int(s)), int(n))
            for c, name, s, n in rows]


async def recurring_payments(scope: Scope) -> list[RecurringPayment]:
    """Outgoing payments of one exact amount to one payee (or with one description), at least
    three times, whose average spacing matches a cadence."""
    where, params = scope.sql()
    rows = await db.fetch(
        "SELECT t.currency, LOWER(COALESCE(t.counterparty_name, t.description)), "  # noqa: S608
        "MIN(COALESCE(t.counterparty_name, t.description)), t.amount_units, COUNT(*), "
        "MIN(t.booking_date), MAX(t.booking_date) "
        f"FROM transactions t WHERE {where} AND t.amount_units < 0 "
        "GROUP BY t.currency, LOWER(COALESCE(t.counterparty_name, t.description)), "
        "t.amount_units HAVING COUNT(*) >= 3 ORDER BY COUNT(*) DESC LIMIT 500", params)
    found = []
    for currency, _, name, units, count, first, last in rows:
        first_day, last_day = _as_date(first), _as_date(last)
        interval = (last_day - first_day).days / (int(count) - 1)
        cadence = next((label for label, low, high in _CADENCES if low <= interval <= high),
                       None)
        if cadence is None:
            continue
        found.append(RecurringPayment(
            currency=str(currency), name=str(name), amount=from_units(-int(units)),
            cadence=cadence, interval_days=round(interval, 1), count=int(count),
            first=first_day, last=last_day,
            next_expected=last_day + timedelta(days=round(interval))))
    return sorted(found, key=lambda r: (r.currency, -r.amount))
