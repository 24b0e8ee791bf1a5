"""CSV exports of any common bank layout.

The header decides: known names (English, German, French, Spanish, Dutch, Italian) map to the
fields, a `CsvMapping` names the others. The delimiter is sniffed (`,` `;` tab `|`); a decimal
comma is assumed when most amounts look like `1.234,56`; day-first or month-first dates are
told apart by the values themselves (a 13 in the first place means day-first), day-first when
nothing tells. One amount column, or debit and credit columns.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import CsvMapping, ParsedFile, ParsedTransaction
from ai_service.finance.money import parse_amount

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "booking date", "bookingdate", "booking_date", "transaction date",
             "posted date", "posting date", "date posted", "buchungstag", "buchungsdatum",
             "datum", "fecha", "data", "fecha operación", "date d'opération", "boekdatum"),
    "value_date": ("value date", "value_date", "valuta", "valutadatum", "wertstellung",
                   "fecha valor", "date de valeur", "rentedatum"),
    "amount": ("amount", "transaction amount", "betrag", "umsatz", "importe", "montant",
               "bedrag", "importo", "value", "amount (eur)", "betrag (eur)"),
    "debit": ("debit", "withdrawal", "withdrawals", "money out", "paid out", "soll",
              "ausgang", "débit", "cargo", "af"),
    "credit": ("credit", "deposit", "deposits", "money in", "paid in", "haben", "eingang",
               "crédit", "abono", "bij"),
    "description": ("description", "memo", "details", "narrative", "purpose",
                    "verwendungszweck", "buchungstext", "concepto", "libellé", "libelle",
                    "omschrijving", "descrizione", "text", "transaction details"),
    "counterparty": ("counterparty", "counterparty name", "payee", "payer", "name",
                     "beneficiary", "recipient", "merchant", "empfänger", "auftraggeber",
                     "auftraggeber / empfänger", "zahlungsempfänger", "beguenstigter",
                     "naam / omschrijving", "beneficiario"),
    "counterparty_iban": ("iban", "counterparty iban", "counterparty account",
                          "account number", "kontonummer", "tegenrekening", "iban empfänger"),
    "reference": ("reference", "ref", "end to end id", "end-to-end-id", "mandate reference",
                  "referenz", "kundenreferenz", "référence"),
    "currency": ("currency", "währung", "devise", "moneda", "valuta code", "ccy"),
    "id": ("id", "transaction id", "transaction_id", "fitid"),
}
# The fields a row is read into, in the order `parse_csv` unpacks them.
_FIELDS = ("date", "value_date", "amount", "debit", "credit", "description", "counterparty",
           "counterparty_iban", "reference", "currency", "id")
_DATE_PATTERNS = (
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "%Y-%m-%d"),
    (re.compile(r"\d{4}/\d{1,2}/\d{1,2}"), "%Y/%m/%d"),
    (re.compile(r"\d{8}"), "%Y%m%d"),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), "%d.%m.%Y"),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{2}"), "%d.%m.%y"),
    (re.compile(r"\d{1,2} [A-Za-z]{3} \d{4}"), "%d %b %Y"),
)
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{2}|\d{4})")
_DECIMAL_COMMA = re.compile(r"^[-+(]?[\d.\s']*,\d{1,4}\)?-?$")


def _norm(name: str) -> str:
    return " ".join(name.strip().strip('"').lower().replace("_", " ").split())


def _columns(header: list[str], mapping: CsvMapping) -> dict[str, int]:
    index = {_norm(name): i for i, name in enumerate(header)}
    found: dict[str, int] = {}
    for fieldname, names in _SYNONYMS.items():
        given = getattr(mapping, fieldname, None)
        if given:
            if _norm(given) not in index:
                raise BadUserInput(f"The file has no column {given!r} (columns: "
                                   f"{', '.join(header)[:300]})", field=f"mapping.{fieldname}")
            found[fieldname] = index[_norm(given)]
            continue
        for name in names:
            if _norm(name) in index:
                found[fieldname] = index[_norm(name)]
                break
    if "date" not in found:
        raise BadUserInput("No date column found: name it with mapping.date (columns: "
                           f"{', '.join(header)[:300]})", field="mapping.date")
    if "amount" not in found and not ("debit" in found or "credit" in found):
        raise BadUserInput("No amount column found: name it with mapping.amount, or "
                           "mapping.debit and mapping.credit", field="mapping.amount")
    return found


def _date_format(values: Iterable[str]) -> str | None:
    """The format of the slashed or dashed d/m/y dates, decided by the values."""
    day_first = month_first = False
    for value in values:
        match = _SLASHED.fullmatch(value.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(3))
            day_first |= first > 12
            month_first |= second > 12
    if day_first and month_first:
        return None
    order = "%m/%d" if month_first else "%d/%m"
    return order


def _parse_date(value: str, slashed_order: str, explicit: str | None) -> date:
    text = value.strip()
    if explicit:
        return datetime.strptime(text, explicit).date()
    text = text.split("T")[0].split(" ")[0] if re.match(r"\d{4}-", text) else text
    match = _SLASHED.fullmatch(text)
    if match:
        year = "%Y" if len(match.group(4)) == 4 else "%y"
        sep = match.group(2)
        return datetime.strptime(text, slashed_order.replace("/", sep) + sep + year).date()
    for pattern, fmt in _DATE_PATTERNS:
        if pattern.fullmatch(text):
            return datetime.strptime(text, fmt).date()
    raise ValueError(f"{text[:30]!r} is not a date")


def _sniff(text: str, mapping: CsvMapping) -> str:
    if mapping.delimiter:
        return mapping.delimiter
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def parse_csv(data: bytes, mapping: CsvMapping) -> ParsedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # older exports from Windows banks
    if not text.strip():
        raise BadUserInput("The file is empty", field="file")
    if "\x00" in text[:4096]:
        raise BadUserInput("This is not a CSV file", field="file")
    reader = csv.reader(io.StringIO(text), delimiter=_sniff(text, mapping))
    try:
        records = [(number, row) for number, row in enumerate(reader, start=1)
                   if "".join(row).strip()]  # not blank
    except csv.Error as exc:
        raise BadUserInput(f"The CSV cannot be read: {exc}", field="file") from None
    if not records:
        raise BadUserInput("The file is empty", field="file")
    header_number, header = records[0]
    columns = _columns(header, mapping)
    body = records[1:]
    decimal_comma = mapping.decimal_comma
    if decimal_comma is None:  # amounts repeat: each distinct text is matched once
        amount_cells: Counter[str] = Counter()
        for name in ("amount", "debit", "credit"):
            if name in columns:
                at = columns[name]
                amount_cells.update([row[at] for _, row in body if len(row) > at and row[at]])
        commas = sum(count for cell, count in amount_cells.items()
                     if _DECIMAL_COMMA.match(cell.strip()))
        decimal_comma = commas > amount_cells.total() / 2
    order = _date_format({row[columns["date"]] for _, row in body if len(row) > columns["date"]})
    parsed = ParsedFile()
    if order is None and not mapping.date_format:
        raise BadUserInput("The dates mix day-first and month-first: give mapping.dateFormat",
                           field="mapping.dateFormat")

    width = max(columns.values()) + 1
    # Each field's cell in one C call: absent fields read position -1, the empty cell appended
    # to every row (after its raw copy is taken).
    pick = operator.itemgetter(*(columns.get(name, -1) for name in _FIELDS))
    wide = len(header)
    known: dict[str, date] = {}  # statements repeat dates: parse each text once

    def read_date(text: str) -> date:
        day = known.get(text)
        if day is None:
            day = known[text] = _parse_date(text, order or "%d/%m", mapping.date_format)
        return day

    for number, row in body:
        if len(row) < width:
            parsed.reject(number, f"{len(row)} fields, the header has {len(header)}")
            continue
        raw = dict(zip(header, row, strict=False)) if len(row) <= wide else {
            header[i] if i < wide else str(i): value for i, value in enumerate(row)}
        row.append("")
        (booked, valued, amount, debit, credit, description, counterparty, iban, reference,
         currency, provider_id) = pick(row)
        try:
            booking = read_date(booked.strip())
            value_text = valued.strip()
            value_date = read_date(value_text) if value_text else None
            money = _amount(amount.strip() or None, debit.strip() or None,
                            credit.strip() or None, decimal_comma)
        except ValueError as exc:
            parsed.reject(number, str(exc))
            continue
        parsed.rows.append(ParsedTransaction(
            row=number, booking_date=booking, value_date=value_date, amount=money,
            description=description.strip(), currency=currency.strip().upper() or None,
            counterparty_name=counterparty.strip() or None,
            counterparty_iban=iban.strip().replace(" ", "") or None,
            reference=reference.strip() or None, provider_id=provider_id.strip() or None,
            raw=raw))
    del header_number
    return parsed


def _amount(amount: str | None, debit: str | None, credit: str | None,
            decimal_comma: bool) -> Decimal:
    if amount is not None:
        return parse_amount(amount, decimal_comma)
    if debit is None and credit is None:
        raise ValueError("no amount")
    value = Decimal(0)
    if credit is not None:
        value += abs(parse_amount(credit, decimal_comma))
    if debit is not None:
        value -= abs(parse_amount(debit, decimal_comma))
    return value
