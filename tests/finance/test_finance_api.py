"""Finance over GraphQL, end to end: accounts, imports of real-shaped CSV, OFX and camt.053 files
through multipart uploads, deduplication, rules, tags, clients, filters and metrics."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from support.accounts import make_member
from support.finance import (
    CREATE_ACCOUNT,
    GERMAN_CSV,
    IMPORT,
    TRANSACTIONS,
    account,
    category_id,
    transactions,
    upload,
)
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

METRICS = """query($from: Date!, $to: Date!, $g: Granularity, $a: [ID!]) {
  financialMetrics(from: $from, to: $to, granularity: $g, accountIds: $a) {
    series { currency periods income expenses net balance }
    byCategory { currency total count category { name } }
    topCounterparties { currency name total count }
    recurringPayments { currency name amount cadence count first last nextExpected } } }"""

@pytest.fixture
def token(gql: GraphQLClient, admin: dict[str, Any]) -> str:
    gql.token = admin["accessToken"]
    return str(admin["accessToken"])


# --------------------------------------------------------------------------- accounts


def test_accounts_need_only_a_name_and_a_currency(
    gql: GraphQLClient, token: str, admin: dict[str, Any],
) -> None:
    giro = account(gql)
    assert giro["balance"] == "0.00"
    assert (giro["source"], giro["type"], giro["archived"]) == ("MANUAL", "CHECKING", False)
    savings = account(gql, "Savings", "eur", iban="DE89 3704 0044 0532 0130 00",
                      type="SAVINGS", openingBalance="1000.50")
    assert savings["iban"] == "DE89370400440532013000"
    assert (savings["currency"], savings["balance"]) == ("EUR", "1000.50")

    for bad, field in (({"currency": "EURO"}, "currency"), ({"iban": "DE00123"}, "iban"),
                       ({"iban": "DE89370400440532013001"}, "iban"), ({"name": " "}, "name"),
                       ({"source": "GOCARDLESS"}, "source"),
                       ({"openingBalance": "1.00001"}, "openingBalance")):
        error = gql.error(CREATE_ACCOUNT, {"i": {"name": "x", "currency": "EUR"} | bad})
        assert error["extensions"]["field"] == field, error

    updated = gql.data("""mutation($id: ID!) { updateAccount(id: $id, input: {name: "Main",
      institution: "Bank"}) { name institution currency } }""", {"id": giro["id"]})
    assert updated["updateAccount"] == {"name": "Main", "institution": "Bank", "currency": "EUR"}
    gql.data("mutation($id: ID!) { archiveAccount(id: $id) { archived } }", {"id": giro["id"]})
    assert [a["name"] for a in gql.data("{ accounts { name } }")["accounts"]] == ["Savings"]
    assert len(gql.data("{ accounts(includeArchived: true) { name } }")["accounts"]) == 2

    member = make_member(gql, admin["accessToken"])["accessToken"]
    assert gql.data("{ accounts(includeArchived: true) { id } }", token=member)["accounts"] == []
    error = gql.error("query($id: ID!) { account(id: $id) { id } }", {"id": savings["id"]},
                      token=member)
    assert error["extensions"]["code"] == "NOT_FOUND"


# --------------------------------------------------------------------------- imports


def test_a_german_csv_imports_once_and_keeps_identical_payments(
    gql: GraphQLClient, token: str,
) -> None:
    giro = account(gql)
    preview = upload(gql, giro["id"], GERMAN_CSV, dry=True)
    assert (preview["dryRun"], preview["stored"], preview["inserted"]) == (True, False, 4)
    assert preview["preview"][1] == {"row": 3, "bookingDate": "2025-01-03", "amount": "-54.37",
                                     "description": "Einkauf", "counterpartyName": "REWE Markt"}
    assert transactions(gql) == []

    report = upload(gql, giro["id"], GERMAN_CSV)
    assert (report["rows"], report["inserted"], report["duplicates"], report["rejected"]) == (
        4, 4, 0, 0)
    rows = transactions(gql)
    assert [r["amount"] for r in rows] == ["-12.99", "-54.37", "-54.37", "3250.00"]
    salary = rows[-1]
    assert salary["counterpartyIban"] == "DE89370400440532013000"
    assert salary["rawPayload"]["Verwendungszweck"] == "Gehalt Januar"
    assert salary["account"]["name"] == "Giro"
    balance = gql.data("{ accounts { balance } }")["accounts"][0]["balance"]
    assert Decimal(balance) == Decimal("3250.00") - 2 * Decimal("54.37") - Decimal("12.99")

    again = upload(gql, giro["id"], GERMAN_CSV)
    assert (again["inserted"], again["duplicates"], again["stored"]) == (0, 4, False)
    # A later export overlapping the first adds only what is new, even a third REWE payment.
    later = GERMAN_CSV + "03.01.2025;03.01.2025;REWE Markt;Einkauf;;-54,37;EUR\n"
    assert (upload(gql, giro["id"], later)["inserted"], len(transactions(gql))) == (1, 5)


def test_a_bad_row_writes_nothing_and_is_named(gql: GraphQLClient, token: str) -> None:
    giro = account(gql)
    content = ("date,amount,description,currency\n"
               "2025-01-02,10.00,ok,EUR\n"
               "2025-13-45,5.00,bad date,EUR\n"
               "2025-01-04,ten,bad amount,EUR\n"
               "2025-01-05,1.00,dollars,USD\n")
    report = upload(gql, giro["id"], content)
    assert (report["stored"], report["inserted"], report["rejected"]) == (False, 0, 3)
    assert [e["row"] for e in report["errors"]] == [3, 4, 5]
    assert "USD" in report["errors"][2]["message"]
    assert transactions(gql) == []

    # Names no bank uses: the values say which column holds dates and which amounts; where
    # they cannot (two columns of numbers), the person names the amount.
    unknown = "When,How much,What\n2025-01-02,1.00,x\n"
    assert upload(gql, giro["id"], unknown, dry=True)["inserted"] == 1
    puzzling = "When,How much,Left,What\n2025-01-02,1.00,5.00,x\n"
    error = gql.upload(IMPORT, {"a": giro["id"], "fmt": "CSV"},
                       {"f": ("x.csv", puzzling.encode(), "text/csv")}).json()["errors"][0]
    assert error["extensions"]["field"] == "mapping.amount"
    assert error["extensions"]["columns"] == ["When", "How much", "Left", "What"]
    mapped = upload(gql, giro["id"], puzzling, mapping={"date": "When", "amount": "How much",
                                                        "description": "What"})
    assert mapped["inserted"] == 1


def test_us_csv_with_debit_and_credit_columns(gql: GraphQLClient, token: str) -> None:
    card = account(gql, "Card", "USD")
    content = ("Posted Date,Payee,Debit,Credit\n"
               "01/15/2025,Coffee Shop,4.50,\n"
               "01/31/2025,Employer,,\"2,000.00\"\n")
    report = upload(gql, card["id"], content)
    assert report["inserted"] == 2
    rows = transactions(gql)
    assert [(r["bookingDate"], r["amount"], r["counterpartyName"]) for r in rows] == [
        ("2025-01-31", "2000.00", "Employer"), ("2025-01-15", "-4.50", "Coffee Shop")]


OFX = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<DTSERVER>20250201120000</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY>
</STATUS><STMTRS><CURDEF>USD</CURDEF><BANKACCTFROM><BANKID>121000248</BANKID>
<ACCTID>1234567</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20250101</DTSTART><DTEND>20250131</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20250105</DTPOSTED><TRNAMT>-42.10</TRNAMT>
<FITID>F-1</FITID><NAME>GROCERY STORE</NAME><MEMO>Card 1234</MEMO></STMTTRN>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20250110</DTPOSTED><TRNAMT>1500.00</TRNAMT>
<FITID>F-2</FITID><NAME>PAYROLL</NAME></STMTTRN>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20250110</DTPOSTED><TRNAMT>-42.10</TRNAMT>
<FITID>F-3</FITID><NAME>GROCERY STORE</NAME><MEMO>Card 1234</MEMO></STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>1415.80</BALAMT><DTASOF>20250131</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def test_ofx_statements_deduplicate_by_fitid(gql: GraphQLClient, token: str) -> None:
    usd = account(gql, "US checking", "USD")
    report = upload(gql, usd["id"], OFX, fmt="OFX")
    assert (report["inserted"], report["rejected"]) == (3, 0)
    assert upload(gql, usd["id"], OFX, fmt="OFX")["duplicates"] == 3
    rows = transactions(gql)
    assert [r["amount"] for r in rows] == ["-42.10", "1500.00", "-42.10"]
    assert rows[1]["counterpartyName"] == "PAYROLL"
    assert rows[2]["description"] == "Card 1234"
    eur = account(gql, "Euro", "EUR")
    error = gql.upload(IMPORT, {"a": eur["id"], "fmt": "OFX"},
                       {"f": ("x.ofx", OFX.encode(), "application/x-ofx")}).json()["errors"][0]
    assert "USD" in error["message"]
    broken = gql.upload(IMPORT, {"a": usd["id"], "fmt": "OFX"},
                        {"f": ("x.ofx", b"<OFX><nonsense", "application/x-ofx")}).json()
    assert broken["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-02-01T08:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry><Amt Ccy="EUR">89.90</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2025-01-20</Dt></BookgDt><ValDt><Dt>2025-01-21</Dt></ValDt>
    <AcctSvcrRef>REF-1</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>E2E-77</EndToEndId></Refs>
     <RltdPties><Cdtr><Nm>Stadtwerke</Nm></Cdtr><CdtrAcct><Id><IBAN>DE02120300000000202051</IBAN>
     </Id></CdtrAcct></RltdPties><RmtInf><Ustrd>Strom Januar</Ustrd></RmtInf></TxDtls></NtryDtls>
   </Ntry>
   <Ntry><Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2025-01-22</Dt></BookgDt><AcctSvcrRef>REF-2</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Jane Client</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>Invoice 2025-001</Ustrd></RmtInf></TxDtls></NtryDtls>
   </Ntry>
  </Stmt></BkToCstmrStmt></Document>
"""


