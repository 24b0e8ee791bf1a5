"""What makes two transactions of one account the same, for deduplication: a fingerprint hashes
the account, booking date, amount, normalised description and counterparty, and the
occurrence (how many identical ones came before it in the same file), so two genuine identical
payments on one day stay two."""

from __future__ import annotations

import hashlib

from ai_service.finance.imports import ParsedTransaction


def normalise(text: str | None) -> str:
    return " ".join(text.lower().split()) if text else ""


def row_key(row: ParsedTransaction, units: int) -> tuple[str, int, str, str]:
    """What makes two transactions of one account look the same (before their occurrence)."""
    return (row.booking_date.isoformat(), units, normalise(row.description),
            normalise(row.counterparty_name))


def fingerprint(account_id: int, key: tuple[str, int, str, str], occurrence: int) -> str:
    """`key`: booking date (ISO), units, normalised description and counterparty."""
    return hashed(identity(account_id, key), occurrence)


def identity(account_id: int, key: tuple[str, int, str, str]) -> str:
    """What a fingerprint hashes before the occurrence (a string: cheap to count by)."""
    return "\x1f".join((str(account_id), key[0], str(key[1]), key[2], key[3]))


def hashed(identity: str, occurrence: int) -> str:
    # 128 bits: collisions are out of reach, and the unique index stays small.
    return hashlib.blake2b(f"{identity}\x1f{occurrence}".encode(), digest_size=16).hexdigest()
