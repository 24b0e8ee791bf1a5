"""Finance over GraphQL as several test modules use it: accounts, imports, transactions and
categories, and a German bank's CSV export to import."""

from __future__ import annotations

from typing import Any

from support.graphql_client import GraphQLClient

ACCOUNT_FIELDS = "id name institution iban currency type source balance openingBalance archived"
CREATE_ACCOUNT = f"""mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{
  {ACCOUNT_FIELDS} }} }}"""
IMPORT = """mutation($a: ID!, $f: Upload!, $fmt: ImportFormat, $m: CsvMappingInput, $dry: Boolean) {
  importTransactions(accountId: $a, file: $f, format: $fmt, mapping: $m, dryRun: $dry) {
    rows inserted duplicates rejected stored dryRun categorisedByRules
    errors { row message } preview { row bookingDate amount description counterpartyName } } }"""
TRANSACTIONS = """query($first: Int!, $after: String, $filter: TransactionFilterInput) {
  transactions(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id bookingDate valueDate amount currency description counterpartyName
      counterpartyIban reference status rawPayload account { name } category { name }
      client { name } tags { name } } }
    pageInfo { hasNextPage endCursor } } }"""
GERMAN_CSV = """Buchungstag;Valuta;Auftraggeber / Empfänger;Verwendungszweck;IBAN;Betrag;Währung
02.01.2025;02.01.2025;ACME GmbH;Gehalt Januar;DE89370400440532013000;3.250,00;EUR
03.01.2025;03.01.2025;REWE Markt;Einkauf;;-54,37;EUR
03.01.2025;03.01.2025;REWE Markt;Einkauf;;-54,37;EUR
15.01.2025;15.01.2025;Netflix;NETFLIX.COM abo;;-12,99;EUR
"""


def upload(gql: GraphQLClient, account: str, content: str | bytes, fmt: str = "CSV",
           mapping: dict[str, Any] | None = None, dry: bool = False,
           token: str | None = None) -> dict[str, Any]:
    data = content.encode() if isinstance(content, str) else content
    response = gql.upload(IMPORT, {"a": account, "fmt": fmt, "m": mapping, "dry": dry},
                          {"f": ("statement", data, "application/octet-stream")}, token=token)
    body = response.json()
    assert not body.get("errors"), body
    result: dict[str, Any] = body["data"]["importTransactions"]
    return result


def account(gql: GraphQLClient, name: str = "Giro", currency: str = "EUR",
            **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = gql.data(CREATE_ACCOUNT, {"i": {"name": name, "currency": currency,
                                                             **extra}})["createAccount"]
    return result


def transactions(gql: GraphQLClient, first: int = 100, **filter_: Any) -> list[dict[str, Any]]:
    edges = gql.data(TRANSACTIONS, {"first": first, "filter": filter_ or None})[
        "transactions"]["edges"]
    return [e["node"] for e in edges]


def category_id(gql: GraphQLClient, name: str) -> str:
    categories = gql.data("{ categories { id name kind parentId } }")["categories"]
    return next(c["id"] for c in categories if c["name"] == name)
