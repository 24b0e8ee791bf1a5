"""The import wizard in a real Chromium against the live server, with real bank exports of the
corpus (tests/data/bank): a German ING export read as it is (its reading shown: preamble,
delimiter, decimal comma, columns with samples), and a Payoneer export that cannot say its date
order, refused, answered month first in the form, imported, remembered for the account, and
forgotten again. The reading and the refusal pass axe in light and dark at a phone's width."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from support.finance import CREATE_ACCOUNT, transactions
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.paths import DATA, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]

BANK = DATA / "bank" / "csv"
ING = BANK / "fabolhak+ofxstatement-de-ing" / "test_with_saldo_1.csv"
PAYONEER = BANK / "reubano+csv2ofx" / "payoneer.csv"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
MONTH_FIRST = "Month first (12/31/2024)"
MAPPING = "query($id: ID!) { account(id: $id) { importMapping { dateFormat debit credit } } }"


def statement(path: Path) -> dict[str, Any]:
    return {"name": path.name, "mimeType": "text/csv", "buffer": path.read_bytes()}


def create_account(gql: GraphQLClient, name: str, currency: str) -> str:
    return str(gql.data(CREATE_ACCOUNT, {"i": {"name": name, "currency": currency}})[
        "createAccount"]["id"])


def spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def choose(page: Any, path: Path) -> None:
    page.get_by_label("Choose a statement file").set_input_files(statement(path))
    page.get_by_text(f"Selected: {path.name}").wait_for()
    page.get_by_role("button", name="Preview import").click()


def test_a_german_export_reads_as_it_is_and_imports(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    gql.token = admin["accessToken"]
    create_account(gql, "Giro", "EUR")
    page = tab.page
    tab.sign_in_as(admin, "/finance/import")
    tab.heading("Import transactions")
    choose(page, ING)

    page.get_by_role("heading", name=f"How {ING.name} reads").wait_for()
    # The reading the server detected: 14 lines of preamble, ';', a decimal comma.
    expect(page.get_by_label("Format")).to_have_value("CSV")
    expect(page.get_by_label("Delimiter")).to_have_value(";")
    expect(page.get_by_label("Header line")).to_have_value("15")
    expect(page.get_by_label("Decimal mark")).to_have_value("comma")
    expect(page.get_by_label("Sign of the amounts")).to_have_value("NORMAL")
    columns = page.get_by_role("table", name="Columns of the file")
    buchung = columns.get_by_role("row", name=re.compile(r"^Buchung 28\.12\.2018"))
    expect(buchung.get_by_label("Role of column Buchung")).to_have_value("date")
    expect(columns.get_by_label("Role of column Betrag")).to_have_value("amount")
    assert columns.get_by_role("cell", name="-5,50", exact=True).is_visible()
    page.get_by_text("The 14 line(s) above the header were skipped.").wait_for()

    counts = page.locator("dl.counts")
    assert spaced(counts.inner_text()) == "Rows read 9 New 9 Already imported 0 Rejected 0"
    preview = page.get_by_role("table", name="New rows")
    assert preview.locator("tbody tr").count() == 9
    assert not transactions(gql)  # a dry run writes nothing

    page.get_by_role("button", name="Import 9 transactions").click()
    page.get_by_text("Imported 9 transactions into Giro").wait_for()
    stored = transactions(gql)
    assert len(stored) == 9
    assert sum(Decimal(t["amount"]) for t in stored) == Decimal("-178.60")
    assert min(t["bookingDate"] for t in stored) == "2018-12-09"
    assert max(t["bookingDate"] for t in stored) == "2018-12-28"
    tab.assert_clean()


def test_an_ambiguous_date_order_is_asked_answered_and_remembered(
    tab: Any, gql: GraphQLClient, admin: dict[str, Any],
) -> None:
    gql.token = admin["accessToken"]
    account = create_account(gql, "Payoneer", "USD")
    page = tab.page
    tab.sign_in_as(admin, "/finance/import")
    tab.heading("Import transactions")
    choose(page, PAYONEER)

    # Refused: the server's words once, under the date control, which has the focus.
    dates = page.get_by_label("Dates")
    expect(dates).to_be_focused()
    expect(dates).to_have_attribute("aria-invalid", "true")
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_count(1)
    expect(refusal).to_contain_text("'05/03/2021' could be either")
    assert page.get_by_role("heading", name=re.compile("^Preview of")).count() == 0
    # Nothing was read yet: the file's columns (extensions.columns) wait behind a disclosure.
    page.get_by_text("All 17 columns of the file").click()
    columns = page.get_by_role("table", name="Columns of the file")
    expect(columns.get_by_role("cell", name="Transaction Date", exact=True)).to_be_visible()

    dates.select_option(label=MONTH_FIRST)
    page.get_by_role("heading", name=f"Preview of {PAYONEER.name}").wait_for()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("Dates")).to_have_value("MDY")
    expect(columns.get_by_label("Role of column Debit Amount")).to_have_value("debit")
    preview = page.get_by_role("table", name="New rows")
    assert preview.locator("tbody tr").count() == 2
    assert preview.get_by_role("cell", name=re.compile("May 3, 2021|3 May 2021")).count() == 2

    page.get_by_label("Remember this reading for Payoneer").check()
    page.get_by_role("button", name="Import 2 transactions").click()
    page.get_by_text("Imported 2 transactions into Payoneer").wait_for()
    page.get_by_text("Payoneer will read its next files this way.").wait_for()
    stored = transactions(gql)
    assert sorted(Decimal(t["amount"]) for t in stored) == [Decimal(-100), Decimal(120)]
    assert {t["bookingDate"] for t in stored} == {"2021-05-03"}
    remembered = gql.data(MAPPING, {"id": account})["account"]["importMapping"]
    assert remembered == {"dateFormat": "%m/%d/%Y", "debit": "Debit Amount",
                          "credit": "Credit Amount"}

    # The next file of the account is read the remembered way: no question, nothing new.
    page.get_by_role("button", name="Import another file").click()
    region = page.get_by_role("region", name="Payoneer remembers how its files read")
    expect(region).to_contain_text("Month first (%m/%d/%Y)")
    choose(page, PAYONEER)
    page.get_by_text("Nothing new: every row is already in Payoneer.").wait_for()
    expect(page.get_by_role("alert")).to_have_count(0)

    # Forgotten, the file is read afresh: the question comes back.
    page.get_by_text("Payoneer remembers a reading").click()
    page.get_by_role("button", name="Forget this reading").click()
    expect(page.get_by_label("Dates")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("could be either")
    assert gql.data(MAPPING, {"id": account})["account"]["importMapping"] is None
    tab.assert_clean()


def violations(page: Any) -> list[str]:
    if not AXE.is_file():
        pytest.fail("axe-core is a dev dependency of web/: run `make web`")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] });
        return result.violations.map(v => `${v.id}: ${v.help} -> ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def overflow(page: Any) -> int:
    """How far the page is wider than the screen (a phone scrolls sideways when above 0)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_question_and_the_reading_on_a_phone_pass_axe(
    chromium: Any, server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], scheme: str,
) -> None:
    from support.browser import Tab

    gql.token = admin["accessToken"]
    create_account(gql, "Payoneer", "USD")
    # axe is injected as a script: this context (only) bypasses the page's CSP for it.
    tab = Tab(chromium, server.url, color_scheme=scheme, bypass_csp=True,
              viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = tab.page
        tab.sign_in_as(admin, "/finance/import")
        tab.heading("Import transactions")
        choose(page, PAYONEER)
        expect(page.get_by_label("Dates")).to_be_focused()
        found = {"refusal": violations(page)}
        assert overflow(page) <= 0
        page.get_by_label("Dates").select_option(label=MONTH_FIRST)
        page.get_by_role("heading", name=f"Preview of {PAYONEER.name}").wait_for()
        found["reading"] = violations(page)
        assert overflow(page) <= 0
        assert not any(found.values()), found
        tab.assert_clean()
    finally:
        tab.close()
