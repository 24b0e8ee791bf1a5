"""Bank files into transactions: CSV (any common layout), OFX/QFX/QBO, QIF, MT940/MT942 and
ISO 20022 camt.052, camt.053 and camt.054.

Every parser returns a `ParsedFile`: the rows it understood and, for the others, row-numbered
errors; what it decided and why (`notes`, and for CSV the `mapping` it detected, which a person
can correct and send back). It never writes; `finance.ingest` decides (a file with any bad row
writes nothing).

The rule that matters most: never a wrong amount, sign, date or count without a word. Where a
file can be read two ways (dates that fit day-first and month-first, a column whose separator
could be decimal or thousands, card exports that may write purchases as positive numbers, a file
holding several accounts) the parser raises `BadUserInput` naming the ambiguity and the
`mapping.*` field that settles it, instead of guessing. Messages are ours, written for a person;
a library's own text never reaches the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from ai_service.core.errors import BadUserInput
from ai_service.finance.models import AccountType, ImportFormat, TransactionStatus

MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000  # a file's worth of work and memory (most exports are a few thousand rows)
MAX_ERRORS = 200


class AmountSign(StrEnum):
    """How a file signs its amounts, when it has no debit/credit mark of its own."""

    NORMAL = "NORMAL"  # money out is negative (what banks write for current accounts)
    INVERTED = "INVERTED"  # money out is positive (many card exports write purchases so)


class ColumnRole(StrEnum):
    DATE = "DATE"
    VALUE_DATE = "VALUE_DATE"
    AMOUNT = "AMOUNT"
    DEBIT = "DEBIT"
    CREDIT = "CREDIT"
    INDICATOR = "INDICATOR"  # a debit/credit mark (D/C, S/H, Af/Bij, DBIT/CRDT ...)
    FEE = "FEE"
    BALANCE = "BALANCE"
    CURRENCY = "CURRENCY"
    DESCRIPTION = "DESCRIPTION"
    COUNTERPARTY = "COUNTERPARTY"
    COUNTERPARTY_IBAN = "COUNTERPARTY_IBAN"
    REFERENCE = "REFERENCE"
    STATUS = "STATUS"  # booked / pending / declined
    ACCOUNT = "ACCOUNT"  # the account holder's own account (files with several)
    ID = "ID"


@dataclass(frozen=True)
class ImportTarget:
    """What the parsers know of the account a file goes into."""

    currency: str
    iban: str | None = None
    type: AccountType = AccountType.CHECKING


@dataclass(frozen=True)
class ImportMapping:
    """What a person (or a mapping saved for the account) says about a file; every field left
    None is detected. CSV columns are named by their header, or `Column N` (1-based) in a file
    without one."""

    date: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    description: str | None = None
    counterparty: str | None = None
    counterparty_iban: str | None = None
    reference: str | None = None
    value_date: str | None = None
    currency: str | None = None
    indicator: str | None = None
    fee: str | None = None
    balance: str | None = None
    status: str | None = None
    date_format: str | None = None  # strptime, e.g. %d.%m.%Y
    decimal_comma: bool | None = None
    delimiter: str | None = None
    header_row: int | None = None  # 1-based line of the header; 0: the file has none
    amount_sign: AmountSign | None = None
    encoding: str | None = None
    account: str | None = None  # which account of a file that holds several (as written)

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}

    def over(self, saved: ImportMapping) -> ImportMapping:
        """This mapping, with what it leaves open taken from `saved`."""
        return replace(saved, **self.given())


CsvMapping = ImportMapping  # the name the GraphQL input has always had


@dataclass(slots=True)  # not frozen: a 100k-row file builds 100k of them
class ParsedTransaction:
    row: int  # where it came from: a CSV line (header = 1), or the n-th entry of a statement
    booking_date: date
    amount: Decimal
    description: str = ""
    value_date: date | None = None
    currency: str | None = None  # None: the account's
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    reference: str | None = None
    provider_id: str | None = None  # the file's own id (OFX FITID, camt AcctSvcrRef)
    status: TransactionStatus = TransactionStatus.BOOKED
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    message: str


@dataclass(frozen=True)
class DetectedColumn:
    index: int  # 0-based
    name: str
    role: ColumnRole | None  # None: not read
    sample: str = ""


@dataclass(frozen=True)
class DetectedMapping:
    """How the file was read: shown to the person importing, who can correct any of it."""

    format: ImportFormat
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None
    columns: tuple[DetectedColumn, ...] = ()
    date_format: str | None = None
    decimal_comma: bool | None = None
    amount_sign: AmountSign | None = None
    account: str | None = None  # the account of the file that was read
    accounts: tuple[str, ...] = ()  # every account the file holds

    def as_mapping(self) -> ImportMapping:
        """The same reading, as a mapping to send back corrected or to save."""
        by_role = {c.role: c.name for c in self.columns if c.role is not None}
        return ImportMapping(
            date=by_role.get(ColumnRole.DATE), amount=by_role.get(ColumnRole.AMOUNT),
            debit=by_role.get(ColumnRole.DEBIT), credit=by_role.get(ColumnRole.CREDIT),
            description=by_role.get(ColumnRole.DESCRIPTION),
            counterparty=by_role.get(ColumnRole.COUNTERPARTY),
            counterparty_iban=by_role.get(ColumnRole.COUNTERPARTY_IBAN),
            reference=by_role.get(ColumnRole.REFERENCE),
            value_date=by_role.get(ColumnRole.VALUE_DATE),
            currency=by_role.get(ColumnRole.CURRENCY),
            indicator=by_role.get(ColumnRole.INDICATOR), fee=by_role.get(ColumnRole.FEE),
            balance=by_role.get(ColumnRole.BALANCE), status=by_role.get(ColumnRole.STATUS),
            date_format=self.date_format, decimal_comma=self.decimal_comma,
            delimiter=self.delimiter, header_row=self.header_row,
            amount_sign=self.amount_sign, encoding=self.encoding, account=self.account)


@dataclass(frozen=True)
class StatementBalance:
    """A balance the file states (OFX LEDGERBAL, camt CLBD, MT940 :62F:, a balance column)."""

    amount: Decimal
    on: date | None


@dataclass
class ParsedFile:
    rows: list[ParsedTransaction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: int = 0
    currency: str | None = None  # the statement's, when the format says
    skipped: int = 0  # left out on purpose (declined, information only, not a transaction)
    notes: list[str] = field(default_factory=list)  # what was decided, for the person
    mapping: DetectedMapping | None = None
    opening: StatementBalance | None = None
    closing: StatementBalance | None = None

    def reject(self, row: int, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, message))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def read_limited(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BadUserInput(f"The file is larger than {limit // 1024 // 1024} MiB", field="file")
    return data


def parse_file(stream: IO[bytes], fmt: ImportFormat | None, mapping: ImportMapping | None = None,
               target: ImportTarget | None = None) -> ParsedFile:
    return parse_bytes(read_limited(stream), fmt, mapping, target)


def too_many_rows(count: int) -> None:
    if count > MAX_ROWS:
        raise BadUserInput(f"The file holds {count:,} transactions, more than the {MAX_ROWS:,} "
                           "one import takes: export it in parts (by year, say) and import each",
                           field="file")


def parse_bytes(data: bytes, fmt: ImportFormat | None, mapping: ImportMapping | None = None,
                target: ImportTarget | None = None) -> ParsedFile:
    """The file read in its format (detected when `fmt` is None)."""
    parsed = _parse(data, fmt, mapping, target)
    too_many_rows(len(parsed.rows) + parsed.rejected)
    return parsed


def _parse(data: bytes, fmt: ImportFormat | None, mapping: ImportMapping | None,
           target: ImportTarget | None) -> ParsedFile:
    from ai_service.finance.imports.sniff import detect_format

    mapping = mapping or ImportMapping()
    target = target or ImportTarget(currency="EUR")
    if not data.strip():
        raise BadUserInput("The file is empty", field="file")
    fmt = fmt or detect_format(data)
    if fmt is ImportFormat.CSV:
        from ai_service.finance.imports.csvfile import parse_csv

        return parse_csv(data, mapping, target)
    if fmt is ImportFormat.OFX:
        from ai_service.finance.imports.ofx import parse_ofx

        return parse_ofx(data, mapping, target)
    if fmt is ImportFormat.QIF:
        from ai_service.finance.imports.qif import parse_qif

        return parse_qif(data, mapping, target)
    if fmt is ImportFormat.MT940:
        from ai_service.finance.imports.mt940 import parse_mt940

        return parse_mt940(data, mapping, target)
    from ai_service.finance.imports.camt import parse_camt

    return parse_camt(data, fmt, mapping, target)
