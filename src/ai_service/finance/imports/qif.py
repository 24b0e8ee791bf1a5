"""QIF (Quicken Interchange Format): a line format of records ended by `^`, each line a code
letter and a value (D date, T amount, P payee, M memo, N number, S/E/$ a split).

A reader of its own rather than quiffen: quiffen makes the caller choose the day/month order
(`day_first`) and then reads any date it is given, with dateutil guessing what it cannot parse
(`03/25/099Share Withdrawal` becomes a date), and merges every section into one account.
QIF writes no date format, so the order is read from the dates themselves: a day above 12
decides it; when every date fits both orders, the order in which exactly one reading puts the
records in date order (ascending or descending) decides it; otherwise the person says it with
`mapping.dateFormat`. Years come as 1998, 98 or Quicken's '98 and ' 0 (a 2-digit year is
1969-2068, as strptime reads %y).

Sections: Bank, Cash, CCard, Oth A and Oth L are accounts whose records are transactions (a
split's lines are parts of its T total, never added again); Invst is an account whose records
are left out with a note; lists (Cat, Class, Security, Memorized, Prices) are not transactions.
An account is named by the `!Account` block before it, else by its section type.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import (
    DetectedMapping,
    ImportMapping,
    ImportTarget,
    ParsedFile,
    ParsedTransaction,
)
from ai_service.finance.imports.statements import choose_account, quoted
from ai_service.finance.models import ImportFormat

_CASH_SECTIONS = {"BANK": "Bank", "CASH": "Cash", "CCARD": "CCard", "OTH A": "Oth A",
                  "OTH L": "Oth L"}
_LINES = re.compile(r"\r\n|\r|\n")  # only these: str.splitlines() also splits on \x85
_DATE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_ORDERS = {"MDY": "%m/%d/%Y", "DMY": "%d/%m/%Y"}
_POINT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?")
_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)?(,\d*)?")


@dataclass
class _Record:
    line: int
    fields: dict[str, str] = field(default_factory=dict)  # code: the first value


@dataclass
class _Account:
    name: str
    kind: str
    records: list[_Record] = field(default_factory=list)


def parse_qif(data: bytes, mapping: ImportMapping, target: ImportTarget) -> ParsedFile:
    text, encoding = _decode(data)
    accounts = _accounts(text)
    if not accounts:
        raise BadUserInput("This QIF file holds no account with transactions (no Bank, Cash, "
                           "CCard, Oth A, Oth L or Invst section)", field="file")
    names = list(accounts)
    # An Invst section is left out whole: only cash sections are accounts to choose from.
    cash = [name for name in names if accounts[name].kind != "Invst"]
    chosen = choose_account(cash or names, mapping, target)
    account = accounts[chosen]
    if account.kind == "Invst":
        parsed = ParsedFile(mapping=DetectedMapping(
            format=ImportFormat.QIF, encoding=encoding, account=chosen, accounts=tuple(names)))
        parsed.skipped = len(account.records)
        parsed.note(f"{len(account.records)} investment transactions (the QIF Invst section) "
                    "were left out: only the transactions of cash, bank and card accounts are "
                    "imported")
        return parsed
    written = [r.fields.get("D", "") for a in accounts.values() if a.kind != "Invst"
               for r in a.records]
    order = _date_order(written, mapping)
    decimal_comma = _decimal_comma(account, mapping)
    parsed = ParsedFile(mapping=DetectedMapping(
        format=ImportFormat.QIF, encoding=encoding, account=chosen, accounts=tuple(names),
        date_format=_ORDERS[order] if order else None, decimal_comma=decimal_comma))
    parsed.note(f"QIF files do not say their currency: the amounts are read as "
                f"{target.currency}, the account's")
    invested = sum(len(a.records) for a in accounts.values() if a.kind == "Invst")
    if invested:
        parsed.skipped = invested
        parsed.note(f"{invested} investment transactions (the QIF Invst section) were left "
                    "out: only the transactions of cash, bank and card accounts are imported")
    for number, record in enumerate(account.records, start=1):
        try:
            parsed.rows.append(_transaction(number, record, order, decimal_comma,
                                            mapping.date_format))
        except ValueError as problem:
            parsed.reject(number, f"Transaction {number} (line {record.line}): {problem}")
    return parsed


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # every byte is a character in latin-1


def _accounts(text: str) -> dict[str, _Account]:
    """The accounts of the file by name, in file order, with their records."""
    accounts: dict[str, _Account] = {}
    named: str | None = None  # the name the last !Account block gave
    section: _Account | None = None  # where the records go (None: a list, not transactions)
    listing: list[_Record] | None = None  # the records of an !Account block
    record: _Record | None = None
    for number, raw in enumerate(_LINES.split(text), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            header = line[1:].upper()
            record, section, listing = None, None, None
            if header == "ACCOUNT":
                listing = []
            elif not header.startswith("TYPE:"):
                named = None  # !Option:AutoSwitch, !Clear:AutoSwitch: a list of accounts
            elif header.startswith("TYPE:"):
                kind = line[6:].strip()
                kind = _CASH_SECTIONS.get(kind.upper(), "Invst" if kind.upper() == "INVST"
                                          else "")
                if kind:
                    name = named or kind
                    section = accounts.setdefault(name, _Account(name, kind))
                    named = None
            continue
        if line == "^":
            if listing is not None and record is not None and record.fields.get("N"):
                named = record.fields["N"]
            record = None
            continue
        target = section.records if section is not None else listing
        if target is None:
            continue  # a list (categories, classes, securities) or text before any section
        if record is None:
            record = _Record(number)
            target.append(record)
        record.fields.setdefault(line[0], line[1:].strip())  # a split's own D is not its date
    return accounts


def _date_parts(written: str) -> tuple[int, int, int] | None:
    """The three numbers of a QIF date (2/14'2020, 1/ 5'98, 25.12.2019, 2019-12-25), or None
    (also for a 3-digit year, 099: no reading of it is safe)."""
    found = _DATE.fullmatch(re.sub(r"\s+", "", written).replace("'", "/"))
    if found is None or len(found.group(3)) == 3:
        return None
    first, second, third = (int(part) for part in found.groups())
    return first, second, third


def _year(written: int) -> int:
    if written >= 1000:
        return written
    return 2000 + written if written < 69 else 1900 + written


def _make(parts: tuple[int, int, int], order: str | None) -> date | None:
    first, second, third = parts
    try:
        if first >= 1000:  # year first: the order is plain
            return date(first, second, third)
        if order is None:
            return None
        month, day = (first, second) if order == "MDY" else (second, first)
        return date(_year(third), month, day)
    except ValueError:
        return None


def _date_order(written: list[str], mapping: ImportMapping) -> str | None:
    """MDY or DMY (None when no date can be read at all: those rows are refused one by one)."""
    if mapping.date_format is not None:
        return _order_of(mapping.date_format)
    dates = [p for w in written if (p := _date_parts(w)) is not None and p[0] < 1000]
    # Only dates with the year last tell the order of day and month.
    if not dates:
        return None
    readable = [o for o in _ORDERS if all(_make(p, o) is not None for p in dates)]
    if len(readable) == 1:
        return readable[0]
    if not readable:  # some dates are broken: the order that reads the most of them
        counts = {o: sum(_make(p, o) is not None for p in dates) for o in _ORDERS}
        best = max(counts.values())
        readable = [o for o in _ORDERS if counts[o] == best]
        if len(readable) == 1:
            return readable[0]
    in_order = [o for o in readable if _monotonic([_make(p, o) for p in dates])]
    if len(in_order) == 1:
        return in_order[0]
    example = next(w for w in written if (p := _date_parts(w)) is not None and p[0] < 1000)
    raise BadUserInput(f"The dates of this file (such as {example.strip()}) read as month/day "
                       "and as day/month alike: set mapping.dateFormat to %m/%d/%Y (month "
                       "first) or %d/%m/%Y (day first)", field="mapping.dateFormat")


def _order_of(date_format: str) -> str:
    positions = {code: date_format.find(code) for code in ("%d", "%m")}
    if -1 in positions.values():
        raise BadUserInput(f"The date format {date_format} does not say where the day (%d) and "
                           "the month (%m) are: use %m/%d/%Y or %d/%m/%Y",
                           field="mapping.dateFormat")
    return "MDY" if positions["%m"] < positions["%d"] else "DMY"


def _monotonic(dates: list[date | None]) -> bool:
    known = [d for d in dates if d is not None]
    pairs = list(itertools.pairwise(known))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)


def _decimal_comma(account: _Account, mapping: ImportMapping) -> bool:
    """Whether amounts write a decimal comma (1.234,56) rather than a point (1,234.56)."""
    if mapping.decimal_comma is not None:
        return mapping.decimal_comma
    amounts = [a for r in account.records if (a := r.fields.get("T") or r.fields.get("U"))]
    comma = any(re.search(r",\d{1,2}$|\.\d{3},", a) for a in amounts)
    point = any(re.search(r"\.\d{1,2}$|,\d{3}\.", a) for a in amounts)
    if comma and point:
        raise BadUserInput("The amounts of this file write decimals both with a point and "
                           "with a comma: set mapping.decimalComma", field="mapping.decimalComma")
    unclear = next((a for a in amounts if re.search(r"[.,]\d{3}$", a)), None)
    if not comma and not point and unclear is not None:
        raise BadUserInput(f"The amounts of this file (such as {unclear}) do not show their "
                           "decimal mark: set mapping.decimalComma", field="mapping.decimalComma")
    return comma


def _amount(written: str, decimal_comma: bool) -> Decimal | None:
    plain = written.replace(" ", "")
    if not (_COMMA if decimal_comma else _POINT).fullmatch(plain) or not re.search(r"\d", plain):
        return None
    thousands, decimal = (".", ",") if decimal_comma else (",", ".")
    return Decimal(plain.replace(thousands, "").replace(decimal, "."))


def _transaction(number: int, record: _Record, order: str | None, decimal_comma: bool,
                 given_format: str | None) -> ParsedTransaction:
    fields = record.fields
    written_date = fields.get("D")
    if not written_date:
        raise ValueError("it has no date (a D line)")
    parts = _date_parts(written_date)
    if parts is None:
        raise ValueError(f"the date {quoted(written_date)} cannot be read: correct its D line")
    booking = _make(parts, order)
    if booking is None and given_format:
        raise ValueError(f"the date {quoted(written_date)} does not fit the date format "
                         f"{given_format} (mapping.dateFormat)")
    if booking is None:
        raise ValueError(f"the date {quoted(written_date)} is not a real date")
    written_amount = fields.get("T") or fields.get("U")
    if not written_amount:
        raise ValueError("it has no amount (a T line)")
    amount = _amount(written_amount, decimal_comma)
    if amount is None:
        raise ValueError(f"the amount {quoted(written_amount)} is not a number")
    payee = fields.get("P") or None
    memo = fields.get("M") or ""
    raw: dict[str, Any] = {"line": record.line, "date": written_date, "amount": written_amount,
                           "payee": payee, "memo": memo, "number": fields.get("N"),
                           "category": fields.get("L"), "cleared": fields.get("C")}
    return ParsedTransaction(row=number, booking_date=booking, amount=amount,
                             description=memo or (payee or ""), counterparty_name=payee,
                             reference=fields.get("N") or None, raw=raw)
