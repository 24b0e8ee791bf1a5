"""The per-account, per-day totals behind the metrics series (table `transaction_days`).

Recomputed from the transactions for a span of days, in the caller's database transaction,
by whatever wrote transactions there (imports, bank sync). Recomputing instead of adding keeps
it right whatever the write was: inserts, a pending payment settling on another day, deletes.
"""

from __future__ import annotations

from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from ai_service.core import db


async def refresh_days(account_id: int, start: date, end: date,
                       client: BaseDBAsyncClient | None = None) -> None:
    await db.execute("DELETE FROM transaction_days WHERE account_id = ? AND day >= ? "
                     "AND day <= ?", [account_id, start, end], client)
    await db.execute(
        "INSERT INTO transaction_days (owner_id, account_id, currency, day, income_units, "
        "expense_units, count) SELECT owner_id, account_id, currency, booking_date, "
        "SUM(CASE WHEN amount_units > 0 THEN amount_units ELSE 0 END), "
        "SUM(CASE WHEN amount_units < 0 THEN amount_units ELSE 0 END), COUNT(*) "
        "FROM transactions WHERE account_id = ? AND booking_date >= ? AND booking_date <= ? "
        "GROUP BY owner_id, account_id, currency, booking_date",
        [account_id, start, end], client)
