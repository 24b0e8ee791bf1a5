"""Pairing pending transactions with the booked ones that replace them.

A card payment shows up pending first and booked days later, usually under a new id and often
with a reworded description ("CARD 1234 ACME*STORE" becomes "ACME STORE LONDON"). The sync job
stores the pending one, and when the booked one arrives it must replace it, not sit beside it.
Pure and deterministic: the same inputs always give the same pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from typing import Generic, Protocol, TypeVar

MAX_DAYS_LATER = 5  # banks book card payments within a few working days
MAX_DAYS_EARLIER = 1  # the booked date can precede the pending one (time zones, value dates)
MIN_SIMILARITY = 0.35


class Matchable(Protocol):
    """What matching reads: a stored row or a `BankTransaction` both have these."""

    @property
    def provider_id(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def booking_date(self) -> date: ...
    @property
    def description(self) -> str: ...
    @property
    def counterparty_name(self) -> str | None: ...


P = TypeVar("P", bound=Matchable)
B = TypeVar("B", bound=Matchable)


@dataclass(frozen=True)
class Match(Generic[P, B]):
    pending: P
    booked: B
    similarity: float  # 1.0 when the bank kept the id


def match_pending(pending: Sequence[P], booked: Sequence[B], *,
                  max_days_later: int = MAX_DAYS_LATER,
                  min_similarity: float = MIN_SIMILARITY) -> list[Match[P, B]]:
    """Each pending transaction paired with at most one booked successor: same account, same
    amount and currency, booked from a day before to `max_days_later` after, and a similar
    description or counterparty (or the same id). The best pairs are taken first: same id,
    then most similar; among equals, first in first out (the oldest pending takes the oldest
    booking), then by ids so ties always break the same way."""
    candidates: list[tuple[tuple[object, ...], int, int, float]] = []
    for i, p in enumerate(pending):
        for j, b in enumerate(booked):
            if (p.account_id, p.amount, p.currency) != (b.account_id, b.amount, b.currency):
                continue
            days = (b.booking_date - p.booking_date).days
            if not -MAX_DAYS_EARLIER <= days <= max_days_later:
                continue
            same_id = p.provider_id == b.provider_id
            similarity = 1.0 if same_id else round(_similarity(p, b), 3)
            if similarity < min_similarity:
                continue
            rank = (not same_id, -similarity, p.booking_date, b.booking_date, p.provider_id,
                    b.provider_id)
            candidates.append((rank, i, j, similarity))
    candidates.sort(key=lambda c: c[0])
    used_pending: set[int] = set()
    used_booked: set[int] = set()
    pairs: list[tuple[int, Match[P, B]]] = []
    for _, i, j, similarity in candidates:
        if i in used_pending or j in used_booked:
            continue
        used_pending.add(i)
        used_booked.add(j)
        pairs.append((i, Match(pending[i], booked[j], similarity)))
    return [m for _, m in sorted(pairs, key=lambda pair: pair[0])]


_NOISE = re.compile(r"[^a-z0-9 ]+")
_WORDS_TO_DROP = {"card", "payment", "purchase", "pos", "debit", "credit", "pending", "visa",
                  "mastercard", "contactless", "transaction", "ref", "www", "com"}


def _normal(text: str | None) -> str:
    words = _NOISE.sub(" ", (text or "").lower()).split()
    # Card numbers, dates and times differ between the pending and booked wording.
    return " ".join(w for w in words if w not in _WORDS_TO_DROP and not w.isdigit())


def _text_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    ratio = SequenceMatcher(None, a, b).ratio()
    left, right = set(a.split()), set(b.split())
    overlap = len(left & right) / min(len(left), len(right))
    return max(ratio, overlap)


def _similarity(p: Matchable, b: Matchable) -> float:
    description = _text_similarity(_normal(p.description), _normal(b.description))
    party = _text_similarity(_normal(p.counterparty_name), _normal(b.counterparty_name))
    crossed = max(_text_similarity(_normal(p.description), _normal(b.counterparty_name)),
                  _text_similarity(_normal(p.counterparty_name), _normal(b.description)))
    return max(description, party, crossed)