def test_camt053_reads_parties_by_direction(gql: GraphQLClient, token: str) -> None:
    giro = account(gql)
    report = upload(gql, giro["id"], CAMT, fmt="CAMT053")
    assert report["inserted"] == 2
    income, power = transactions(gql)
    assert (power["amount"], power["counterpartyName"], power["description"]) == (
        "-89.90", "Stadtwerke", "Strom Januar")
    assert (power["valueDate"], power["reference"]) == ("2025-01-21", "E2E-77")
    assert power["counterpartyIban"] == "DE02120300000000202051"
    assert (income["amount"], income["counterpartyName"]) == ("120.00", "Jane Client")
    assert upload(gql, giro["id"], CAMT, fmt="CAMT053")["duplicates"] == 2
    entity = CAMT.replace("<Document", '<!DOCTYPE d [<!ENTITY x "boom">]><Document')
    error = gql.upload(IMPORT, {"a": giro["id"], "fmt": "CAMT053"},
                       {"f": ("x.xml", entity.encode(), "text/xml")}).json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


# --------------------------------------------------------------------------- organising


def test_rules_categorise_imports_and_tags_filter_transactions(
    gql: GraphQLClient, token: str, admin: dict[str, Any],
) -> None:
    giro = account(gql)
    subscriptions = category_id(gql, "Subscriptions")
    groceries = category_id(gql, "Groceries")
    tag = gql.data('mutation { createTag(name: "household", color: "#22aa88") { id name } }')[
        "createTag"]
    assert gql.error('mutation { createTag(name: "household") { id } }')["extensions"][
        "code"] == "CONFLICT"
    rule = """mutation($i: RuleInput!) { createRule(input: $i) { id priority conditions } }"""
    gql.data(rule, {"i": {"name": "Netflix", "conditions": {"descriptionContains": "netflix"},
                          "categoryId": subscriptions}})
    gql.data(rule, {"i": {"name": "REWE", "priority": 10,
                          "conditions": {"counterpartyContains": "rewe", "amountMax": "-1"},
                          "categoryId": groceries, "tagIds": [tag["id"]]}})
    error = gql.error(rule, {"i": {"name": "x", "conditions": {"colour": "red"},
                                   "categoryId": groceries}})
    assert error["extensions"]["field"] == "conditions.colour"

    report = upload(gql, giro["id"], GERMAN_CSV)
    assert report["categorisedByRules"] == 3
    by_description = {(r["description"], r["category"] and r["category"]["name"])
                      for r in transactions(gql)}
    assert by_description == {("Gehalt Januar", None), ("Einkauf", "Groceries"),
                              ("NETFLIX.COM abo", "Subscriptions")}
    tagged = transactions(gql, tagIds=[tag["id"]])
    assert [r["tags"] for r in tagged] == [[{"name": "household"}]] * 2
    assert len(transactions(gql, uncategorised=True)) == 1

    # By hand beats the rules, and running them again changes nothing.
    salary = transactions(gql, search="gehalt")[0]
    gql.data("mutation($id: ID!, $c: ID) { categorizeTransaction(id: $id, categoryId: $c) "
             "{ category { name } } }", {"id": salary["id"], "c": category_id(gql, "Salary")})
    netflix = transactions(gql, search="netflix")[0]
    gql.data("mutation($id: ID!) { categorizeTransaction(id: $id, categoryId: null) { id } }",
             {"id": netflix["id"]})
    applied = gql.data("mutation { applyRules { categorised tagged } }")["applyRules"]
    assert applied == {"categorised": 1, "tagged": 0}  # netflix again; the rest was set
    assert transactions(gql, search="gehalt")[0]["category"] == {"name": "Salary"}

    # Tags by hand, and someone else cannot touch them.
    gql.data("mutation($t: ID!, $e: ID!) { untagEntity(tagId: $t, entityType: TRANSACTION, "
             "entityId: $e) }", {"t": tag["id"], "e": tagged[0]["id"]})
    assert len(transactions(gql, tagIds=[tag["id"]])) == 1
    member = make_member(gql, admin["accessToken"])["accessToken"]
    error = gql.error("mutation($t: ID!, $e: ID!) { tagEntity(tagId: $t, entityType: "
                      "TRANSACTION, entityId: $e) }", {"t": tag["id"], "e": salary["id"]},
                      token=member)
    assert error["extensions"]["code"] == "NOT_FOUND"
    own = gql.data('mutation { createTag(name: "mine") { id } }', token=member)["createTag"]
    error = gql.error("mutation($t: ID!, $e: ID!) { tagEntity(tagId: $t, entityType: "
                      "TRANSACTION, entityId: $e) }", {"t": own["id"], "e": salary["id"]},
                      token=member)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert gql.data(TRANSACTIONS, {"first": 10}, token=member)["transactions"]["edges"] == []


