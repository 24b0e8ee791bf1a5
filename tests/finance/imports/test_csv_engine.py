"""The CSV engine's decisions, each on the smallest input that shows it (the corpus tests show
them on real exports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import AmountSign, ImportMapping, ImportTarget, parse_bytes
from ai_service.finance.models import AccountType, TransactionStatus
from support.paths import DATA

BANK = DATA / "bank"


def csv(text: str, mapping: ImportMapping | None = None,
        target: ImportTarget | None = None) -> list[tuple[date, Decimal]]:
    parsed = parse_bytes(text.encode(), None, mapping, target)
    assert not parsed.rejected, parsed.errors
    return [(r.booking_date, r.amount) for r in parsed.rows]


def refused(text: str, target: ImportTarget | None = None) -> BadUserInput:
    with pytest.raises(BadUserInput) as caught:
        parse_bytes(text.encode(), None, None, target)
    return caught.value


def test_a_decimal_comma_is_read_from_any_amount_that_shows_it() -> None:
    """KBC wrote -3,40 among whole amounts: the comma can only be a decimal mark there."""
    rows = csv("Datum;Bedrag;Omschrijving\n01.02.2024;-3,40;a\n02.02.2024;-12;b\n")
    assert [amount for _, amount in rows] == [Decimal("-3.40"), Decimal("-12")]


def test_amounts_that_read_both_ways_are_a_question() -> None:
    error = refused("Date,Amount,Text\n2024-01-02,\"1,234\",a\n2024-01-03,\"2,500\",b\n")
    assert error.field == "mapping.decimalComma"
    assert "1,234" in error.message or "2,500" in error.message
    assert csv("Date,Amount,Text\n2024-01-02,\"1,234\",a\n",
               ImportMapping(decimal_comma=True))[0][1] == Decimal("1.234")


def test_dates_whose_days_are_all_twelve_or_less_are_read_by_their_order_or_asked() -> None:
    ordered = ("Date,Amount,Text\n10/01/2024,-1.00,a\n10/02/2024,-1.00,b\n"
               "11/01/2024,-1.00,c\n")  # Oct 1, Oct 2, Nov 1; day first would go back to Jan 11
    assert csv(ordered)[0][0] == date(2024, 10, 1)
    error = refused("Date,Amount,Text\n10/01/2024,-1.00,a\n")  # one date says nothing
    assert error.field == "mapping.dateFormat"
    assert "10/01/2024" in error.message


def test_a_stated_date_order_reads_every_way_of_writing_that_order() -> None:
    """The dry run reports %m/%d/%Y for 5-3-21; sent back, it must read the file it came from."""
    rows = csv("Date,Amount,Text\n5-3-21,-1.00,a\n", ImportMapping(date_format="%m/%d/%Y"))
    assert rows == [(date(2021, 5, 3), Decimal("-1.00"))]


def test_card_purchases_written_positive_are_told_by_the_lines_that_pay_the_card() -> None:
    card = ImportTarget("GBP", type=AccountType.CREDIT_CARD)
    text = ("Date,Description,Amount\n02/12/2019,SPOTIFY,9.99\n03/12/2019,TFL,1.50\n"
            "04/12/2019,PAYMENT RECEIVED - THANK YOU,-100.00\n")
    assert [a for _, a in csv(text, ImportMapping(date_format="%d/%m/%Y"), card)] == [
        Decimal("-9.99"), Decimal("-1.50"), Decimal("100.00")]
    lone = refused("Date,Description,Amount\n2019-12-02,SPOTIFY,9.99\n2019-12-03,X,-1.00\n",
                   card)
    assert lone.field == "mapping.amountSign"
    answered = csv("Date,Description,Amount\n2019-12-02,SPOTIFY,9.99\n2019-12-03,X,-1.00\n",
                   ImportMapping(amount_sign=AmountSign.INVERTED), card)
    assert [a for _, a in answered] == [Decimal("-9.99"), Decimal("1.00")]


def test_pending_and_void_lines() -> None:
    parsed = parse_bytes(
        b"Date,Amount,Status,Text\n2024-01-02,-1.00,Completed,a\n2024-01-03,-2.00,PENDING,b\n"
        b"2024-01-04,-3.00,DECLINED,c\n", None)
    assert [(r.amount, r.status) for r in parsed.rows] == [
        (Decimal("-1.00"), TransactionStatus.BOOKED), (Decimal("-2.00"), TransactionStatus.PENDING)]
    assert parsed.skipped == 1


def test_the_closing_balance_is_the_newest_line_s_when_the_balance_column_is_confirmed() -> None:
    """ING writes newest first; its preamble states Saldo 150,00 (read by the corpus's author)."""
    parsed = parse_bytes((BANK / "csv/fabolhak+ofxstatement-de-ing/test_with_saldo_1.csv")
                         .read_bytes(), None)
    assert parsed.closing is not None
    assert (parsed.closing.amount, parsed.closing.on) == (Decimal("150.00"), date(2018, 12, 28))
    unconfirmed = parse_bytes(b"Date,Amount,Balance,Text\n2024-01-02,-1.00,7.00,a\n"
                              b"2024-01-03,-2.00,1.00,b\n2024-01-04,-3.00,9.00,c\n", None)
    assert unconfirmed.closing is None  # a balance that does not follow is not stated


def test_a_file_of_several_accounts_names_them_for_the_person_to_choose() -> None:
    text = ("Account,Date,Amount,Text\nNL01BANK0123456789,2024-01-02,-1.00,a\n"
            "NL02BANK0987654321,2024-01-03,-2.00,b\n")
    error = refused(text)
    assert error.field == "mapping.account"
    assert error.extensions["accounts"] == ["NL01BANK0123456789", "NL02BANK0987654321"]
    chosen = csv(text, ImportMapping(account="NL02BANK0987654321"))
    assert chosen == [(date(2024, 1, 3), Decimal("-2.00"))]
    by_iban = csv(text, target=ImportTarget("EUR", iban="NL01 BANK 0123 4567 89"))
    assert by_iban == [(date(2024, 1, 2), Decimal("-1.00"))]
