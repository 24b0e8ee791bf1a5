"""The trading pages in a real browser against the live server: importing market data and
seeing its chart, and a strategy made in the form, backtested from its page, with results."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from support.graphql_client import GraphQLClient
from support.paths import ORCL

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]

IMPORT = """mutation($symbol: String!, $timeframe: Timeframe!, $file: Upload!) {
  importMarketData(symbol: $symbol, timeframe: $timeframe, file: $file) { stored inserted } }"""


def orcl_since(year: int) -> bytes:
    """The ORCL daily history from `year` on: a few hundred rows keep the tests quick."""
    header, *rows = ORCL.read_text().splitlines()
    return "\n".join([header, *(r for r in rows if int(r[:4]) >= year)]).encode() + b"\n"


def test_importing_a_csv_lists_the_symbol_and_charts_it(tab: Any, admin: dict[str, Any],
                                                         tmp_path: Path) -> None:
    csv = tmp_path / "orcl-2013-2014.csv"
    csv.write_bytes(orcl_since(2013))
    page = tab.page
    tab.sign_in_as(admin, "/trading/market-data")
    tab.heading("Market data")
    page.get_by_text("No market data yet.").wait_for()

    form = page.get_by_role("form", name="Import market data")
    form.get_by_label("Choose a CSV file").set_input_files(str(csv))
    # The symbol is suggested from the file name.
    assert form.get_by_label("Symbol").input_value() == "ORCL"
    assert form.get_by_label("Timeframe").input_value() == "D1"
    form.get_by_role("button", name="Import", exact=True).click()

    report = page.get_by_role("status").filter(has_text="Imported ORCL")
    report.wait_for()
    assert re.search(r"504 rows: 504 new, 0 updated, 0 unchanged, 0 rejected", report.inner_text())
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="ORCL", exact=True))
    assert "504" in row.inner_text()

    chart = page.get_by_role("img", name="ORCL D1 prices")
    chart.locator("canvas").wait_for()
    assert chart.locator("canvas").bounding_box()["height"] > 100
    # A year of daily bars fits as candles; all of them fall back to the close line.
    chart_card = page.get_by_role("region", name="ORCL · Daily")
    chart_card.get_by_label("Range").select_option("ALL")
    chart_card.get_by_text("504 bars.").wait_for()
    chart_card.get_by_label("Timeframe").select_option("W1")
    page.get_by_role("img", name="ORCL W1 prices").locator("canvas").wait_for()

    # A file with a bad row stores nothing and names the row.
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                   "2024-01-02,10,11,9,10.5,10.5,100\n2024-01-03,10,9.5,9,10.5,10.5,100\n")
    form.get_by_label("Choose a CSV file").set_input_files(str(bad))
    form.get_by_label("Symbol").fill("BAD")
    form.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("alert").filter(has_text="Nothing was stored.").wait_for()
    assert page.get_by_role("table", name="Rejected rows").get_by_role("cell", name="3", exact=True).is_visible()
    tab.assert_clean()


def test_a_strategy_made_in_the_form_is_backtested_with_results(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    gql.token = admin["accessToken"]
    response = gql.upload(IMPORT, {"symbol": "ORCL", "timeframe": "D1"},
                          {"file": ("orcl.csv", orcl_since(2011), "text/csv")})
    assert response.json()["data"]["importMarketData"]["stored"] is True

    page = tab.page
    tab.sign_in_as(admin, "/trading")
    tab.heading("Strategies")
    page.get_by_text("No strategies yet.").wait_for()
    page.get_by_role("button", name="New strategy").first.click()
    dialog = page.get_by_role("dialog", name="New strategy")
    dialog.get_by_label("Name").fill("Golden cross")
    dialog.get_by_label("Kind").select_option("SMA_CROSSOVER")
    assert dialog.get_by_label("Symbol").input_value() == "ORCL"  # the one stored symbol
    # The parameters are the kind's, with their defaults; the server checks fast < slow.
    assert dialog.get_by_label("fast").input_value() == "20"
    dialog.get_by_label("fast").fill("60")
    dialog.get_by_label("slow").fill("50")
    dialog.get_by_role("button", name="Create strategy").click()
    dialog.get_by_role("alert").filter(has_text="fast (60) must be less than slow (50)").wait_for()
    dialog.get_by_label("fast").fill("10")
    dialog.get_by_label("slow").fill("30")
    dialog.get_by_label("Fees (basis points)").fill("5")
    dialog.get_by_role("button", name="Create strategy").click()

    tab.heading("Golden cross")
    assert "fast" in page.get_by_role("region", name="Parameters").inner_text()
    page.get_by_text("No backtests yet.").wait_for()
    run = page.get_by_role("form", name="Run backtest")
    run.get_by_label("Initial capital").fill("25000")
    run.get_by_label("Run in the background").check()
    run.get_by_role("button", name="Run backtest").click()

    tab.heading("Backtest of Golden cross")
    # A background run shows its job until it ends, then the results it stored.
    page.get_by_role("heading", name="Results").wait_for(timeout=30_000)
    metrics = page.get_by_role("region", name="Results").inner_text()
    assert "Total return" in metrics
    assert "Sharpe ratio" in metrics
    page.get_by_role("img", name="Equity curve").locator("canvas").wait_for()
    page.get_by_role("img", name="Drawdown").locator("canvas").wait_for()
    trades = page.get_by_role("region", name="Trades").get_by_role("table")
    assert trades.get_by_role("row").count() > 2
    assert "Long" in trades.inner_text()

    # The strategy lists it, and the Backtests page too.
    page.get_by_role("link", name="Strategy", exact=True).click()
    tab.heading("Golden cross")
    runs = page.get_by_role("region", name="Backtests").get_by_role("row")
    runs.nth(1).wait_for()
    assert runs.count() == 2
    page.goto("/trading/strategies")
    row = page.get_by_role("row").filter(has_text="Golden cross")
    row.get_by_role("link", name=re.compile(r"%$")).wait_for()
    assert "Draft" in row.inner_text() or "DRAFT" in row.inner_text()
    tab.assert_clean()