RULE_ROWS_ASCII = """date,amount,description,counterparty,iban
2025-02-01,-60.00,Weekly groceries,CORNER SHOP,
2025-02-02,-12.00,CARD payment,Corner Shop,
2025-02-03,-75.00,card top-up,shop online,
2025-02-04,2500.00,Salary,ACME,DE89370400440532013000
2025-02-05,-9.99,save 50% now,Bank,
2025-02-06,-9.99,save 500 now,Bank,
2025-02-07,-30.00,a_b pattern,,
2025-02-08,-30.00,aXb pattern,,
2025-02-09,150.00,refund,SHOP,
2025-02-10,-20.00,small,Shop,
"""
RULE_ROWS_MIXED = """date,amount,description,counterparty,iban
2025-03-01,-60.00,Bäckerei card,MÜLLER shop,
2025-03-02,-40.00,card,Müller,
2025-03-03,-70.00,Café,Corner Shop,
2025-03-04,-5.00,plain card,Shop,
2025-03-05,-5.00,bakery,Müller,
2025-03-06,-5.00,BAKERY,MÜLLER,
"""


def test_rules_decide_an_import_as_apply_rules_does(gql: GraphQLClient, token: str) -> None:
    """An import decides categories and clients while it writes its rows; `applyRules` decides
    them in SQL. Both must agree, row by row, whatever the texts (ASCII or not), the priority
    order, LIKE's special characters and which rules give what."""
    before, after = account(gql, "Before"), account(gql, "After")
    other = account(gql, "Other")
    for content in (RULE_ROWS_ASCII, RULE_ROWS_MIXED):  # no rules yet
        assert upload(gql, before["id"], content)["categorisedByRules"] == 0
    acme = gql.data('mutation { createClient(input: {name: "ACME"}) { id } }')["createClient"]
    tags = {name: gql.data("mutation($n: String!) { createTag(name: $n) { id } }",
                           {"n": name})["createTag"]["id"] for name in ("big", "card", "any")}
    rule = "mutation($i: RuleInput!) { createRule(input: $i) { id } }"
    for name, priority, conditions, extra in [
        ("big shop", 10, {"counterpartyContains": "SHOP", "amountMax": "-50"},
         {"categoryId": category_id(gql, "Groceries"), "tagIds": [tags["big"]]}),
        ("cards", 20, {"descriptionContains": "card"},
         {"categoryId": category_id(gql, "Subscriptions"), "clientId": acme["id"],
          "tagIds": [tags["card"]]}),
        ("salary", 20, {"counterpartyIban": "de89 3704 0044 0532 0130 00"},
         {"categoryId": category_id(gql, "Salary")}),
        ("refunds", 30, {"amountMin": "100", "counterpartyContains": "shop"},
         {"categoryId": category_id(gql, "Refunds")}),
        ("percent", 40, {"descriptionContains": "50%"},
         {"categoryId": category_id(gql, "Fees")}),
        ("underscore", 40, {"descriptionContains": "a_b"},
         {"categoryId": category_id(gql, "Taxes")}),
        ("umlaut", 50, {"counterpartyContains": "müller"},
         {"categoryId": category_id(gql, "Restaurants"), "clientId": acme["id"]}),
        ("elsewhere", 5, {"descriptionContains": "card", "accountId": other["id"]},
         {"categoryId": category_id(gql, "Travel")}),
        ("tags only", 1, {"amountMax": "0"}, {"tagIds": [tags["any"]]}),
        ("everything else", 90, {"amountMax": "0"}, {"categoryId": category_id(gql, "Shopping")}),
    ]:
        gql.data(rule, {"i": {"name": name, "priority": priority, "conditions": conditions,
                              **extra}})

    ascii_report = upload(gql, after["id"], RULE_ROWS_ASCII)  # decided in Python only
    mixed_report = upload(gql, after["id"], RULE_ROWS_MIXED)  # non-ASCII rows left to SQL
    applied = gql.data("mutation { applyRules { categorised assignedToClients tagged } }")[
        "applyRules"]  # SQL, over the rows imported before the rules
    assert applied["categorised"] == (ascii_report["categorisedByRules"]
                                      + mixed_report["categorisedByRules"])

    def decided(name: str) -> dict[str, tuple[Any, ...]]:
        return {row["description"]: (
            row["category"] and row["category"]["name"], row["client"] and row["client"]["name"],
            sorted(tag["name"] for tag in row["tags"]))
            for row in transactions(gql, accountIds=[next(
                a["id"] for a in (before, after) if a["name"] == name)])}

    assert decided("After") == decided("Before")
    result = decided("After")
    assert result["Weekly groceries"] == ("Groceries", None, ["any", "big"])
    # The first matching rule gives the category, the first with a client the client; every
    # matching rule adds its tags.
    assert result["card top-up"] == ("Groceries", "ACME", ["any", "big", "card"])
    assert result["CARD payment"] == ("Subscriptions", "ACME", ["any", "card"])
    assert result["Salary"] == ("Salary", None, [])
    assert result["refund"] == ("Refunds", None, [])
    assert result["small"] == ("Shopping", None, ["any"])
    assert result["save 50% now"] == ("Fees", None, ["any"])
    assert result["save 500 now"] == ("Shopping", None, ["any"])
    assert result["a_b pattern"] == ("Taxes", None, ["any"])
    assert result["aXb pattern"] == ("Shopping", None, ["any"])
    assert result["plain card"] == ("Subscriptions", "ACME", ["any", "card"])
    assert result["bakery"] == ("Restaurants", "ACME", ["any"])  # on either database
    # "MÜLLER" is "müller" to PostgreSQL's LOWER(), not to SQLite's (ASCII only): either way,
    # the import agrees with applyRules (above).
    assert result["BAKERY"] in [("Restaurants", "ACME", ["any"]), ("Shopping", None, ["any"])]
    assert gql.data("mutation { applyRules { categorised assignedToClients tagged } }")[
        "applyRules"] == {"categorised": 0, "assignedToClients": 0, "tagged": 0}


