"""camt.052, camt.053 and camt.054: each entry once, stored by its status, from the account
chosen, with broken XML refused in our words."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportMapping, ImportTarget, ParsedFile, parse_bytes
from ai_service.finance.models import ImportFormat, TransactionStatus
from support.paths import DATA

BANK = DATA / "bank"


def read(name: str, account: str | None = None, iban: str | None = None) -> ParsedFile:
    return parse_bytes((BANK / name).read_bytes(), None, ImportMapping(account=account),
                       ImportTarget(currency="EUR", iban=iban))


def refusal(data: bytes, account: str | None = None, iban: str | None = None) -> BadUserInput:
    with pytest.raises(BadUserInput) as caught:
        parse_bytes(data, ImportFormat.CAMT053, ImportMapping(account=account),
                    ImportTarget(currency="EUR", iban=iban))
    return caught.value


def statement(*entries: str, iban: str = "DE89370400440532013000") -> bytes:
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
            f"<Stmt><Id>S1</Id><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>").encode()


def entry(amount: str, indicator: str = "DBIT", status: str = "<Sts>BOOK</Sts>",
          booked: str = "<BookgDt><Dt>2025-01-20</Dt></BookgDt>") -> str:
    return (f"<Ntry><Amt Ccy='EUR'>{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{status}"
            f"{booked}</Ntry>")


def test_camt052_reports_pending_entries_as_pending() -> None:
    parsed = read("camt052/genkgo+camt/camt052.v4.xml")
    assert [(r.status, r.amount) for r in parsed.rows] == [
        (TransactionStatus.PENDING, Decimal("-200000"))]
    assert parsed.mapping is not None
    assert parsed.mapping.format is ImportFormat.CAMT052


def test_information_only_entries_are_left_out_and_counted_in_a_note() -> None:
    notification = read("camt054/Subite-eu+camt-to-coda/2024-11-12.xml")
    assert notification.rows == []
    assert notification.skipped == 1
    assert ("1 information-only entries (camt status INFO) were left out: they are not "
            "bookings") in notification.notes
    mixed = parse_bytes(statement(entry("3.00", status="<Sts><Cd>INFO</Cd></Sts>"),
                                  entry("4.00", status="<Sts><Cd>BOOK</Cd></Sts>")),
                        None, None, ImportTarget("EUR"))
    assert [(r.status, r.amount) for r in mixed.rows] == [
        (TransactionStatus.BOOKED, Decimal("-4.00"))]


def test_a_camt054_batch_entry_counts_once_with_its_own_amount() -> None:
    parsed = read("camt054/OCA+bank-statement-import/test-camt054")
    assert [(r.booking_date, r.amount) for r in parsed.rows] == [
        (date(2022, 1, 26), Decimal("5.00"))]
    batch = read("camt053/OCA+bank-statement-import/test-camt053-txdtls")
    assert [r.amount for r in batch.rows] == [Decimal("3483.00")]
    assert batch.rows[0].raw["transactions"] > 1


def test_a_reversal_is_signed_by_its_credit_debit_mark() -> None:
    parsed = read("camt053/OCA+bank-statement-import/test-camt053")
    reversed_entry = next(r for r in parsed.rows if r.raw["reversal"])
    assert reversed_entry.amount == Decimal("-664.05")


def test_entries_without_a_status_are_left_out_and_said_so() -> None:
    parsed = parse_bytes(statement(entry("10.00", status=""), entry("5.00", "CRDT")),
                         ImportFormat.CAMT053, None, ImportTarget("EUR"))
    assert [r.amount for r in parsed.rows] == [Decimal("5.00")]
    assert parsed.skipped == 1
    assert ("1 entries without a status were left out: the file does not say whether they "
            "are booked or pending") in parsed.notes


def test_a_booking_date_with_a_zone_is_taken_as_written() -> None:
    parsed = read("camt053/kedder+ofxstatement-iso20022/davider80.xml")
    assert min(r.booking_date for r in parsed.rows) == date(2017, 4, 1)


def test_an_entry_without_any_date_is_rejected_with_its_number() -> None:
    parsed = parse_bytes(statement(entry("10.00", booked="")), None, None, ImportTarget("EUR"))
    assert [(e.row, e.message) for e in parsed.errors] == [
        (1, "Entry 1: it has neither a booking date nor a value date, so the file does not say "
            "when it happened")]


def test_several_accounts_are_named_and_chosen_by_mapping_or_by_the_target_iban() -> None:
    name = "camt053/zoltansebestyen+ofxstatement-unicredithu/STATEMENT_12345678_20171130.xml"
    data = (BANK / name).read_bytes()
    error = refusal(data)
    assert error.extensions["field"] == "mapping.account"
    assert error.message == ("This file holds 2 accounts (12345678123456780000000, "
                             "123456781234567800000013): choose one with mapping.account")
    second = read(name, account="123456781234567800000013")
    assert (len(second.rows), sum(r.amount for r in second.rows)) == (2, Decimal("100999.00"))
    by_iban = read("camt053/Subite-eu+camt-to-coda/2024-03-12.xml", iban="LT41 4319 0561 4377 2570")
    assert by_iban.mapping is not None
    assert by_iban.mapping.account == "LT414319056143772570"


def test_two_statements_of_one_account_are_read_together() -> None:
    parsed = read("camt053/genkgo+camt/camt053.v2.multi.statement.xml")
    assert [r.amount for r in parsed.rows] == [Decimal("8.85"), Decimal("-7.00")]
    assert parsed.opening is not None
    assert parsed.closing is not None
    assert parsed.closing.amount == Decimal("20.00")


def test_a_statement_for_another_iban_than_the_accounts_is_refused() -> None:
    data = statement(entry("1.00"))
    error = refusal(data, iban="NL91ABNA0417164300")
    assert error.extensions["field"] == "mapping.account"
    assert "This statement is for account DE89370400440532013000" in error.message
    anyway = parse_bytes(data, None, ImportMapping(account="DE89370400440532013000"),
                         ImportTarget("EUR", iban="NL91ABNA0417164300"))
    assert len(anyway.rows) == 1


def test_balances_that_do_not_add_up_are_said() -> None:
    minimal = read("camt053/genkgo+camt/camt053.v2.minimal.xml")
    assert any(n.startswith("The balances of the file do not add up") for n in minimal.notes)
    whole = read("camt053/Subite-eu+camt-to-coda/BE68793230773034-202411.xml")
    assert not any("do not add up" in n for n in whole.notes)


def test_amounts_keep_their_decimals_and_currency() -> None:
    five = read("camt053/genkgo+camt/camt053.v2.five.decimals.xml")
    assert [r.amount for r in five.rows] == [Decimal("8.850")]
    unknown = read("camt053/kedder+ofxstatement-iso20022/gcamp6.xml")
    assert {r.currency for r in unknown.rows} == {"XXX"}  # the service refuses it then


@pytest.mark.parametrize(("data", "says"), [
    (statement(entry("1.00"))[:150], "This file is not well-formed XML (at line 1, column"),
    (b"\x00\xff garbage", "This file is not well-formed XML"),
    (b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x 'boom'>]><Document>&x;</Document>",
     "declares entities or a document type"),
    (b"<Document><Other/></Document>", "not a camt.052, camt.053 or camt.054 bank message"),
    ((BANK / "camt053/genkgo+camt/camt053.v2.wrong.xml").read_bytes(),
     "This camt.053 file holds no statement (Stmt): download it from the bank again"),
])
def test_broken_files_are_refused_in_our_words(data: bytes, says: str) -> None:
    error = refusal(data)
    assert error.extensions["field"] == "file"
    assert says in error.message
    assert "Error" not in error.message
