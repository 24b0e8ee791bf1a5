"""QIF: the order of day and month from the dates or from the person, never guessed; splits
never added twice; accounts and investment sections told apart."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportMapping, ImportTarget, ParsedFile, parse_bytes
from ai_service.finance.models import ImportFormat
from support.paths import DATA

BANK = DATA / "bank"


def qif(body: str, **mapping: Any) -> ParsedFile:
    return parse_bytes(body.encode(), ImportFormat.QIF, ImportMapping(**mapping),
                       ImportTarget(currency="USD"))


def records(*pairs: tuple[str, str]) -> str:
    return "!Type:Bank\n" + "".join(f"D{d}\nT{t}\n^\n" for d, t in pairs)


def refusal(body: str, **mapping: Any) -> BadUserInput:
    with pytest.raises(BadUserInput) as caught:
        qif(body, **mapping)
    return caught.value


def test_a_day_above_12_decides_the_order() -> None:
    month_first = qif(records(("8/12/13", "-1.00"), ("8/15/13", "-2.00")))
    assert [r.booking_date for r in month_first.rows] == [date(2013, 8, 12), date(2013, 8, 15)]
    assert month_first.mapping is not None
    assert month_first.mapping.date_format == "%m/%d/%Y"
    day_first = qif(records(("15.08.2013", "-1.00"), ("08.09.2013", "-2.00")))
    assert [r.booking_date for r in day_first.rows] == [date(2013, 8, 15), date(2013, 9, 8)]


def test_the_order_that_sorts_the_records_decides_when_both_orders_read_every_date() -> None:
    # Every date reads both ways; month first puts the records in order (1 Feb to 1 May), day
    # first does not (2 Jan, 3 Jan, 4 Feb, 5 Jan).
    sorted_by_month = qif(records(("2/1/20", "1"), ("3/1/20", "1"), ("4/2/20", "1"),
                                  ("5/1/20", "1")))
    assert [r.booking_date.month for r in sorted_by_month.rows] == [2, 3, 4, 5]


def test_dates_that_fit_both_orders_alike_are_refused_naming_mapping_date_format() -> None:
    body = records(("05/03/2021", "-10.00"), ("03/05/2021", "-20.00"))
    error = refusal(body)
    assert error.extensions["field"] == "mapping.dateFormat"
    assert error.message == ("The dates of this file (such as 05/03/2021) read as month/day and "
                             "as day/month alike: set mapping.dateFormat to %m/%d/%Y (month "
                             "first) or %d/%m/%Y (day first)")
    answered = qif(body, date_format="%d/%m/%Y")
    assert [r.booking_date for r in answered.rows] == [date(2021, 3, 5), date(2021, 5, 3)]
    assert refusal(body, date_format="%Y").extensions["field"] == "mapping.dateFormat"


@pytest.mark.parametrize(("written", "day"), [
    ("1/ 5'98", date(1998, 1, 5)), ("2/14'2020", date(2020, 2, 14)),
    ("3/ 1' 0", date(2000, 3, 1)), ("12/31/68", date(2068, 12, 31)),
    ("12/31/69", date(1969, 12, 31)), ("2019-12-25", date(2019, 12, 25)),
])
def test_years_come_in_every_quicken_form(written: str, day: date) -> None:
    parsed = qif(records((written, "1.00")), date_format="%m/%d/%Y")
    assert [r.booking_date for r in parsed.rows] == [day]


def test_a_date_run_into_the_payee_is_rejected_with_its_line() -> None:
    parsed = parse_bytes((BANK / "qif/Gnucash+gnucash/web.qif").read_bytes(), None, None,
                         ImportTarget("USD"))
    assert parsed.rows == []
    assert parsed.errors[0].message == ("Transaction 1 (line 2): the date '03/25/099Share "
                                        "Withdrawal' cannot be read: correct its D line")


def test_split_lines_are_parts_of_the_total_not_more_transactions() -> None:
    parsed = parse_bytes((BANK / "qif/isaacharrisholt+quiffen/test.qif").read_bytes(), None,
                         ImportMapping(account="Bank"), ImportTarget("USD"))
    assert (len(parsed.rows), sum(r.amount for r in parsed.rows)) == (6, Decimal("-35.50"))
    # The split of the last record has a D line of its own (1/10'2020): not the record's date.
    assert min(r.booking_date for r in parsed.rows) == date(2020, 2, 10)
    assert parsed.rows[1].counterparty_name == "T-Mobile"


def test_an_investment_section_is_left_out_and_the_cash_account_read() -> None:
    data = (BANK / "qif/isaacharrisholt+quiffen/test.qif").read_bytes()
    bank = parse_bytes(data, None, None, ImportTarget("USD"))  # the Invst section is no choice
    assert len(bank.rows) == 6
    assert bank.skipped == 1
    assert ("1 investment transactions (the QIF Invst section) were left out: only the "
            "transactions of cash, bank and card accounts are imported") in bank.notes


def test_accounts_are_named_by_their_account_block() -> None:
    body = ("!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\nNVisa\nTCCard\n^\n"
            "!Clear:AutoSwitch\n"
            "!Account\nNChecking\nTBank\n^\n!Type:Bank\nD1/15/24\nT-5.00\nPShop\n^\n"
            "!Account\nNVisa\nTCCard\n^\n!Type:CCard\nD1/16/24\nT-7.00\n^\nD1/17/24\nT3.00\n^\n")
    assert "(Checking, Visa)" in refusal(body).message
    visa = qif(body, account="Visa")
    assert [r.amount for r in visa.rows] == [Decimal("-7.00"), Decimal("3.00")]


def test_amounts_with_thousands_or_a_decimal_comma() -> None:
    assert [r.amount for r in qif(records(("1/15/24", "-1,000.00"))).rows] == [
        Decimal("-1000.00")]
    assert [r.amount for r in qif(records(("15.01.2024", "-1.000,50"))).rows] == [
        Decimal("-1000.50")]
    unclear = refusal(records(("1/15/24", "1,000")))
    assert unclear.extensions["field"] == "mapping.decimalComma"
    assert [r.amount for r in qif(records(("1/15/24", "1,000")), decimal_comma=False).rows] \
        == [Decimal("1000")]


def test_a_file_without_accounts_is_refused() -> None:
    error = refusal("!Type:Cat\nNFood\n^\n")
    assert error.extensions["field"] == "file"
    assert error.message.startswith("This QIF file holds no account with transactions")
