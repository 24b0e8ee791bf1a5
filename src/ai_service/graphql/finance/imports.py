"""GraphQL of bank-file imports: the mapping a person gives or corrects (CsvMappingInput, for
every format despite its name), the reading the importer detected (ImportMapping, in the same
terms, so a client can show it and send it back corrected), and the report of an import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from ai_service.finance.imports import (
    AmountSign,
    ColumnRole,
    DetectedColumn,
    DetectedMapping,
    ImportMapping,
)
from ai_service.finance.ingest import IngestReport
from ai_service.finance.models import ImportFormat

strawberry.enum(ImportFormat, name="ImportFormat")
strawberry.enum(AmountSign, name="AmountSign", description="How a file signs money out when "
                "it has no debit/credit mark: NORMAL writes it negative, INVERTED positive "
                "(many card exports write purchases so).")
strawberry.enum(ColumnRole, name="ImportColumnRole")


@strawberry.input
class CsvMappingInput:
    """Corrections to how a bank file is read; anything left out is detected. Columns are
    named as the file's header writes them, or `Column N` (1-based) in a file without one."""

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
    indicator: str | None = strawberry.field(
        default=None, description="The column that marks each amount debit or credit.")
    fee: str | None = strawberry.field(
        default=None, description="A column of fees taken from the amount.")
    balance: str | None = strawberry.field(default=None,
                                           description="A running-balance column.")
    status: str | None = strawberry.field(
        default=None, description="The column that says booked, pending or declined.")
    date_format: str | None = strawberry.field(default=None,
                                               description="strptime, e.g. %d.%m.%Y")
    decimal_comma: bool | None = None
    delimiter: str | None = None
    header_row: int | None = strawberry.field(
        default=None, description="The header's line (1-based); 0: the file has none.")
    amount_sign: AmountSign | None = None
    encoding: str | None = strawberry.field(default=None,
                                            description="e.g. utf-8, cp1252, utf-16")
    account: str | None = strawberry.field(
        default=None, description="Which account of a file that holds several, as the file "
                                  "writes it (an IBAN, an account number or name).")

    def as_mapping(self) -> ImportMapping:
        return ImportMapping(**{name: getattr(self, name)
                                for name in ImportMapping.__dataclass_fields__})


@strawberry.type(name="ImportColumn")
class ImportColumnType:
    index: int = strawberry.field(description="0-based.")
    name: str
    role: ColumnRole | None = strawberry.field(description="Null: not read.")
    sample: str = strawberry.field(description="The first transaction's value.")

    @classmethod
    def of(cls, column: DetectedColumn) -> ImportColumnType:
        return cls(index=column.index, name=column.name, role=column.role, sample=column.sample)


@strawberry.type(name="ImportMapping")
class ImportMappingType:
    """A reading of a bank file, in the terms of CsvMappingInput."""

    format: ImportFormat | None
    encoding: str | None
    delimiter: str | None
    header_row: int | None
    date_format: str | None
    decimal_comma: bool | None
    amount_sign: AmountSign | None
    account: str | None = strawberry.field(description="The account of the file read.")
    accounts: list[str] = strawberry.field(description="Every account the file holds.")
    columns: list[ImportColumnType]
    date: str | None
    value_date: str | None
    amount: str | None
    debit: str | None
    credit: str | None
    indicator: str | None
    fee: str | None
    balance: str | None
    currency: str | None
    description: str | None
    counterparty: str | None
    counterparty_iban: str | None
    reference: str | None
    status: str | None

    @classmethod
    def of(cls, mapping: ImportMapping, detected: DetectedMapping | None = None
           ) -> ImportMappingType:
        return cls(
            format=detected.format if detected else None, encoding=mapping.encoding,
            delimiter=mapping.delimiter, header_row=mapping.header_row,
            date_format=mapping.date_format, decimal_comma=mapping.decimal_comma,
            amount_sign=mapping.amount_sign, account=mapping.account,
            accounts=list(detected.accounts) if detected else [],
            columns=[ImportColumnType.of(c) for c in detected.columns] if detected else [],
            date=mapping.date, value_date=mapping.value_date, amount=mapping.amount,
            debit=mapping.debit, credit=mapping.credit, indicator=mapping.indicator,
            fee=mapping.fee, balance=mapping.balance, currency=mapping.currency,
            description=mapping.description, counterparty=mapping.counterparty,
            counterparty_iban=mapping.counterparty_iban, reference=mapping.reference,
            status=mapping.status)

    @classmethod
    def detected(cls, detected: DetectedMapping) -> ImportMappingType:
        return cls.of(detected.as_mapping(), detected)


@strawberry.type
class ImportRowError:
    row: int
    message: str


@strawberry.type
class ImportPreviewRow:
    row: int
    booking_date: date
    amount: Decimal
    description: str
    counterparty_name: str | None
    pending: bool


@strawberry.type
class ImportReport:
    rows: int
    inserted: int = strawberry.field(description="With dryRun: how many would be.")
    duplicates: int
    rejected: int
    stored: bool
    dry_run: bool
    errors: list[ImportRowError]
    preview: list[ImportPreviewRow] = strawberry.field(description="The first new rows.")
    categorised_by_rules: int
    pending: int = strawberry.field(description="Of the new ones, how many are pending.")
    settled: int = strawberry.field(
        description="Pending transactions of the account that booked ones of the file "
                    "replaced (they keep their category, tags and client).")
    removed: int = strawberry.field(
        description="Pending transactions of the account the file shows were never booked.")
    skipped: int = strawberry.field(
        description="Lines left out on purpose (declined, balances, other accounts): see notes.")
    notes: list[str] = strawberry.field(description="What the importer decided, and why.")
    mapping: ImportMappingType | None = strawberry.field(
        description="How the file was read: correct any of it and import again.")
    statement_balance: Decimal | None = strawberry.field(
        description="The balance the file states at its end, when it states one.")
    statement_date: date | None

    @classmethod
    def of(cls, report: IngestReport) -> ImportReport:
        return cls(rows=report.rows, inserted=report.inserted, duplicates=report.duplicates,
                   rejected=report.rejected, stored=report.stored, dry_run=report.dry_run,
                   errors=[ImportRowError(row=e.row, message=e.message) for e in report.errors],
                   preview=[ImportPreviewRow(row=p.row, booking_date=p.booking_date,
                                             amount=p.amount, description=p.description,
                                             counterparty_name=p.counterparty_name,
                                             pending=p.status.value == "PENDING")
                            for p in report.preview],
                   categorised_by_rules=report.rules.categorised, pending=report.pending,
                   settled=report.settled, removed=report.removed, skipped=report.skipped,
                   notes=report.notes,
                   mapping=None if report.mapping is None else ImportMappingType.detected(
                       report.mapping),
                   statement_balance=report.closing.amount if report.closing else None,
                   statement_date=report.closing.on if report.closing else None)
