"""OFX, QFX and QBO files: read by meaning, dated as written, one account at a time, and
refused with a sentence a person can act on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportMapping, ImportTarget, ParsedFile, parse_bytes
from ai_service.finance.imports.ofx_markup import parse_markup
from ai_service.finance.models import ImportFormat
from support.paths import DATA

BANK = DATA / "bank"


def read(name: str, account: str | None = None, target: ImportTarget | None = None,
         ) -> ParsedFile:
    return parse_bytes((BANK / name).read_bytes(), None, ImportMapping(account=account),
                       target or ImportTarget(currency="USD"))


def refusal(name: str | bytes, account: str | None = None) -> BadUserInput:
    data = name if isinstance(name, bytes) else (BANK / name).read_bytes()
    with pytest.raises(BadUserInput) as caught:
        parse_bytes(data, ImportFormat.OFX, ImportMapping(account=account),
                    ImportTarget(currency="USD"))
    return caught.value


def test_a_booking_date_is_the_date_as_written_not_converted_to_utc() -> None:
    # 20091215202000.000[-4:EST] is 20:20 local time, 00:20 UTC on the 16th.
    parsed = read("ofx/jseutter+ofxparse/investment_medium.ofx", target=ImportTarget("CAD"))
    assert {r.booking_date for r in parsed.rows} == {date(2009, 12, 15)}
    assert all(r.raw["dtposted"] == "20091215202000.000[-4:EST]" for r in parsed.rows)


def test_an_investment_statement_gives_its_cash_lines_and_says_the_securities_were_left_out(
) -> None:
    parsed = read("ofx/jseutter+ofxparse/fidelity.ofx")
    assert [r.amount for r in parsed.rows] == [Decimal("0.2400"), Decimal("-0.9700"),
                                              Decimal("0.1600")]
    assert parsed.skipped == 14
    assert ("14 security transactions of the investment statement were left out: only cash "
            "movements are imported") in parsed.notes
    assert parsed.mapping is not None
    assert parsed.mapping.account == "01234567890"


def test_an_investment_statement_without_cash_lines_imports_nothing_and_says_why() -> None:
    parsed = read("ofx/jbms+beancount-import/fidelity-ira.ofx")
    assert parsed.rows == []
    assert parsed.skipped == 10
    assert any("10 security transactions" in n for n in parsed.notes)


def test_a_file_of_several_accounts_names_them_and_reads_the_one_chosen() -> None:
    error = refusal("ofx/beancount+beangulp/example.qbo")
    assert error.extensions["field"] == "mapping.account"
    assert error.message == ("This file holds 3 accounts (011016298027, 122384459041, "
                             "2542393734236684): choose one with mapping.account")
    card = read("ofx/beancount+beangulp/example.qbo", account="2542393734236684",
                target=ImportTarget("CAD"))
    assert (len(card.rows), sum(r.amount for r in card.rows)) == (9, Decimal("-133.51"))
    assert card.mapping is not None
    assert card.mapping.accounts == (
        "011016298027", "122384459041", "2542393734236684")
    assert card.closing is not None
    assert card.closing.amount == Decimal("0.00")


def test_the_account_whose_iban_the_target_has_is_read_without_asking() -> None:
    two = (BANK / "ofx/jseutter+ofxparse/multiple_accounts2.ofx").read_bytes()
    chosen = parse_bytes(two, None, None, ImportTarget("USD", iban="9200"))
    assert chosen.mapping is not None
    assert chosen.mapping.account == "9200"
    assert chosen.closing is not None
    assert chosen.closing.amount == Decimal("222")


def test_one_account_number_at_two_banks_is_two_accounts_named_bank_slash_number() -> None:
    name = "ofx/gpaulissen+ofxstatement-french/BPACA_OP_20220717.ofx"
    error = refusal(name)
    assert "(10907/99999999999, 00000/99999999999)" in error.message
    assert "at different banks" in refusal(name, account="99999999999").message
    savings = read(name, account="00000/99999999999", target=ImportTarget("EUR"))
    assert (len(savings.rows), sum(r.amount for r in savings.rows)) == (2, Decimal("0.00"))
    current = read(name, account="10907/99999999999", target=ImportTarget("EUR"))
    assert len(current.rows) == 61


def test_a_chosen_account_the_file_does_not_hold_is_refused_with_the_ones_it_holds() -> None:
    error = refusal("ofx/jseutter+ofxparse/anzcc.ofx", account="555")
    assert error.extensions["field"] == "mapping.account"
    assert error.message == ("This file holds no account 555: it holds account "
                             "1234123412341234. Correct mapping.account, or leave it empty")


@pytest.mark.parametrize(("name", "says"), [
    ("ofx/jseutter+ofxparse/signon_fail.ofx", "(code 15500: the user id or password was wrong)"),
    ("ofx/jseutter+ofxparse/error_message.ofx", "(code 2000: a general error at the bank)"),
    ("ofx/jseutter+ofxparse/account_listing_aggregation.ofx", "lists the bank's accounts"),
])
def test_an_error_answer_or_an_account_list_is_refused_as_what_it_is(name: str, says: str,
                                                                      ) -> None:
    error = refusal(name)
    assert error.extensions["field"] == "file"
    assert says in error.message


@pytest.mark.parametrize(("data", "says"), [
    (bytes(range(256)) * 3, "This file is not OFX: it has no OFX element"),
    ((BANK / "ofx/jseutter+ofxparse/suncorp.ofx").read_bytes()[:900],
     "This OFX file is incomplete (it does not end with </OFX>)"),
    (b"<OFX><nonsense", "This OFX file is incomplete"),
    (b"<OFX></OFX>", "This OFX file holds no bank, card or investment statement"),
])
def test_garbage_and_cut_files_are_refused_in_our_words(data: bytes, says: str) -> None:
    error = refusal(data)
    assert says in error.message
    assert "object at" not in error.message
    assert "Error" not in error.message


def test_a_bad_amount_or_date_rejects_its_transaction_with_its_number() -> None:
    wrong = read("ofx/jseutter+ofxparse/decimal_error.ofx", target=ImportTarget("CAD"))
    assert [(e.row, e.message) for e in wrong.errors] == [
        (1, "Transaction 1: the amount '$120' is not a number")]
    missing = read("ofx/jseutter+ofxparse/date_missing.ofx")
    assert [e.message for e in missing.errors] == [
        "Transaction 1: it has no date (DTPOSTED)", "Transaction 2: it has no date (DTPOSTED)",
        "Transaction 3: the date '20120231' is not a real date (OFX writes YYYYMMDD)"]


def test_files_other_readers_refuse_are_read_by_their_meaning() -> None:
    # Empty tags, no ledger balance, no currency: read, with no invented balance or currency.
    empty = read("ofx/jseutter+ofxparse/ofx-v102-empty-tags.ofx", target=ImportTarget("AUD"))
    assert [(r.booking_date, r.amount, r.currency) for r in empty.rows] == [
        (date(2018, 5, 7), Decimal("12.34"), "AUD")]
    assert empty.closing is None
    assert empty.currency is None
    assert "The file does not say its currency: the amounts are read as AUD, the account's" \
        in empty.notes
    # No header, end tags re-nested by a pretty-printer.
    amex = read("ofx/jbms+beancount-import/amex.ofx")
    assert (len(amex.rows), sum(r.amount for r in amex.rows)) == (3, Decimal("-190.75"))
    # A BANKTRANLIST never closed.
    nubank = read("ofx/csingley+ofxtools/br_nubank_cc.ofx", target=ImportTarget("BRL"))
    assert len(nubank.rows) == 6
    assert nubank.closing is not None
    assert nubank.closing.amount == Decimal("-1280.91")
    # CHARSET:1252 with a latin-1 byte in a payee.
    latin = read("ofx/egh+ledger-autosync/accented_characters_latin1.ofx")
    assert latin.mapping is not None
    assert latin.mapping.encoding == "cp1252"
    assert latin.rows[0].counterparty_name == "Virement Interac à: Jean"


def test_the_markup_tells_empty_elements_from_aggregates() -> None:
    root = parse_markup("<OFX><A><CURDEF><B>1</B><C>x<D></D></A><E>2</OFX>")
    ofx = root.child("OFX")
    assert ofx is not None
    assert [(c.tag, c.text) for c in ofx.children] == [("A", None), ("E", "2")]
    a = ofx.child("A")
    assert a is not None
    assert [(c.tag, c.text) for c in a.children] == [
        ("CURDEF", ""), ("B", "1"), ("C", "x"), ("D", None)]
    assert ofx.value("A", "CURDEF") is None
    assert ofx.value("A", "C") == "x"


def test_a_latin_1_header_and_a_statement_without_bank_id_are_read() -> None:
    data = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:8859-1\n\n"
            "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>42"
            "</BANKACCTFROM><BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240131"
            "<TRNAMT>-3,50<NAME>Café Müller</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS>"
            "</BANKMSGSRSV1></OFX>").encode("latin-1")
    parsed = parse_bytes(data, None, None, ImportTarget("EUR"))
    assert [(r.booking_date, r.amount, r.counterparty_name) for r in parsed.rows] == [
        (date(2024, 1, 31), Decimal("-3.50"), "Café Müller")]
    assert parsed.mapping is not None
    assert (parsed.mapping.encoding, parsed.mapping.account) == ("latin-1", "42")