def test_clients_collect_their_transactions(gql: GraphQLClient, token: str) -> None:
    giro = account(gql)
    client = gql.data("""mutation { createClient(input: {name: "ACME", businessName: "ACME GmbH",
      taxId: "DE123456789", email: "billing@acme.example", currency: "EUR",
      paymentTermsDays: 30}) { id name businessName paymentTermsDays } }""")["createClient"]
    assert client["paymentTermsDays"] == 30
    error = gql.error('mutation { createClient(input: {name: "x", email: "nope"}) { id } }')
    assert error["extensions"]["field"] == "email"
    gql.data("""mutation($c: ID!) { createRule(input: {name: "ACME pays", clientId: $c,
      conditions: {counterpartyContains: "acme"}}) { id } }""", {"c": client["id"]})
    upload(gql, giro["id"], GERMAN_CSV)
    netflix = transactions(gql, search="netflix")[0]
    gql.data("mutation($id: ID!, $c: ID) { setTransactionClient(id: $id, clientId: $c) { id } }",
             {"id": netflix["id"], "c": client["id"]})
    totals = gql.data("""query($id: ID!) { client(id: $id) { totals { currency income expenses
      count } } }""", {"id": client["id"]})["client"]["totals"]
    assert totals == [{"currency": "EUR", "income": "3250.00", "expenses": "-12.99",
                       "count": 2}]
    assert len(transactions(gql, clientIds=[client["id"]])) == 2
    assert gql.data("mutation($id: ID!) { deleteClient(id: $id) }", {"id": client["id"]})[
        "deleteClient"] is True
    assert transactions(gql, clientIds=[client["id"]]) == []
    assert len(transactions(gql)) == 4


