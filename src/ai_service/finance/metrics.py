"""Where the money goes: series, categories, counterparties and recurring payments, per
currency (amounts in different currencies are never added together).

Everything is a SQL aggregate over the transactions (GROUP BY period, category, counterparty);
Python only walks the aggregated rows (a few hundred periods at most) to fill empty periods and
to carry the running balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Metrics:
    series: list[CurrencySeries]
    by_category: list[CategoryTotal]
    top_counterparties: list[CounterpartyTotal]
    recurring: list[RecurringPayment]


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


async def financial_metrics(owner_id: int, start: date, end: date, granularity: Granularity,
                            account_ids: Sequence[int] | None = None) -> Metrics:
    if end < start:
        raise BadUserInput("`to` is before `from`", field="to")
    if (end - start).days > MAX_DAYS:
        raise BadUserInput("The range is at most 30 years", field="from")
    postgres = db.dialect() == "postgres"
    scope = "t.owner_id = ?"
    params: list[Any] = [owner_id]
    if account_ids is not None:
        if not account_ids:
            return Metrics([], [], [], [])
        scope += f" AND t.account_id IN ({', '.join('?' * len(account_ids))})"
        params += list(account_ids)
    in_range = f"{scope} AND t.booking_date >= ? AND t.booking_date <= ?"
    ranged = [*params, start, end]
    bucket = _bucket(granularity, postgres)

    flows = await db.fetch(
        f"SELECT t.currency, {bucket} AS period, "  # noqa: S608 - fixed SQL, values as params
        "SUM(CASE WHEN t.amount_units > 0 THEN t.amount_units ELSE 0 END), "
        "SUM(CASE WHEN t.amount_units < 0 THEN t.amount_units ELSE 0 END) "
        f"FROM transactions t WHERE {in_range} GROUP BY t.currency, period "
        "ORDER BY t.currency, period", ranged)
    before = await db.fetch(
        f"SELECT t.currency, SUM(t.amount_units) FROM transactions t "  # noqa: S608
        f"WHERE {scope} AND t.booking_date < ? GROUP BY t.currency", [*params, start])
    account_scope = "a.owner_id = ?" + (
        f" AND a.id IN ({', '.join('?' * len(account_ids))})" if account_ids else "")
    opening = await db.fetch(
        f"SELECT a.currency, SUM(a.opening_balance_units) FROM accounts a "  # noqa: S608
        f"WHERE {account_scope} GROUP BY a.currency", params)

    starting: dict[str, int] = defaultdict(int)
    for currency, total in [*before, *opening]:
        starting[str(currency)] += int(total or 0)
    by_period: dict[str, dict[date, tuple[int, int]]] = defaultdict(dict)
    for currency, period, income, expenses in flows:
        by_period[str(currency)][_as_date(period)] = (int(income or 0), int(expenses or 0))
    periods = []
    cursor = _period_start(start, granularity)
    while cursor <= end:
        periods.append(cursor)
        cursor = _next(cursor, granularity)
        if len(periods) > MAX_PERIODS:
            raise BadUserInput(f"That is more than {MAX_PERIODS} periods: choose a coarser "
                               "granularity", field="granularity")
    series = []
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
        series.append(line)

    categories = await db.fetch(
        f"SELECT t.currency, t.category_id, SUM(t.amount_units), COUNT(*) "  # noqa: S608
        f"FROM transactions t WHERE {in_range} GROUP BY t.currency, t.category_id "
        "ORDER BY t.currency, SUM(t.amount_units)", ranged)
    counterparties = await db.fetch(
        "SELECT t.currency, COALESCE(t.counterparty_name, ''), SUM(t.amount_units), "  # noqa: S608
        f"COUNT(*) FROM transactions t WHERE {in_range} AND t.counterparty_name IS NOT NULL "
        "GROUP BY t.currency, COALESCE(t.counterparty_name, '') "
        "ORDER BY SUM(ABS(t.amount_units)) DESC LIMIT 20", ranged)
    return Metrics(
        series=series,
        by_category=[CategoryTotal(str(c), None if k is None else int(k), from_units(int(s)),
                                   int(n)) for c, k, s, n in categories],
        top_counterparties=[CounterpartyTotal(str(c), str(name), from_units(int(s)), int(n))
                            for c, name, s, n in counterparties],
        recurring=await recurring_payments(in_range, ranged),
    )


async def recurring_payments(where: str, params: list[Any]) -> list[RecurringPayment]:
    """Outgoing payments of one exact amount to one payee, at least three times, whose average
    spacing matches a cadence and whose count fits the span (no long gaps)."""
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
