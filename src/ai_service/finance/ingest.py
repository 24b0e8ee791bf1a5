"""New transactions into an account, from a file or a bank: checked, deduplicated, one DB
transaction, rules applied.

Deduplication: a transaction is already there when the account holds its provider id (a bank's
transaction id, an OFX FITID, a camt AcctSvcrRef) or its fingerprint: a hash of the account,
booking date, amount, normalised description and counterparty, and its occurrence index, that
is how many identical ones came before it in the same file. So importing a file twice adds
nothing, overlapping exports add only what is new, and two genuine identical payments on one
day are two transactions (occurrences 0 and 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ai_service.core import db
from ai_service.core.bulk import collector_paused
from ai_service.finance.daily import refresh_days
from ai_service.finance.fingerprints import hashed, identity, row_key
from ai_service.finance.imports import (
    DetectedMapping,
    ParsedFile,
    ParsedTransaction,
    RowError,
    StatementBalance,
)
from ai_service.finance.models import Account, ImportBatch, Transaction, TransactionStatus
from ai_service.finance.money import to_units
from ai_service.finance.pending import Replacement, replacement, settle
from ai_service.finance.rules import Assigner, RuleRun, apply_rules, enabled_rules
from ai_service.tagging.models import TaggedKind, TagLink

BATCH = 2_000
PREVIEW = 20
_COLUMNS = ("owner_id", "account_id", "booking_date", "value_date", "amount_units", "currency",
            "description", "counterparty_name", "counterparty_iban", "reference", "status",
            "provider_id", "fingerprint", "raw_payload", "import_batch_id", "category_id",
            "client_id", "created_at", "updated_at")
_INSERT = (f"INSERT INTO transactions ({', '.join(_COLUMNS)}) "  # noqa: S608 - constants
           f"VALUES ({', '.join('?' * len(_COLUMNS))})")


@dataclass(frozen=True)
class IngestReport:
    rows: int
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[ParsedTransaction] = field(default_factory=list)  # new ones, first few
    dry_run: bool = False
    batch_id: int | None = None
    rules: RuleRun = field(default_factory=RuleRun)
    pending: int = 0  # of the new ones, how many are pending
    settled: int = 0  # stored pending rows that booked rows of the file replaced
    removed: int = 0  # stored pending rows the file shows were never booked
    # How the file was read (set by the importer; bank sync has none of these).
    notes: list[str] = field(default_factory=list)
    skipped: int = 0  # lines left out on purpose
    mapping: DetectedMapping | None = None
    closing: StatementBalance | None = None  # the balance the file states

    @property
    def stored(self) -> bool:
        return not self.dry_run and self.rejected == 0 and (
            self.inserted > 0 or self.settled > 0 or self.removed > 0)


async def ingest(account: Account, parsed: ParsedFile, *, source: str,
                 filename: str | None = None, sha256: str | None = None,
                 dry_run: bool = False, replace_pending: bool = False) -> IngestReport:
    """All or nothing: any rejected row (bad values, another currency) writes nothing.
    `replace_pending`: the file's booked rows settle the account's stored pending ones (bank
    sync does this itself, against the bank's own ids)."""
    with collector_paused():  # 100k rows, a few seconds: see core.bulk
        return await _ingest(account, parsed, source=source, filename=filename, sha256=sha256,
                             dry_run=dry_run, replace_pending=replace_pending)


async def _ingest(account: Account, parsed: ParsedFile, *, source: str, filename: str | None,
                  sha256: str | None, dry_run: bool, replace_pending: bool) -> IngestReport:
    total = len(parsed.rows) + parsed.rejected
    checked, errors = _check(account, parsed.rows)
    rejected = parsed.rejected + len(errors)
    if rejected:
        return IngestReport(total, rejected=rejected, dry_run=dry_run,
                            errors=sorted([*parsed.errors, *errors], key=lambda e: e.row))
    replaced = (await replacement(account, [row for row, _ in checked]) if replace_pending
                else Replacement([], []))
    if replaced.matches:  # those booked rows take the place of the pending ones instead
        settling = replaced.settled
        checked = [(row, units) for row, units in checked if row.row not in settling]
    changes = len(replaced.matches) + len(replaced.stale)

    known_ids, known_prints = await _existing(account, checked)
    if dry_run or not (changes or _any_new(account, checked, known_ids, known_prints)):
        fresh = _Fresh(account.id, known_ids, known_prints)
        inserted = sum(1 for _ in fresh.select(checked)) if dry_run else 0
        return IngestReport(total, inserted=inserted, duplicates=len(checked) - fresh.count,
                            preview=fresh.preview, dry_run=dry_run, pending=fresh.pending,
                            settled=len(replaced.matches), removed=len(replaced.stale))
    fresh = _Fresh(account.id, known_ids, known_prints)
    async with in_transaction() as connection:
        if changes:
            touched = await _replace(account, replaced, connection)
            fresh.first = min(touched, default=None)
            fresh.last = max(touched, default=None)
        rules = await enabled_rules(account.owner_id, connection)
        batch = await ImportBatch.create(owner_id=account.owner_id, account_id=account.id,
                                         source=source, filename=filename, sha256=sha256,
                                         using_db=connection)  # counted below
        assigned = _Assigned()
        copy = _copier(connection)
        # Deduplication, rules and parameters row by row, while the database writes the
        # rows before (the COPY sends them as they come).
        values = _values(account, batch.id, fresh.select(checked),
                         Assigner(rules, account.id), assigned, dates_as_text=copy is None)
        if copy is not None:  # COPY: several times faster than INSERTs, in the same transaction
            await copy.copy_records_to_table("transactions", records=values, columns=_COLUMNS)
        else:
            while chunk := list(itertools.islice(values, BATCH)):
                await connection.execute_many(db.portable(_INSERT), chunk)
        duplicates = len(checked) - fresh.count
        await ImportBatch.filter(id=batch.id).using_db(connection).update(
            inserted=fresh.count, duplicates=duplicates)
        if fresh.first is not None and fresh.last is not None:
            await refresh_days(account.id, fresh.first, fresh.last, connection)
        # Tags, and whatever the rules could not decide in Python, in SQL over the batch.
        ruled = await apply_rules(account.owner_id, batch_id=batch.id, client=connection,
                                  rules=rules, assign=assigned.undecided > 0)
        await Account.filter(id=account.id).using_db(connection).update(
            updated_at=datetime.now(UTC))
    return IngestReport(total, inserted=fresh.count, duplicates=duplicates,
                        preview=fresh.preview, batch_id=batch.id, rules=RuleRun(
                            ruled.categorised + assigned.categorised,
                            ruled.assigned + assigned.assigned, ruled.tagged),
                        pending=fresh.pending, settled=len(replaced.matches),
                        removed=len(replaced.stale))


async def _replace(account: Account, replaced: Replacement, connection: Any) -> list[date]:
    """Settle the matched pending rows and delete the stale ones; the dates they touched."""
    for match in replaced.matches:
        await settle(account, match.pending.row, match.booked.parsed, connection)
    stale = [row.id for row in replaced.stale]
    if stale:
        await Transaction.filter(id__in=stale).using_db(connection).delete()
        await TagLink.filter(entity_type=TaggedKind.TRANSACTION,
                             entity_id__in=stale).using_db(connection).delete()
    return [row.booking_date for row in replaced.stale] + [
        d for m in replaced.matches for d in (m.pending.row.booking_date, m.booked.booking_date)]


def _check(account: Account, rows: Sequence[ParsedTransaction],
           ) -> tuple[list[tuple[ParsedTransaction, int]], list[RowError]]:
    """Each row with its units, or the reasons it cannot be stored."""
    checked: list[tuple[ParsedTransaction, int]] = []
    errors: list[RowError] = []
    for row in rows:
        try:
            units = to_units(row.amount)
        except ValueError as exc:
            errors.append(RowError(row.row, str(exc)))
            continue
        currency = (row.currency or account.currency).upper()
        if currency != account.currency:
            errors.append(RowError(row.row, f"the amount is in {currency}, the account in "
                                            f"{account.currency}"))
            continue
        checked.append((row, units))
    return checked, errors


class _Fresh:
    """The rows the account does not hold yet (by provider id or fingerprint), found one by one
    as `select` is read, with their count, the first few, and the span of their dates."""

    def __init__(self, account_id: int, known_ids: set[str], known_prints: set[str]) -> None:
        self.account_id = account_id
        self.known_ids = known_ids  # grows with the rows selected
        self.known_prints = known_prints
        self.count = 0
        self.pending = 0
        self.preview: list[ParsedTransaction] = []
        self.first: date | None = None
        self.last: date | None = None

    def select(self, checked: Iterable[tuple[ParsedTransaction, int]],
               ) -> Iterator[tuple[ParsedTransaction, int, str]]:
        seen: dict[str, int] = {}  # occurrences so far
        for row, units in checked:
            same = identity(self.account_id, row_key(row, units))
            occurrence = seen.get(same, 0)
            seen[same] = occurrence + 1
            print_ = hashed(same, occurrence)
            if print_ in self.known_prints or (
                    row.provider_id and row.provider_id in self.known_ids):
                continue
            self.known_prints.add(print_)
            if row.provider_id:
                self.known_ids.add(row.provider_id)
            self.count += 1
            self.pending += row.status is TransactionStatus.PENDING
            if len(self.preview) < PREVIEW:
                self.preview.append(row)
            day = row.booking_date
            if self.first is None or day < self.first:
                self.first = day
            if self.last is None or day > self.last:
                self.last = day
            yield row, units, print_


def _any_new(account: Account, checked: Sequence[tuple[ParsedTransaction, int]],
             known_ids: set[str], known_prints: set[str]) -> bool:
    """Whether a row is new, reading no further than the first new one (at once for a new
    file; the whole file when nothing is new, which then writes nothing)."""
    probe = _Fresh(account.id, set(known_ids), set(known_prints))
    return next(probe.select(checked), None) is not None


@dataclass
class _Assigned:
    categorised: int = 0
    assigned: int = 0
    undecided: int = 0


def _values(account: Account, batch_id: int,
            fresh: Iterable[tuple[ParsedTransaction, int, str]], assigner: Assigner,
            counts: _Assigned, *, dates_as_text: bool) -> Iterator[list[Any]]:
    """The rows as plain parameters (100k Tortoise instances would cost more than everything
    else an import does), each with the category and client the rules give it.
    `dates_as_text`: as the text SQLite's adapters would make of them (100k calls to them
    cost 0.3 s)."""
    moment = datetime.now(UTC)
    now: datetime | str = moment.isoformat(" ") if dates_as_text else moment
    encode = Transaction._meta.fields_map["raw_payload"].encoder  # type: ignore[attr-defined]
    for row, units, print_ in fresh:
        description = row.description[:1000]
        counterparty = _clip(row.counterparty_name, 200)
        iban = _clip(row.counterparty_iban, 34)
        decided = assigner.assign(description, counterparty, iban, units)
        if decided is None:
            counts.undecided += 1
            category = client = None
        else:
            category, client = decided
            counts.categorised += category is not None
            counts.assigned += client is not None
        booked: date | str | None = row.booking_date
        valued: date | str | None = row.value_date
        if dates_as_text:
            booked = row.booking_date.isoformat()
            valued = None if row.value_date is None else row.value_date.isoformat()
        yield [account.owner_id, account.id, booked, valued, units,
               account.currency, description, counterparty, iban, _clip(row.reference, 200),
               row.status.value, _clip(row.provider_id, 200), print_,
               encode(row.raw) if row.raw else None, batch_id, category, client, now, now]


def _copier(connection: BaseDBAsyncClient) -> Any:
    """The asyncpg connection under a PostgreSQL transaction, or None (SQLite)."""
    raw: Any = getattr(connection, "_connection", None)
    return raw if db.dialect() == "postgres" and hasattr(raw, "copy_records_to_table") else None


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value else None


async def _existing(account: Account, checked: Sequence[tuple[ParsedTransaction, int]],
                    ) -> tuple[set[str], set[str]]:
    """The provider ids and fingerprints the account already holds over the file's dates."""
    if not checked:
        return set(), set()
    dates = [row.booking_date for row, _ in checked]
    # Plain rows, not a queryset: a file's span can hold 100k of them.
    prints = {str(found[0]) for found in await db.fetch(
        "SELECT fingerprint FROM transactions WHERE account_id = ? AND booking_date >= ? "
        "AND booking_date <= ?", [account.id, min(dates), max(dates)])}
    wanted = sorted({row.provider_id for row, _ in checked if row.provider_id})
    ids: set[str] = set()
    for start in range(0, len(wanted), 500):
        found = await Transaction.filter(
            account_id=account.id, provider_id__in=wanted[start:start + 500],
        ).values_list("provider_id", flat=True)
        ids.update(str(value) for value in found)
    return ids, prints
