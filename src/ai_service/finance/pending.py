"""Pending transactions replaced by the booked ones that follow them, for bank sync and for
files alike: a stored pending row takes the booked row's values (keeping its id, and so its
category, tags and client); one the bank no longer lists within the dates it now reports was
never booked and goes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ai_service.finance.fingerprints import fingerprint, normalise, row_key
from ai_service.finance.imports import ParsedTransaction
from ai_service.finance.matching import Match, match_pending
from ai_service.finance.models import Account, Transaction, TransactionStatus
from ai_service.finance.money import from_units, to_units


@dataclass(frozen=True)
class Stored:
    """A stored pending row as `match_pending` reads it."""

    row: Transaction
    provider_id: str
    account_id: str
    amount: Decimal
    currency: str
    booking_date: date
    description: str
    counterparty_name: str | None

    @classmethod
    def of(cls, row: Transaction, account_key: str = "") -> Stored:
        return cls(row, row.provider_id or "", account_key, from_units(row.amount_units),
                   row.currency, row.booking_date, row.description, row.counterparty_name)


@dataclass(frozen=True)
class Incoming:
    """A booked row of a file as `match_pending` reads it."""

    parsed: ParsedTransaction
    provider_id: str
    account_id: str
    amount: Decimal
    currency: str
    booking_date: date
    description: str
    counterparty_name: str | None


@dataclass
class Replacement:
    """What a file does to the account's pending rows."""

    matches: list[Match[Stored, Incoming]]
    stale: list[Transaction]

    @property
    def settled(self) -> set[int]:
        """The `row` numbers of the file's booked lines that settle a stored pending row."""
        return {m.booked.parsed.row for m in self.matches}


async def replacement(account: Account, rows: Sequence[ParsedTransaction]) -> Replacement:
    """Which stored pending rows the file's booked rows settle, and which the file shows were
    never booked: those within its dates that it neither lists as pending nor settles."""
    stored = await Transaction.filter(account_id=account.id, status=TransactionStatus.PENDING)
    if not stored or not rows:
        return Replacement([], [])
    still = {_key(r) for r in rows if r.status is TransactionStatus.PENDING}
    waiting = [row for row in stored if _stored_key(row) not in still]
    booked = [Incoming(r, r.provider_id or "", "", r.amount, r.currency or account.currency,
                       r.booking_date, r.description, r.counterparty_name)
              for r in rows if r.status is TransactionStatus.BOOKED]
    matches = match_pending([Stored.of(row) for row in waiting], booked)
    matched = {m.pending.row.id for m in matches}
    first, last = min(r.booking_date for r in rows), max(r.booking_date for r in rows)
    stale = [row for row in waiting if row.id not in matched and first <= row.booking_date <= last]
    return Replacement(matches, stale)


def _key(row: ParsedTransaction) -> tuple[str, str, str, str]:
    return (row.booking_date.isoformat(), str(to_units(row.amount)), normalise(row.description),
            normalise(row.counterparty_name))


def _stored_key(row: Transaction) -> tuple[str, str, str, str]:
    return (row.booking_date.isoformat(), str(row.amount_units), normalise(row.description),
            normalise(row.counterparty_name))


async def settle(account: Account, row: Transaction, booked: ParsedTransaction, db: Any) -> None:
    """The stored pending row becomes the booked transaction, keeping its id."""
    units = to_units(booked.amount)
    taken = {str(p) for p in await Transaction.filter(
        account_id=account.id, booking_date=booked.booking_date,
    ).using_db(db).exclude(id=row.id).values_list("fingerprint", flat=True)}
    occurrence = 0
    key = row_key(booked, units)
    while (print_ := fingerprint(account.id, key, occurrence)) in taken:
        occurrence += 1
    await Transaction.filter(id=row.id).using_db(db).update(
        status=TransactionStatus.BOOKED,
        provider_id=booked.provider_id[:200] if booked.provider_id else row.provider_id,
        booking_date=booked.booking_date, value_date=booked.value_date,
        description=booked.description[:1000],
        counterparty_name=(booked.counterparty_name or row.counterparty_name or None),
        counterparty_iban=(booked.counterparty_iban or row.counterparty_iban),
        reference=(booked.reference or row.reference), fingerprint=print_,
        raw_payload=dict(booked.raw) or None, updated_at=datetime.now(UTC))
