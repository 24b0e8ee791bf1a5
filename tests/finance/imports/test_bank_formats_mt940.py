"""MT940 and MT942: signs by SWIFT's marks (reversals included), dates across New Year,
statements of one account read together, several accounts chosen."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ImportMapping, ImportTarget, ParsedFile, parse_bytes
from ai_service.finance.models import ImportFormat
from support.paths import DATA

BANK = DATA / "bank"


def read(name: str, account: str | None = None) -> ParsedFile:
    return parse_bytes((BANK / name).read_bytes(), None, ImportMapping(account=account),
                       ImportTarget(currency="EUR"))


def text(body: str) -> ParsedFile:
    return parse_bytes(body.encode(), ImportFormat.MT940, None, ImportTarget(currency="EUR"))


def test_rc_is_money_out_and_rd_money_in_as_swift_defines_them() -> None:
    reversed_debit = read("mt940/sandermarechal+jejik-mt940/sparkasse2.txt")
    assert [r.amount for r in reversed_debit.rows] == [Decimal("1027.25")]
    reversed_credit = read("mt940/sandermarechal+jejik-mt940/sparkasse3.txt")
    assert [r.amount for r in reversed_credit.rows] == [Decimal("-1027.25")]
    assert ("1 entries are reversals (mark RC or RD): a reversed credit is read as money out "
            "and a reversed debit as money in") in reversed_credit.notes


def test_the_reversal_in_a_reconciling_file_makes_its_balances_add_up() -> None:
    # sepa_mt9401.sta: every account reconciles; its first account holds an RC entry.
    manifest = {e["file"]: e for e in json.loads((BANK / "manifest.json").read_text())}
    account = manifest["mt940/WoLpH+mt940/sepa_mt9401.sta"]["expected"]["accounts"][0]
    parsed = read("mt940/WoLpH+mt940/sepa_mt9401.sta", account=account["account"])
    assert any(r.raw["mark"] == "RC" for r in parsed.rows)
    assert sum(r.amount for r in parsed.rows) == Decimal(account["booked_sum"])
    assert parsed.opening is not None
    assert parsed.closing is not None
    assert parsed.opening.amount + sum(r.amount for r in parsed.rows) == parsed.closing.amount
    assert not any("do not add up" in n for n in parsed.notes)


def test_the_entry_date_takes_the_year_nearest_the_value_date() -> None:
    parsed = read("mt940/zilverline+mt940/knab_date_and_accounting_date_different_year.txt")
    assert [(r.booking_date, r.value_date) for r in parsed.rows] == [
        (date(2013, 12, 29), date(2014, 1, 1))]


def test_an_impossible_value_date_still_books_on_its_entry_date() -> None:
    parsed = read("mt940/WoLpH+mt940/february_30.sta")
    assert [(r.booking_date, r.value_date) for r in parsed.rows] == [(date(2016, 3, 1), None)]


def test_statements_of_one_account_are_read_together_with_their_outer_balances() -> None:
    parsed = read("mt940/gpaulissen+ofxstatement-mt940/mt940_ASN.txt")
    assert (len(parsed.rows), sum(r.amount for r in parsed.rows)) == (9, Decimal("1057.12"))
    assert parsed.opening is not None
    assert parsed.opening.amount == Decimal("444.29")
    assert parsed.closing is not None
    assert parsed.closing.amount == Decimal("501.23")
    assert parsed.rows[0].description == "NL47INGB9999999999 hr gjlm paulissen Betaling sieraden"


def test_several_accounts_are_named_and_chosen() -> None:
    name = "mt940/zilverline+mt940/two_accounts.txt"
    with pytest.raises(BadUserInput) as caught:
        read(name)
    assert caught.value.extensions["field"] == "mapping.account"
    assert "(1567.50.961EUR, 9914.30.727EUR, 3462.483.153 EUR, 1325.76.155EUR)" in \
        caught.value.message
    spaced = read(name, account="3462.483.153EUR")  # spaces do not matter
    assert spaced.rows == []
    assert spaced.closing is not None
    assert spaced.closing.amount == Decimal("5000.00")
    # bank/number also answers to the number alone.
    triodos = read("mt940/fruitl00p+php-mt940/test__Parser__Banking__Mt940__Engine__Triodos__"
                   "sample", account="0999999999")
    assert sum(r.amount for r in triodos.rows) == Decimal("59.02")


def test_structured_details_give_purpose_counterparty_and_iban() -> None:
    german = read("mt940/sandermarechal+jejik-mt940/sparkasse.txt").rows[1]
    assert (german.counterparty_name, german.counterparty_iban) == (
        "Max Mustermann", "DE12345678901234567890")
    assert german.description.startswith("SVWZ+Apple Pay")
    dutch = read("mt940/zilverline+mt940/rabobank_mt940_structured.txt").rows[0]
    assert (dutch.counterparty_name, dutch.description) == (
        "Nespresso Nederland B.V.", "674725433 1120000153447185 14144467636004962")


def test_an_mt942_interim_report_is_read_as_booked_and_says_so() -> None:
    parsed = read("mt940/WoLpH+mt940/mt942.sta")
    assert (len(parsed.rows), parsed.currency) == (3, "PLN")
    assert any(n.startswith("This is an MT942 interim report") for n in parsed.notes)


def test_a_bad_entry_is_rejected_with_its_line() -> None:
    parsed = text(":20:X\n:25:DE89370400440532013000\n:60F:C250101EUR10,00\n"
                  ":61:250102X5,00NTRF\n:61:2501020102D2,50NTRFNONREF\n:62F:C250102EUR7,50\n-")
    assert [(e.row, e.message) for e in parsed.errors] == [
        (1, "Entry 1 (line 4): ':61:250102X5,00NTRF' is not an MT940 entry (value date, mark C "
            "or D, amount)")]
    assert [r.amount for r in parsed.rows] == [Decimal("-2.50")]


def test_garbage_is_refused_in_our_words() -> None:
    with pytest.raises(BadUserInput) as caught:
        text("hello\nthis is not a statement\n")
    assert caught.value.extensions["field"] == "file"
    assert caught.value.message == ("This file is not an MT940 statement: it has no :25: "
                                    "account and :61: entries")


def test_an_amount_wrapped_onto_the_next_line_is_read() -> None:
    parsed = text(":20:X\n:25:DE89370400440532013000\n:60F:C250101EUR10,00\n"
                  ":61:2501020102DR\n2,50NTRFNONREF\n:62F:C250102EUR7,50\n-")
    assert [(r.booking_date, r.amount) for r in parsed.rows] == [(date(2025, 1, 2),
                                                                 Decimal("-2.50"))]
    assert parsed.notes == []  # the balances add up