def test_client_addresses_and_notes_keep_their_lines(gql: GraphQLClient, token: str) -> None:
    client = gql.data("""mutation($i: ClientInput!) { createClient(input: $i) {
      name address notes } }""", {"i": {"name": "  ACME   GmbH ", "address": " Main  St 1 \r\n\n\n\n10115 Berlin\n",
                                      "notes": "Pays late.\nAlways."}})["createClient"]
    assert client == {"name": "ACME GmbH", "address": "Main St 1\n\n10115 Berlin",
                      "notes": "Pays late.\nAlways."}


def test_filters_and_keyset_pages(gql: GraphQLClient, token: str) -> None:
    giro = account(gql)
    lines = ["date,amount,description"]
    lines += [f"2025-01-{day:02d},{-day}.00,payment {day}" for day in range(1, 29)]
    lines += ["2025-01-10,-10.00,payment 10"]  # same day, same everything: a second one
    upload(gql, giro["id"], "\n".join(lines) + "\n")
    seen, after = [], None
    while True:
        page = gql.data(TRANSACTIONS, {"first": 7, "after": after})["transactions"]
        seen += [e["node"]["bookingDate"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 29
    assert seen == sorted(seen, reverse=True)
    assert seen.count("2025-01-10") == 2
    window = transactions(gql, **{"from": "2025-01-05", "to": "2025-01-07"})
    assert [r["bookingDate"] for r in window] == ["2025-01-07", "2025-01-06", "2025-01-05"]
    amounts = transactions(gql, amountMin="-3", amountMax="-2")
    assert [r["amount"] for r in amounts] == ["-3.00", "-2.00"]
    assert len(transactions(gql, search="payment 2")) == 10  # 2, 20..28
    assert transactions(gql, accountIds=[account(gql, "Other")["id"]]) == []
    assert gql.error(TRANSACTIONS, {"first": 5, "after": "garbage"})["extensions"][
        "field"] == "after"


def test_a_page_costs_the_same_statements_whatever_its_size(
    server: LiveServer, gql: GraphQLClient, token: str,
) -> None:
    from ai_service.core.db import count_statements

    giro = account(gql)
    other = account(gql, "Second")
    tag = gql.data('mutation { createTag(name: "t") { id } }')["createTag"]
    gql.data("""mutation($t: [ID!]) { createRule(input: {name: "all", tagIds: $t,
      conditions: {amountMax: "1000000"}}) { id } }""", {"t": [tag["id"]]})
    gql.data("""mutation($c: ID!) { createRule(input: {name: "c", categoryId: $c,
      conditions: {descriptionContains: "p"}}) { id } }""", {"c": category_id(gql, "Fees")})
    lines = ["date,amount,description"] + [f"2025-02-{1 + i % 28:02d},-{i}.00,p{i}"
                                            for i in range(1, 121)]
    for target in (giro, other):
        upload(gql, target["id"], "\n".join(lines) + "\n")
    query = """query($n: Int!) { transactions(first: $n) { edges { node { id amount
      account { name } category { name } tags { name } } } } }"""
    counts = []
    for size in (5, 100):
        with count_statements() as counter:
            edges = gql.data(query, {"n": size})["transactions"]["edges"]
        assert len(edges) == size
        assert all(e["node"]["tags"] == [{"name": "t"}] for e in edges)
        counts.append(counter.count)
    # Authentication, the page, then one batch each for accounts, categories and tags.
    assert counts == [5, 5]


# --------------------------------------------------------------------------- metrics


def test_metrics_are_per_currency_and_find_subscriptions(gql: GraphQLClient, token: str) -> None:
    eur = account(gql, "Giro", "EUR", openingBalance="100.00")
    usd = account(gql, "Card", "USD")
    lines = ["date,amount,description,counterparty"]
    for month in range(1, 7):
        lines.append(f"2025-{month:02d}-01,2000.00,salary,ACME")
        lines.append(f"2025-{month:02d}-15,-12.99,subscription,Netflix")
        lines.append(f"2025-{month:02d}-20,-{100 + month}.00,groceries,REWE")
    upload(gql, eur["id"], "\n".join(lines) + "\n")
    upload(gql, usd["id"], "date,amount,description\n2025-02-03,-40.00,books\n")
    metrics = gql.data(METRICS, {"from": "2025-01-01", "to": "2025-06-30", "g": "MONTH"})[
        "financialMetrics"]
    by_currency = {s["currency"]: s for s in metrics["series"]}
    assert set(by_currency) == {"EUR", "USD"}
    euros = by_currency["EUR"]
    assert euros["periods"] == [f"2025-{m:02d}-01" for m in range(1, 7)]
    assert euros["income"] == ["2000.00"] * 6
    assert euros["expenses"] == [f"{112.99 + m:.2f}" for m in range(1, 7)]
    assert euros["net"][0] == "1886.01"
    assert euros["balance"][0] == "1986.01"  # the opening balance carries
    assert Decimal(euros["balance"][-1]) == Decimal("100") + sum(
        Decimal("2000") - Decimal("12.99") - (100 + m) for m in range(1, 7))
    assert by_currency["USD"]["expenses"] == ["0.00", "40.00", "0.00", "0.00", "0.00", "0.00"]
    [netflix] = [r for r in metrics["recurringPayments"] if r["name"] == "Netflix"]
    assert (netflix["cadence"], netflix["count"], netflix["amount"]) == ("MONTHLY", 6, "12.99")
    assert netflix["nextExpected"].startswith("2025-07-1")
    top = metrics["topCounterparties"][0]
    assert (top["name"], top["total"]) == ("ACME", "12000.00")

    weekly = gql.data(METRICS, {"from": "2025-01-01", "to": "2025-01-31", "g": "WEEK",
                                "a": [eur["id"]]})["financialMetrics"]
    [series] = weekly["series"]
    assert series["periods"][0] == "2024-12-30"  # weeks start on Monday
    assert sum(Decimal(v) for v in series["net"]) == Decimal("2000") - Decimal("12.99") - 101
    error = gql.error(METRICS, {"from": "2025-02-01", "to": "2025-01-01"})
    assert error["extensions"]["field"] == "to"


def test_a_rule_without_a_name_and_colours_not_written_rrggbb_are_bad_input(
    gql: GraphQLClient, token: str,
) -> None:
    """They were internal errors (a NOT NULL violation), and "red" was stored as a colour."""
    rule = gql.post("mutation($i: RuleInput!) { createRule(input: $i) { id } }",
                    {"i": {"categoryId": category_id(gql, "Groceries")}})["errors"][0]
    assert rule["extensions"] == {"code": "BAD_USER_INPUT", "field": "name"}
    for color in ("#12345678", "red", "#12345"):
        for mutation in ('mutation($c: String) { createCategory(name: "x", kind: EXPENSE, '
                         "color: $c) { id } }",
                         'mutation($c: String) { createTag(name: "x", color: $c) { id } }'):
            error = gql.post(mutation, {"c": color})["errors"][0]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "color"}, color
    made = gql.data('mutation { createCategory(name: "Garden", kind: EXPENSE, '
                    'color: "#1F77B4") { color } }')["createCategory"]
    assert made["color"] == "#1f77b4"
