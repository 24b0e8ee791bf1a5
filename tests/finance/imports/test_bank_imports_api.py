"""Real bank exports through GraphQL on both backends: the format told from the file, the mapping
shown by a dry run and corrected, refusals that name the field to answer, a reading remembered
per account, and pending rows replaced by the booked ones of a later file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from support.bank_corpus import MANIFEST, ROOT
from support.graphql_client import GraphQLClient

IMPORT = """mutation($a: ID!, $f: Upload!, $fmt: ImportFormat, $m: CsvMappingInput,
                     $dry: Boolean, $remember: Boolean) {
  importTransactions(accountId: $a, file: $f, format: $fmt, mapping: $m, dryRun: $dry,
                     rememberMapping: $remember) {
    rows inserted duplicates rejected stored dryRun pending settled removed skipped notes
    statementBalance statementDate errors { row message }
    preview { row bookingDate amount description pending }
    mapping { format encoding delimiter headerRow dateFormat decimalComma amountSign account
              accounts date amount debit credit indicator status description
              columns { index name role sample } } } }"""
CREATE_ACCOUNT = """mutation($i: CreateAccountInput!) { createAccount(input: $i) {
  id importMapping { date amount dateFormat decimalComma headerRow } } }"""
ACCOUNT = """query($id: ID!) { account(id: $id) { balance importMapping { date amount
  dateFormat decimalComma delimiter headerRow } } }"""
SET_MAPPING = """mutation($a: ID!, $m: CsvMappingInput) { setImportMapping(accountId: $a,
  mapping: $m) { importMapping { dateFormat } } }"""
TRANSACTIONS = """query($a: [ID!]) { transactions(first: 100, filter: {accountIds: $a}) {
  edges { node { bookingDate amount status description category { name } } } } }"""
CATEGORIZE = """mutation($id: ID!, $c: ID) { categorizeTransaction(id: $id, categoryId: $c) {
  category { name } } }"""
CATEGORIES = "query { categories { id name } }"


def entry(name: str) -> dict[str, Any]:
    return next(e for e in MANIFEST if e["file"].endswith(name))


def upload(gql: GraphQLClient, account: str, data: bytes, **variables: Any) -> dict[str, Any]:
    response = gql.upload(IMPORT, {"a": account, **variables},
                          {"f": ("statement", data, "application/octet-stream")})
    body: dict[str, Any] = response.json()
    return body


def imported(gql: GraphQLClient, account: str, data: bytes, **variables: Any) -> dict[str, Any]:
    body = upload(gql, account, data, **variables)
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["importTransactions"]
    return result


def new_account(gql: GraphQLClient, currency: str = "EUR", kind: str = "CHECKING") -> str:
    created = gql.data(CREATE_ACCOUNT, {"i": {"name": f"{kind} {currency}",
                                              "currency": currency, "type": kind}})
    return str(created["createAccount"]["id"])


def stored(gql: GraphQLClient, account: str) -> list[dict[str, Any]]:
    edges = gql.data(TRANSACTIONS, {"a": [account]})["transactions"]["edges"]
    return [e["node"] for e in edges]


@pytest.fixture
def token(gql: GraphQLClient, admin: dict[str, Any]) -> str:
    gql.token = admin["accessToken"]
    return str(admin["accessToken"])


# One real export per format and trap: read through the API, stored, and summed by the database.
SAMPLES = [
    "csv/fabolhak+ofxstatement-de-ing/test_with_saldo_1.csv",  # preamble, cp1252
    "csv/mlaitinen+ofxstatement-revolut/2022-january.csv",  # fees, pending without dates
    "csv/bank2ynab+bank2ynab/export_BE11123456789012_20180304_1422.csv",  # KBC -3,40
    "csv/reubano+csv2ofx/mint.csv",  # CR-only line ends (two accounts: the first asked)
    "ofx/jseutter+ofxparse/fidelity.ofx",  # an investment statement: its cash lines only
    "camt053/genkgo+camt/camt053.v2.minimal.xml",
    "mt940/WoLpH+mt940/0708271685_09022020_164516.940.txt",
    "qif/isaacharrisholt+quiffen/test.qif",
]


@pytest.mark.parametrize("name", SAMPLES)
def test_a_real_export_is_stored_with_the_figures_computed_without_our_code(
    gql: GraphQLClient, token: str, name: str,
) -> None:
    item = entry(name)
    expected = next(a for a in item["expected"]["accounts"] if a["booked_count"])
    card = item["expected"]["accounts"][0].get("statement_type") == "CCSTMTRS"
    account = new_account(gql, expected.get("currency") or "EUR",
                          "CREDIT_CARD" if card else "CHECKING")
    data = (ROOT / item["file"]).read_bytes()
    mapping = None
    body = upload(gql, account, data, dry=True)
    if body.get("errors"):  # a file of several accounts: the person chooses one
        assert body["errors"][0]["extensions"]["field"] == "mapping.account", body
        mapping = {"account": str(expected["account"])}
    report = imported(gql, account, data, m=mapping)
    assert report["stored"], report
    assert not report["rejected"], report
    rows = stored(gql, account)
    booked = [r for r in rows if r["status"] == "BOOKED"]
    assert len(booked) == expected["booked_count"]
    assert sum(Decimal(r["amount"]) for r in booked) == Decimal(expected["booked_sum"])
    assert min(r["bookingDate"] for r in booked) == expected["first_booking_date"]
    assert max(r["bookingDate"] for r in booked) == expected["last_booking_date"]
    assert len(rows) - len(booked) == expected["pending_count"]
    again = imported(gql, account, data, m=mapping)  # the same file twice adds nothing
    assert (again["inserted"], again["settled"], again["removed"]) == (0, 0, 0)


def test_a_dry_run_shows_the_reading_which_can_be_remembered_for_the_account(
    gql: GraphQLClient, token: str,
) -> None:
    account = new_account(gql)
    data = (ROOT / "csv/fabolhak+ofxstatement-de-ing/test_with_saldo_1.csv").read_bytes()
    preview = imported(gql, account, data, dry=True)
    mapping = preview["mapping"]
    assert preview["dryRun"]
    assert not preview["stored"]
    assert (mapping["format"], mapping["delimiter"]) == ("CSV", ";")
    assert mapping["headerRow"] > 1  # below the preamble
    assert mapping["decimalComma"] is True
    assert mapping["dateFormat"] is None  # dotted dates need no order
    roles = {c["name"]: c["role"] for c in mapping["columns"]}
    assert (roles[mapping["date"]], roles[mapping["amount"]]) == ("DATE", "AMOUNT")
    assert any("skipped" in note for note in preview["notes"])
    assert gql.data(ACCOUNT, {"id": account})["account"]["importMapping"] is None

    imported(gql, account, data, remember=True)
    saved = gql.data(ACCOUNT, {"id": account})["account"]["importMapping"]
    assert (saved["date"], saved["amount"], saved["delimiter"]) == (
        mapping["date"], mapping["amount"], ";")
    cleared = gql.data(SET_MAPPING, {"a": account, "m": None})["setImportMapping"]
    assert cleared["importMapping"] is None


def test_an_ambiguous_file_is_refused_with_the_field_to_answer_and_imports_once_answered(
    gql: GraphQLClient, token: str,
) -> None:
    item = entry("csv/reubano+csv2ofx/payoneer.csv")  # 05/03/2021: 5 March or 3 May
    account = new_account(gql, "USD")
    data = (ROOT / item["file"]).read_bytes()
    refused = upload(gql, account, data, dry=True)
    error = refused["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "mapping.dateFormat"
    assert "Transaction Date" in error["extensions"]["columns"]
    assert "05/03/2021" in error["message"]
    assert stored(gql, account) == []

    report = imported(gql, account, data, m={"dateFormat": "%m/%d/%Y"}, remember=True)
    expected = item["expected"]["accounts"][0]
    assert report["inserted"] == expected["booked_count"] + expected["pending_count"]
    assert {r["bookingDate"] for r in stored(gql, account)} >= {expected["first_booking_date"]}
    # The answer is remembered: the next export of this account reads without asking.
    assert imported(gql, account, data, dry=True)["duplicates"] == report["inserted"]


def test_pending_rows_are_stored_as_pending_and_replaced_by_the_booked_ones_of_the_next_file(
    gql: GraphQLClient, token: str,
) -> None:
    """A real Sparkasse export with pending ("Umsatz vorgemerkt") rows, then the same export
    as the bank gives it once those are booked (the one change made here, to the status)."""
    path = ROOT / "csv/omarkohl+ofxstatement-sparkasse-freiburg/simple2.csv"
    first = path.read_bytes()
    later = first.replace("Umsatz vorgemerkt".encode("cp1252"), "Umsatz gebucht".encode("cp1252"))
    assert later != first
    account = new_account(gql)
    report = imported(gql, account, first)
    rows = stored(gql, account)
    pending = [r for r in rows if r["status"] == "PENDING"]
    assert report["pending"] == len(pending) > 0
    category = gql.data(CATEGORIES)["categories"][0]
    shop = next(r for r in rows if r["status"] == "PENDING")
    target = next(t for t in gql.data(
        """query($a: [ID!]) { transactions(first: 100, filter: {accountIds: $a}) {
           edges { node { id description status } } } }""", {"a": [account]})[
        "transactions"]["edges"] if t["node"]["description"] == shop["description"])
    gql.data(CATEGORIZE, {"id": target["node"]["id"], "c": category["id"]})

    again = imported(gql, account, later)
    assert (again["settled"], again["inserted"]) == (len(pending), 0), again
    after = stored(gql, account)
    assert len(after) == len(rows)  # replaced, not added beside
    assert all(r["status"] == "BOOKED" for r in after)
    settled = next(r for r in after if r["description"] == shop["description"])
    assert settled["category"] == {"name": category["name"]}  # kept
