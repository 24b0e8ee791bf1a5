"""The pure helpers of the bank sync: the sync window and pending-to-booked matching."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from ai_service.finance.banking import (
    BankTransaction,
    TransactionStatus,
    match_pending,
    plan_window,
)

TODAY = date(2025, 6, 30)


# --------------------------------------------------------------------------- window


def test_first_sync_takes_the_longest_history_the_bank_allows() -> None:
    window = plan_window(today=TODAY, last_booked=None, max_history_days=730)
    assert window.first_sync
    assert not window.truncated
    assert window.date_to == TODAY
    assert (window.date_to - window.date_from).days == 729  # 730 days counting today


def test_first_sync_without_a_known_limit_asks_for_everything() -> None:
    window = plan_window(today=TODAY, last_booked=None, max_history_days=None)
    assert window.date_from is None
    assert window.first_sync


def test_later_syncs_overlap_the_last_booked_date() -> None:
    window = plan_window(today=TODAY, last_booked=date(2025, 6, 28), max_history_days=730)
    assert window.date_from == date(2025, 6, 21)
    assert window.date_to == TODAY
    assert not window.first_sync
    assert not window.truncated
    custom = plan_window(today=TODAY, last_booked=date(2025, 6, 28), max_history_days=90,
                         overlap_days=3)
    assert custom.date_from == date(2025, 6, 25)


def test_the_window_never_reaches_past_what_the_bank_serves() -> None:
    # Last booked 10 days ago but only 7 days served: clamped; nothing lost (last fetch was
    # inside what is still served).
    near = plan_window(today=TODAY, last_booked=TODAY - timedelta(days=5), max_history_days=7)
    assert near.date_from == TODAY - timedelta(days=6)
    assert not near.truncated
    # A sync after a long pause: the days in between are gone at the bank.
    far = plan_window(today=TODAY, last_booked=date(2024, 1, 1), max_history_days=90)
    assert far.date_from == TODAY - timedelta(days=89)
    assert far.truncated


def test_a_last_booked_date_in_the_future_is_treated_as_today() -> None:
    window = plan_window(today=TODAY, last_booked=TODAY + timedelta(days=3), max_history_days=90)
    assert window.date_from == TODAY - timedelta(days=7)


# --------------------------------------------------------------------------- matching


def tx(provider_id: str, day: date, amount: str, description: str,
       counterparty: str | None = None, *, status: TransactionStatus = TransactionStatus.BOOKED,
       account: str = "acc-1", currency: str = "EUR") -> BankTransaction:
    return BankTransaction(provider_id=provider_id, account_id=account, status=status,
                           booking_date=day, value_date=day, amount=Decimal(amount),
                           currency=currency, description=description,
                           counterparty_name=counterparty, counterparty_iban=None,
                           reference=None)


def pending(provider_id: str, day: date, amount: str, description: str,
            counterparty: str | None = None, **kw: str) -> BankTransaction:
    return tx(provider_id, day, amount, description, counterparty,
              status=TransactionStatus.PENDING, **kw)


D = date(2025, 6, 20)


def test_a_reworded_card_payment_is_paired_with_its_booking() -> None:
    p = pending("p1", D, "-23.40", "CARD 4412 ACME*STORE 19/06 14:02")
    b = tx("b1", D + timedelta(days=2), "-23.40", "ACME STORE LONDON", "Acme Store Ltd")
    [match] = match_pending([p], [b])
    assert (match.pending, match.booked) == (p, b)
    assert match.similarity >= 0.35


def test_amount_currency_account_and_dates_must_agree() -> None:
    p = pending("p1", D, "-10.00", "Coffee Corner")
    assert match_pending([p], [tx("b1", D, "-10.01", "Coffee Corner")]) == []
    assert match_pending([p], [tx("b1", D, "-10.00", "Coffee Corner", currency="GBP")]) == []
    assert match_pending([p], [tx("b1", D, "-10.00", "Coffee Corner", account="acc-2")]) == []
    assert match_pending([p], [tx("b1", D + timedelta(days=6), "-10.00", "Coffee Corner")]) == []
    assert match_pending([p], [tx("b1", D - timedelta(days=2), "-10.00", "Coffee Corner")]) == []
    assert len(match_pending([p], [tx("b1", D - timedelta(days=1), "-10.00", "Coffee")])) == 1


def test_unrelated_payments_of_the_same_amount_stay_apart() -> None:
    p = pending("p1", D, "-4.50", "Bakery Müller")
    assert match_pending([p], [tx("b1", D + timedelta(days=1), "-4.50", "Parking garage")]) == []


def test_the_same_id_matches_even_when_the_text_changed() -> None:
    p = pending("same", D, "-99.00", "PENDING")
    [match] = match_pending([p], [tx("same", D + timedelta(days=1), "-99.00", "Hotel Zur Post")])
    assert match.similarity == 1.0


def test_two_identical_coffees_pair_one_to_one_in_order() -> None:
    p1 = pending("p1", D, "-3.20", "Coffee Corner")
    p2 = pending("p2", D + timedelta(days=1), "-3.20", "Coffee Corner")
    b1 = tx("b1", D + timedelta(days=1), "-3.20", "COFFEE CORNER")
    b2 = tx("b2", D + timedelta(days=2), "-3.20", "COFFEE CORNER")
    matches = match_pending([p1, p2], [b2, b1])
    assert {(m.pending.provider_id, m.booked.provider_id) for m in matches} == {("p1", "b1"),
                                                                               ("p2", "b2")}
    # Only one booked yet: exactly one pending is replaced, the other keeps waiting.
    assert len(match_pending([p1, p2], [b1])) == 1


def test_matching_is_deterministic_whatever_the_order() -> None:
    pendings = [pending(f"p{i}", D + timedelta(days=i % 3), "-12.00", "Metro ticket")
                for i in range(6)]
    bookeds = [tx(f"b{i}", D + timedelta(days=i % 3 + 1), "-12.00", "METRO TICKET")
               for i in range(6)]
    expected = {(m.pending.provider_id, m.booked.provider_id)
                for m in match_pending(pendings, bookeds)}
    assert len(expected) == 6
    rng = random.Random(7)
    for _ in range(10):
        rng.shuffle(pendings)
        rng.shuffle(bookeds)
        assert {(m.pending.provider_id, m.booked.provider_id)
                for m in match_pending(pendings, bookeds)} == expected


def test_counterparty_alone_can_carry_the_match() -> None:
    p = pending("p1", D, "-60.00", "", "Stadtwerke München")
    b = tx("b1", D + timedelta(days=3), "-60.00", "Abschlag 06/2025 Vertrag 88812",
           "STADTWERKE MUENCHEN")
    assert len(match_pending([p], [b])) == 1


@dataclass(frozen=True)
class StoredRow:
    """What a sync job might hold in its table: matching reads attributes, not a class."""

    provider_id: str
    account_id: str
    amount: Decimal
    currency: str
    booking_date: date
    description: str
    counterparty_name: str | None


def test_stored_rows_match_fetched_transactions() -> None:
    row = StoredRow("p1", "acc-1", Decimal("-8.00"), "EUR", D, "Kiosk am Markt", None)
    booked = tx("b1", D + timedelta(days=1), "-8.00", "KIOSK AM MARKT")
    [match] = match_pending([row], [booked, replace(booked, provider_id="b2", amount=Decimal(1))])
    assert match.pending is row
    assert match.booked.provider_id == "b1"
