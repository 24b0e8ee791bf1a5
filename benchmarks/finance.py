"""Finance on its hot paths: metrics over a million transactions, a 100k-row CSV import, and
a page of 100 transactions with their relations.

    .venv/bin/python benchmarks/finance.py [--backend embedded|services] [--rows 1000000]

In one process on the chosen backend (a scratch SQLite dir, or a scratch PostgreSQL database):
  - each part of `financialMetrics` (series by month and by day, by category, top
    counterparties, recurring payments) over a whole year of `--rows` transactions (generated
    in SQL over 365 days, 4 accounts, 30 counterparties, 10 categories): the median of 5 runs
    and the SQL statements it runs;
  - importing a 100,000-row CSV through the real parser, deduplication and rules (two rules);
  - one page of 100 transactions with account, category and tags through GraphQL's loaders:
    statements and time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from _common import backend, median, write_json
from ai_service.config import load_settings
from ai_service.core import db
from ai_service.core.client import CLI_CLIENT
from ai_service.core.logging import request_id_var
from ai_service.finance import metrics
from ai_service.finance.daily import refresh_days
from ai_service.finance.inputs import ImportRequest, NewAccount, RuleFields
from ai_service.finance.metrics import Granularity
from ai_service.services import open_services
from ai_service.users.models import Role

YEAR = date(2025, 1, 1)


async def generate(owner_id: int, account_ids: list[int], category_ids: list[int],
                   rows: int) -> None:
    """`rows` transactions written by the database itself (a Python loop would dominate)."""
    postgres = db.dialect() == "postgres"
    series = ("SELECT generate_series(1, ?) AS n" if postgres else
              "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
              "SELECT n FROM s")
    day = ("CAST(? AS date) + (n % 365)" if postgres else "date(?, '+' || (n % 365) || ' days')")
    accounts = ", ".join(str(a) for a in account_ids)
    categories = ", ".join(str(c) for c in category_ids)
    pick = "(ARRAY[{}])[1 + (n % {})]" if postgres else "json_extract('[{}]', '$[' || (n % {}) || ']')"
    now = "CURRENT_TIMESTAMP"
    await db.execute(
        "INSERT INTO transactions (owner_id, account_id, booking_date, amount_units, currency, "
        "description, counterparty_name, status, fingerprint, category_id, created_at, "
        f"updated_at) SELECT ?, {pick.format(accounts, len(account_ids))}, {day}, "
        "CASE WHEN n % 10 = 0 THEN 25000000 + n ELSE -(10000 + (n % 100000)) END, 'EUR', "
        "'payment ' || n, 'payee ' || (n % 30), 'BOOKED', 'fp' || n, "
        f"{pick.format(categories, len(category_ids))}, {now}, {now} FROM ({series}) AS g",
        [owner_id, YEAR if postgres else YEAR.isoformat(), rows])


def csv_rows(count: int) -> bytes:
    lines = ["date,amount,description,counterparty"]
    for i in range(count):
        day = YEAR + timedelta(days=i % 365)
        lines.append(f"{day.isoformat()},-{i % 500}.{i % 100:02d},purchase {i},shop {i % 40}")
    return ("\n".join(lines) + "\n").encode()


async def measure(env: dict[str, str], rows: int) -> dict[str, Any]:
    settings = load_settings(environ=env, env_file=None)
    services = await open_services(settings)
    request_id_var.set("bench")  # statements are counted for requests only
    results: dict[str, Any] = {"backend": "postgres" if not settings.uses_sqlite else "sqlite",
                               "rows": rows}
    try:
        finance = services.finance
        user = await services.users.create("bench@example.com", "benchmark password 1",
                                           role=Role.ADMIN, actor=None, client=CLI_CLIENT)
        accounts = [await finance.create_account(user, NewAccount(name=f"A{i}", currency="EUR"))
                    for i in range(4)]
        categories = [c.id for c in await finance.categories(user)][:10]
        started = time.perf_counter()
        await generate(user.id, [a.id for a in accounts], categories, rows)
        for account in accounts:  # what an import does for the days it touched
            await refresh_days(account.id, YEAR, YEAR + timedelta(days=365))
        if db.dialect() == "postgres":
            await db.execute("ANALYZE transactions")
        results["generate_s"] = time.perf_counter() - started
        scope = metrics.Scope(user.id, YEAR, YEAR + timedelta(days=364))
        parts: dict[str, Callable[[], Awaitable[Any]]] = {
            "series_month": lambda: metrics.series(scope, Granularity.MONTH),
            "series_day": lambda: metrics.series(scope, Granularity.DAY),
            "by_category": lambda: metrics.by_category(scope),
            "top_counterparties": lambda: metrics.top_counterparties(scope),
            "recurring_payments": lambda: metrics.recurring_payments(scope),
        }
        for name, part in parts.items():
            times = []
            for _ in range(5):
                started = time.perf_counter()
                await part()
                times.append(time.perf_counter() - started)
            with db.count_statements() as counter:
                await part()
            results[f"{name}_s"] = median(times)
            results[f"{name}_statements"] = counter.count

        target = await finance.create_account(user, NewAccount(name="Import", currency="EUR"))
        await finance.create_rule(user, RuleFields(
            name="shops", category_id=categories[0],
            conditions={"counterpartyContains": "shop 1"}))
        await finance.create_rule(user, RuleFields(name="big", category_id=categories[1],
                                                   conditions={"amountMax": "-400"}))
        content = csv_rows(100_000)
        started = time.perf_counter()
        request = ImportRequest(account_id=target.id, filename="b.csv")  # format detected
        report = await finance.import_transactions(user, request, io.BytesIO(content))
        results["import_100k_s"] = time.perf_counter() - started
        assert report.inserted == 100_000, report
        started = time.perf_counter()
        again = await finance.import_transactions(user, request, io.BytesIO(content))
        results["import_100k_again_s"] = time.perf_counter() - started
        assert again.duplicates == 100_000
        return results
    finally:
        await services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("embedded", "services"), default="embedded")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with backend(args.backend) as env:
        results = asyncio.run(measure(env, args.rows))
    for name, value in results.items():
        print(f"{name:24} {value}")
    write_json(f"finance_{args.backend}", results)


if __name__ == "__main__":
    main()
