"""The finance pages in a real Chromium against the live server: an account made in the UI,
a CSV through the import wizard (preview, commit, a bad row that writes nothing), inline
categorising and tagging with the filters that follow, and the Insights charts and totals."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from fakes.server import FakeProviders
from support.bank_sync import configure
from support.finance import CREATE_ACCOUNT, IMPORT, category_id
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]


def recent_csv() -> str:
    """The German bank export of the API tests, dated within the last weeks (Insights shows
    the last 12 months by default)."""
    def day(ago: int) -> str:
        return (date.today() - timedelta(days=ago)).strftime("%d.%m.%Y")
    return ("Buchungstag;Valuta;Auftraggeber / Empfänger;Verwendungszweck;IBAN;Betrag;Währung\n"
            f"{day(30)};{day(30)};ACME GmbH;Gehalt;DE89370400440532013000;3.250,00;EUR\n"
            f"{day(20)};{day(20)};REWE Markt;Einkauf;;-54,37;EUR\n"
            f"{day(12)};{day(12)};REWE Markt;Einkauf;;-54,37;EUR\n"
            f"{day(5)};{day(5)};Netflix;NETFLIX.COM abo;;-12,99;EUR\n")


# The bad line sits between good ones: after the last transaction it would be a footer, skipped.
BAD_CSV = ("date,amount,description,currency\n"
           "2025-01-02,10.00,ok,EUR\n"
           "2025-13-45,5.00,bad date,EUR\n"
           "2025-01-03,7.00,ok too,EUR\n")


def seed(gql: GraphQLClient, admin: dict[str, Any]) -> str:
    gql.token = admin["accessToken"]
    giro = gql.data(CREATE_ACCOUNT, {"i": {"name": "Giro", "currency": "EUR"}})["createAccount"]
    body = gql.upload(IMPORT, {"a": giro["id"], "fmt": "CSV", "m": None, "dry": False},
                      {"f": ("statement.csv", recent_csv().encode(), "text/csv")}).json()
    assert body["data"]["importTransactions"]["inserted"] == 4, body
    return str(giro["id"])


def transaction_count(gql: GraphQLClient) -> int:
    return len(gql.data("{ transactions(first: 100) { edges { node { id } } } }")[
        "transactions"]["edges"])


def csv_file(name: str, content: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/csv", "buffer": content.encode()}


def test_create_an_account_and_import_a_csv_through_the_wizard(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    gql.token = admin["accessToken"]
    page = tab.page
    tab.sign_in_as(admin, "/finance")
    tab.heading("Transactions")
    page.get_by_text("No transactions yet.").wait_for()

    page.get_by_role("link", name="create an account").click()
    tab.heading("Accounts")
    page.get_by_role("button", name="New account").first.click()
    dialog = page.get_by_role("dialog", name="New account")
    dialog.get_by_label("Name").fill("Giro")
    assert dialog.get_by_label("Currency").input_value() == "EUR"
    dialog.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Giro").wait_for()
    assert page.get_by_role("row", name=re.compile("Giro")).get_by_text("€0.00").is_visible()

    page.get_by_role("navigation").get_by_role("link", name="Import").click()
    tab.heading("Import transactions")
    expect(page.get_by_label("Account")).not_to_have_value("")  # the only account is chosen
    page.get_by_label("Choose a statement file").set_input_files(csv_file("giro.csv", recent_csv()))
    page.get_by_text("Selected: giro.csv").wait_for()
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("heading", name="Preview of giro.csv").wait_for()
    counts = page.locator("dl.counts")
    assert re.sub(r"\s+", " ", counts.inner_text()) == (
        "Rows read 4 New 4 Already imported 0 Rejected 0")
    preview = page.get_by_role("table", name="New rows")
    assert preview.get_by_role("row").count() == 5
    assert preview.get_by_role("cell", name="NETFLIX.COM abo", exact=True).is_visible()
    assert transaction_count(gql) == 0  # a preview writes nothing

    page.get_by_role("button", name="Import 4 transactions").click()
    page.get_by_text("Imported 4 transactions into Giro").wait_for()
    page.get_by_role("link", name="View the transactions").click()
    tab.heading("Transactions")
    table = page.get_by_role("table", name="Transactions")
    table.get_by_role("cell", name="NETFLIX.COM abo Netflix").wait_for()
    assert table.locator("tbody tr").count() == 4
    assert table.get_by_text("€3,250.00").is_visible()
    assert transaction_count(gql) == 4

    # A file with a bad row: the preview names the row and nothing can be committed.
    page.get_by_role("navigation").get_by_role("link", name="Import").click()
    page.get_by_label("Choose a statement file").set_input_files(csv_file("bad.csv", BAD_CSV))
    page.get_by_role("button", name="Preview import").click()
    page.get_by_text("Nothing will be imported.").wait_for()
    rejected = page.get_by_role("table", name="Rejected rows")
    assert rejected.get_by_role("cell", name="Row 3").is_visible()
    assert page.get_by_role("button", name=re.compile(r"^Import \d")).count() == 0
    assert transaction_count(gql) == 4
    tab.assert_clean()


def test_categorise_and_tag_inline_then_filter(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    seed(gql, admin)
    page = tab.page
    tab.sign_in_as(admin, "/finance/transactions")
    table = page.get_by_role("table", name="Transactions")
    netflix = page.get_by_label(re.compile(r"^Category for NETFLIX\.COM abo"))
    netflix.select_option(label="Subscriptions")

    # The server has it, and the category filter finds exactly that row.
    def netflix_category() -> Any:
        rows = gql.data('{ transactions(first: 10, filter: {search: "netflix"}) '
                        "{ edges { node { category { name } } } } }")["transactions"]["edges"]
        return rows[0]["node"]["category"]
    assert tab_wait(lambda: netflix_category() == {"name": "Subscriptions"})
    page.get_by_label("Category", exact=True).select_option(label="Subscriptions")
    page.wait_for_url(re.compile(r"category=\d+"))
    tab_wait(lambda: table.locator("tbody tr").count() == 1)
    assert table.get_by_role("cell", name="NETFLIX.COM abo Netflix").is_visible()
    assert netflix.input_value() == category_id(gql, "Subscriptions")

    # A new tag made inline, then the tag filter.
    page.get_by_label(re.compile(r"^Add a tag to NETFLIX\.COM abo")).fill("streaming")
    page.get_by_role("button", name=re.compile(r"^Add tag to NETFLIX")).click()
    page.get_by_role("button", name=re.compile(r"^Remove tag streaming from NETFLIX")).wait_for()
    page.get_by_role("button", name="Clear filters").first.click()
    tab_wait(lambda: table.locator("tbody tr").count() == 4)
    page.get_by_label("Tag", exact=True).select_option(label="streaming")
    tab_wait(lambda: table.locator("tbody tr").count() == 1)

    # Uncategorised only: the three others.
    page.get_by_role("button", name="Clear filters").first.click()
    page.get_by_label("Uncategorised only").check()
    tab_wait(lambda: table.locator("tbody tr").count() == 3)
    tab.assert_clean()


def test_insights_chart_and_category_totals(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    seed(gql, admin)
    groceries = category_id(gql, "Groceries")
    for edge in gql.data('{ transactions(first: 10, filter: {search: "rewe"}) '
                         "{ edges { node { id } } } }")["transactions"]["edges"]:
        gql.data("mutation($id: ID!, $c: ID) { categorizeTransaction(id: $id, categoryId: $c) "
                 "{ id } }", {"id": edge["node"]["id"], "c": groceries})
    page = tab.page
    tab.sign_in_as(admin, "/finance/insights")
    tab.heading("Insights")
    chart = page.get_by_role("img", name="Cash flow in EUR")
    chart.locator("canvas").wait_for()
    totals = page.get_by_role("table", name="Totals by category in EUR")
    groceries_row = totals.get_by_role("row", name=re.compile("Food \u203a Groceries"))
    assert re.sub(r"\s+", " ", groceries_row.inner_text()).endswith("2 -€108.74")
    uncategorised = totals.get_by_role("row", name=re.compile("Uncategorised"))
    assert "€3,237.01" in uncategorised.inner_text()
    counterparties = page.get_by_role("table", name="Top counterparties in EUR")
    assert counterparties.get_by_role("cell", name="ACME GmbH").is_visible()
    # Net of the period: 3250 - 2 * 54.37 - 12.99, summed exactly.
    page.get_by_text("€3,128.27").first.wait_for()
    tab.assert_clean()


def test_connect_a_bank_sync_and_disconnect(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any], server: LiveServer,
    fake_providers: FakeProviders,
) -> None:
    gql.token = admin["accessToken"]
    configure(gql, server, fake_providers, telegram=False)
    page = tab.page
    tab.sign_in_as(admin, "/finance/banks")
    tab.heading("Bank connections")
    page.get_by_text("No bank connected yet.").wait_for()
    page.get_by_label("Country").fill("de")
    page.get_by_role("button", name="Find banks").click()
    page.get_by_label("Bank", exact=True).select_option(label="Demo Bank (DEMODEFF)")
    page.get_by_role("button", name="Connect", exact=True).click()

    # Off to the (fake) bank's consent page, which sends the browser back here.
    page.wait_for_url(re.compile(r"/finance/banks\?bankConnection=\d+&bankStatus=LINKED"))
    page.get_by_text("The bank is connected.").wait_for()
    card = page.get_by_role("article", name=re.compile("Demo Bank"))
    expect(card.get_by_text("LINKED")).to_be_visible()
    card.get_by_role("button", name="Sync now").click()
    expect(card.get_by_text("SUCCEEDED")).to_be_visible(timeout=30_000)
    expect(card.get_by_role("link").first).to_be_visible()  # its accounts, linked to their transactions

    card.get_by_role("button", name="Disconnect").click()
    page.get_by_role("dialog", name="Disconnect Demo Bank?").get_by_role(
        "button", name="Disconnect").click()
    expect(card.get_by_text("REVOKED")).to_be_visible()
    # The consent page is the one address off this origin the app may send the browser to.
    tab.requests = [u for u in tab.requests if not u.startswith(fake_providers.url)]
    tab.assert_clean()


def tab_wait(check: Any, timeout: float = 10) -> bool:
    from support.waiting import wait_for

    return bool(wait_for(check, timeout=timeout))
