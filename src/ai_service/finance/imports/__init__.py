"""Bank files into transactions: CSV (any common layout), OFX/QFX and ISO 20022 camt.053.

Every parser returns a `ParsedFile`: the rows it understood and, for the others, row-numbered
errors. It never writes; `finance.ingest` decides (a file with any bad row writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from ai_service.core.errors import BadUserInput
from ai_service.finance.models import ImportFormat, TransactionStatus

MAX_BYTES = 64 * 1024 * 1024
MAX_ERRORS = 200


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


@dataclass
class ParsedFile:
    rows: list[ParsedTransaction] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: int = 0
    currency: str | None = None  # the statement's, when the format says

    def reject(self, row: int, message: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, message))


@dataclass(frozen=True)
class CsvMapping:
    """Column names for a layout the header detection does not know."""

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
    date_format: str | None = None  # strptime, e.g. %d.%m.%Y
    decimal_comma: bool | None = None
    delimiter: str | None = None


def read_limited(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BadUserInput(f"The file is larger than {limit // 1024 // 1024} MiB", field="file")
    return data


def parse_file(stream: IO[bytes], fmt: ImportFormat, mapping: CsvMapping | None = None,
               ) -> ParsedFile:
    return parse_bytes(read_limited(stream), fmt, mapping)


def parse_bytes(data: bytes, fmt: ImportFormat, mapping: CsvMapping | None = None,
                ) -> ParsedFile:
    if fmt is ImportFormat.CSV:
        from ai_service.finance.imports.csvfile import parse_csv

        return parse_csv(data, mapping or CsvMapping())
    if fmt is ImportFormat.OFX:
        from ai_service.finance.imports.ofx import parse_ofx

        return parse_ofx(data)
    from ai_service.finance.imports.camt import parse_camt053

    return parse_camt053(data)
