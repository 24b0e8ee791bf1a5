"""Deterministic demo banking data for the GoCardless and Enable Banking fakes.

Two banks, three accounts, about two years of transactions (salary, rent, groceries, card
payments, subscriptions) ending today, and a few recent card payments still pending. The same
seed always gives the same amounts, texts and ids; dates count back from the day the data is
made, so the demo always looks current. `settle_pending` books the pending ones the way banks
do: days later, under a new id and reworded.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CENT = Decimal("0.01")
_IDS = uuid.UUID("6d1b6c3e-2f0a-4c55-9d7e-0b4d6a1f9e21")  # namespace of the demo's uuid5 ids


@dataclass
class DemoTransaction:
    id: str  # the bank's transaction id
    booking_date: date | None  # None while pending
    value_date: date
    amount: Decimal  # signed: negative goes out
    currency: str
    description: str
    counterparty: str
    counterparty_iban: str | None
    end_to_end_id: str | None
    card: bool  # card payments carry their text as lines, and start pending

    @property
    def pending(self) -> bool:
        return self.booking_date is None


@dataclass
class DemoAccount:
    iban: str
    name: str
    product: str
    currency: str
    owner: str
    opening_balance: Decimal
    transactions: list[DemoTransaction] = field(default_factory=list)

    def booked_balance(self) -> Decimal:
        return self.opening_balance + sum((t.amount for t in self.transactions
                                           if not t.pending), Decimal(0))

    def expected_balance(self) -> Decimal:
        return self.opening_balance + sum((t.amount for t in self.transactions), Decimal(0))


@dataclass
class DemoBank:
    gocardless_id: str
    name: str
    bic: str
    countries: tuple[str, ...]
    history_days: int  # GoCardless transaction_total_days
    consent_days: int  # GoCardless max_access_valid_for_days; Enable Banking validity
    daily_limit: int  # successful calls per account, scope and 24 hours
    accounts: list[DemoAccount]

    @property
    def logo(self) -> str:
        return f"https://cdn-logos.example/ais/{self.gocardless_id}.png"


@dataclass
class DemoData:
    today: date
    banks: list[DemoBank]

    def bank(self, gocardless_id: str) -> DemoBank | None:
        return next((b for b in self.banks if b.gocardless_id == gocardless_id), None)

    def bank_named(self, name: str, country: str) -> DemoBank | None:
        return next((b for b in self.banks
                     if b.name == name and country.upper() in b.countries), None)

    def settle_pending(self, days_later: int = 2) -> int:
        """Book every pending transaction: later, under a new id, with the booked wording."""
        settled = 0
        for bank in self.banks:
            for account in bank.accounts:
                for t in account.transactions:
                    if t.pending:
                        t.booking_date = min(self.today, t.value_date + timedelta(days=days_later))
                        t.id = _id(f"booked:{t.id}")
                        t.description = _booked_wording(t.counterparty)
                        settled += 1
        return settled


def demo_data(today: date | None = None, seed: int = 2024) -> DemoData:
    today = today or date.today()
    return DemoData(today=today, banks=[
        DemoBank("DEMOBANK_DEMODEFF", "Demo Bank", "DEMODEFF", ("DE", "AT"), 730, 180, 4, [
            _current_account(today, seed, "DE89370400440532013000", "Ada Lovelace"),
            _savings_account(today, seed, "DE02120300000000202051", "Ada Lovelace"),
        ]),
        DemoBank("THRIFTY_THRFDE21", "Thrifty Savings", "THRFDE21", ("DE",), 90, 90, 2, [
            _savings_account(today, seed + 1, "DE75512108001245126199", "Ada Lovelace",
                             months=3),
        ]),
    ])


# --------------------------------------------------------------------------- generation

_GROCERS = [("REWE Markt", "DE12500105170648489890"), ("Aldi Süd", None),
            ("EDEKA Center", "DE89370400440532013111"), ("Bio Company", None)]
_CARD_SHOPS = ["Café Kranzler", "Dussmann KulturKaufhaus", "DB Fernverkehr", "Rossmann",
               "Shell Station", "Apotheke am Markt", "Kino International"]
_SUBSCRIPTIONS = [("Netflix International", Decimal("-12.99"), 3),
                  ("Spotify AB", Decimal("-10.99"), 11), ("Vodafone GmbH", Decimal("-39.99"), 20)]


def _current_account(today: date, seed: int, iban: str, owner: str) -> DemoAccount:
    rng = random.Random(f"{seed}:{iban}")
    account = DemoAccount(iban, "Girokonto", "Current Account", "EUR", owner,
                          opening_balance=Decimal("3150.00"))
    start = today - timedelta(days=729)
    for index, day in enumerate(_days(start, today)):
        key = f"{iban}:{index}"
        if day.day == 1:
            account.transactions.append(_transfer(key + ":rent", day, Decimal("-950.00"),
                                                  "Miete Wohnung Kastanienallee 12",
                                                  "Hausverwaltung Berlin GmbH",
                                                  "DE44500105175407324931"))
        if day.day == 27:
            account.transactions.append(_transfer(key + ":salary", day, Decimal("2450.00"),
                                                  f"Gehalt {day:%m/%Y}", "ACME Software GmbH",
                                                  "DE27100777770209299700"))
        for name, amount, on_day in _SUBSCRIPTIONS:
            if day.day == on_day:
                account.transactions.append(_transfer(
                    f"{key}:{name}", day, amount, f"{name} Abo {day:%m/%Y}", name, None))
        if day.weekday() in (1, 4) or rng.random() < 0.08:
            grocer, grocer_iban = rng.choice(_GROCERS)
            account.transactions.append(_card(key + ":grocery", day, -_cents(rng, 900, 9500),
                                              grocer, grocer_iban, today))
        if rng.random() < 0.12:
            account.transactions.append(_card(key + ":shop", day, -_cents(rng, 250, 6000),
                                              rng.choice(_CARD_SHOPS), None, today))
    # Always a few pending ones to settle, whatever today's dice said.
    for back, shop in ((1, "Dussmann KulturKaufhaus"), (0, "Café Kranzler"), (0, "Rossmann")):
        day = today - timedelta(days=back)
        account.transactions.append(_card(f"{iban}:{shop}:{day}", day, -_cents(rng, 250, 4000),
                                          shop, None, today))
    account.transactions.sort(key=lambda t: t.value_date)
    return account


def _savings_account(today: date, seed: int, iban: str, owner: str,
                     months: int = 24) -> DemoAccount:
    rng = random.Random(f"{seed}:{iban}")
    account = DemoAccount(iban, "Tagesgeld", "Savings Account", "EUR", owner,
                          opening_balance=Decimal("10000.00"))
    start = today - timedelta(days=months * 30)
    for index, day in enumerate(_days(start, today)):
        if day.day == 28:
            account.transactions.append(_transfer(
                f"{iban}:{index}:save", day, Decimal("200.00"), "Sparplan", owner,
                "DE89370400440532013000"))
        if day.day == 1 and day.month % 3 == 1:
            account.transactions.append(_transfer(
                f"{iban}:{index}:interest", day, _cents(rng, 1200, 4500), "Zinsen",
                "Demo Bank AG", None))
    return account


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low, high)) * CENT).quantize(CENT)


def _id(key: str) -> str:
    return str(uuid.uuid5(_IDS, key))


def _transfer(key: str, day: date, amount: Decimal, text: str, counterparty: str,
              iban: str | None) -> DemoTransaction:
    return DemoTransaction(id=_id(key), booking_date=day, value_date=day, amount=amount,
                           currency="EUR", description=text, counterparty=counterparty,
                           counterparty_iban=iban, end_to_end_id=_id(key + ":e2e")[:35].upper(),
                           card=False)


def _card(key: str, day: date, amount: Decimal, shop: str, iban: str | None,
          today: date) -> DemoTransaction:
    # Card payments of the last three days are still pending, as at a real bank.
    pending = (today - day).days < 3
    booked = min(today, day + timedelta(days=1))
    return DemoTransaction(id=_id(key), booking_date=None if pending else booked, value_date=day,
                           amount=amount, currency="EUR",
                           description=(_pending_wording(shop, day) if pending
                                        else _booked_wording(shop)),
                           counterparty=shop, counterparty_iban=iban, end_to_end_id=None,
                           card=True)


def _pending_wording(shop: str, day: date) -> str:
    return f"CARD 4412 {shop.upper().replace(' ', '*', 1)} {day:%d.%m} 14:02"


def _booked_wording(shop: str) -> str:
    return f"{shop} Berlin"
