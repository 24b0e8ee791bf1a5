"""SWIFT MT940 statements and MT942 interim reports, read field by field.

A reader of its own rather than the mt-940 package: that package fails on a quarter of the
real exports it was tried on (a counterparty on the line after :61:, `:28C: /1`, a malformed
:65: balance), answering with its own text and object reprs, and reads the reversal mark RC as
money in. The fields read here are few and fixed by SWIFT:
- :25: the account (as written), :60F:/:60M: the opening and :62F:/:62M: the closing balance;
- :61: an entry: value date YYMMDD, optional entry date MMDD (the booking date, its year the
  one that puts it nearest the value date, as across New Year), the mark, an optional funds
  code, the amount with a decimal comma; then references and, on the next line, details;
- :86: the entry's information for the account owner (free text, or the German ?20 or the
  Dutch /REMI/ structure).
Marks: C is money in, D money out; RC (reversal of a credit) is money out and RD (reversal of a
debit) money in, as SWIFT defines them. MT942 entries are booked (SWIFT: "entries debited or
credited since the last statement"), said in a note.
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
    StatementBalance,
)
from ai_service.finance.imports.statements import check_balances, choose_account, quoted
from ai_service.finance.models import ImportFormat

_FIELD = re.compile(r":(\d{2}[A-Z]?):(.*)")
_LINES = re.compile(r"\r\n|\r|\n")  # only these: str.splitlines() also splits on \x85
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_END = re.compile(r"-\}?(\{5:.*)?")  # the end of a message: "-", "-}", "-}{5:}"
_ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?\s*(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?\n?"
    r"(?P<amount>\d[\d,]*)(?P<rest>.*)", re.DOTALL)
_TYPE = re.compile(r"[A-Z][A-Z0-9]{3}")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,]*)")
_GERMAN = re.compile(r"\?(\d{2})")  # :86: with ?00 ?20 ... subfields
_DUTCH = re.compile(r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|CSID|MARF|ORDP|BENM|ID|ISDT|CDTRREF|"
                    r"CDTRREFTP|CD|ISSR|USTD|STRD|RTRN|PURP|SVCL|ULTC|ULTD|ADDR|PREF)/")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_WIDTH = 65
_SIGN = {"C": 1, "D": -1, "RC": -1, "RD": 1}


@dataclass
class _Field:
    tag: str
    text: str
    line: int


@dataclass
class _Statement:
    account: str = ""
    fields: list[_Field] = field(default_factory=list)


def parse_mt940(data: bytes, mapping: ImportMapping, target: ImportTarget) -> ParsedFile:
    text, encoding = _decode(data)
    statements = _statements(text)
    if not statements:
        raise BadUserInput("This file is not an MT940 statement: it has no :25: account and "
                           ":61: entries", field="file")
    names = list(dict.fromkeys(s.account for s in statements))
    chosen = choose_account(names, mapping, target)
    parsed = ParsedFile(mapping=DetectedMapping(format=ImportFormat.MT940, encoding=encoding,
                                                account=chosen, accounts=tuple(names)))
    reversals = interim = 0
    for statement in (s for s in statements if s.account == chosen):
        interim += not any(f.tag.startswith(("60", "62")) for f in statement.fields)
        reversals += _read_statement(statement, parsed)
    if interim:
        parsed.note("This is an MT942 interim report: its entries are read as booked, as SWIFT "
                    "defines them. If your bank puts pending entries in it, import the MT940 "
                    "statement instead")
    if reversals:
        parsed.note(f"{reversals} entries are reversals (mark RC or RD): a reversed credit is "
                    "read as money out and a reversed debit as money in")
    check_balances(parsed)
    return parsed


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"  # every byte is a character in latin-1


def _statements(text: str) -> list[_Statement]:
    """The fields of each statement (from :20: to the next), continuation lines joined."""
    statements: list[_Statement] = []
    current: _Field | None = None
    for number, line in enumerate(_LINES.split(text), start=1):
        if "{4:" in line:  # the SWIFT envelope; the message text follows it
            line = line.split("{4:", 1)[1]
        stripped = _CONTROL.sub("", line).rstrip()  # DOS end-of-file marks (^Z) and the like
        found = _FIELD.match(stripped)
        if found:
            tag, value = found.groups()
            if tag == "20" or not statements or (tag == "25" and statements[-1].account):
                statements.append(_Statement())
            current = _Field(tag, value, number)
            statements[-1].fields.append(current)
            if tag == "25":
                statements[-1].account = value.strip()
        elif _END.fullmatch(stripped) or stripped.startswith("{"):
            current = None
        elif current is not None:
            current.text += "\n" + stripped
    return [s for s in statements if any(f.tag in ("25", "61") for f in s.fields)]


def _read_statement(statement: _Statement, parsed: ParsedFile) -> int:
    reversals = 0
    fields = statement.fields
    for index, item in enumerate(fields):
        if item.tag in ("60F", "60M", "62F", "62M", "34F"):
            _balance(item, parsed)
        if item.tag != "61":
            continue
        number = len(parsed.rows) + parsed.rejected + 1
        details = fields[index + 1].text if index + 1 < len(fields) and \
            fields[index + 1].tag == "86" else ""
        try:
            row = _entry(number, item, details)
        except ValueError as problem:
            parsed.reject(number, f"Entry {number} (line {item.line}): {problem}")
            continue
        reversals += row.raw["mark"] in ("RC", "RD")
        row.currency = None if row.currency == parsed.currency else row.currency
        parsed.rows.append(row)
    return reversals


def _amount(text: str) -> Decimal:
    if text.count(",") > 1:
        raise ValueError(f"the amount {text} has more than one decimal comma")
    return Decimal(text.replace(",", ".").rstrip(".") or "0")


def _yymmdd(text: str) -> date | None:
    try:
        return date(2000 + int(text[:2]) if int(text[:2]) < 80 else 1900 + int(text[:2]),
                    int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None


def _balance(item: _Field, parsed: ParsedFile) -> None:
    found = _BALANCE.match(item.text.strip())
    if item.tag == "34F":  # MT942 floor limit: only its currency matters
        parsed.currency = parsed.currency or item.text.strip()[:3] or None
        return
    if found is None or found["amount"].count(",") > 1:
        return  # a balance that cannot be read states nothing
    amount = _amount(found["amount"]) * (-1 if found["mark"] == "D" else 1)
    balance = StatementBalance(amount, _yymmdd(found["date"]))
    parsed.currency = parsed.currency or found["currency"]
    if item.tag.startswith("60") and parsed.opening is None:
        parsed.opening = balance
    elif item.tag.startswith("62"):
        parsed.closing = balance


def _entry(number: int, item: _Field, details: str) -> ParsedTransaction:
    found = _ENTRY.match(item.text.strip())
    if found is None:
        first = (item.text.strip().splitlines() or [""])[0]
        raise ValueError(f"{quoted(':61:' + first)} is not an MT940 entry (value date, "
                         "mark C or D, amount)")
    value_date = _yymmdd(found["value"])
    booking = value_date
    if found["entry"]:
        booking = _entry_date(found["value"], found["entry"])
    if booking is None:
        raise ValueError(f"the date {found['value']} is not a real date")
    mark = found["mark"]
    amount = _amount(found["amount"]) * _SIGN[mark]
    rest = found["rest"].split("\n", 1)
    kind = _TYPE.match(rest[0])  # the transaction type (NTRF, N068), missing in some files
    references = rest[0][kind.end():] if kind else rest[0]
    customer_reference = references.split("//", 1)[0].strip() or None
    supplementary = _joined(rest[1]) if len(rest) > 1 else ""
    information = _information(details)
    description = information.get("purpose") or supplementary
    raw: dict[str, Any] = {"line": item.line, "valueDate": found["value"],
                           "entryDate": found["entry"], "mark": mark, "fundsCode": found["funds"],
                           "amount": found["amount"], "type": kind.group() if kind else None,
                           "reference": references, "supplementary": supplementary,
                           "details": _joined(details)}
    return ParsedTransaction(
        row=number, booking_date=booking, value_date=value_date, amount=amount,
        description=description, counterparty_name=information.get("name") or None,
        counterparty_iban=iban if _IBAN.fullmatch(iban := information.get("iban", "")) else None,
        reference=None if customer_reference == "NONREF" else customer_reference, raw=raw)


def _entry_date(value: str, entry: str) -> date | None:
    """MMDD in the year that puts it nearest the value date (entries cross New Year)."""
    reference = _yymmdd(value) or _yymmdd(value[:4] + "01")
    if reference is None:
        return None
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(date(year, int(entry[:2]), int(entry[2:])))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - reference).days), default=None)


def _joined(text: str) -> str:
    """Lines of a field as one text: a full line (65 characters, SWIFT's width) was cut where it
    ended, mid-word; a shorter one ended a phrase."""
    lines = text.split("\n")
    joined = lines[0].strip()
    for before, line in itertools.pairwise(lines):
        joined += ("" if len(before) >= _WIDTH else " ") + line.strip()
    return " ".join(joined.split())


def _information(details: str) -> dict[str, str]:
    """Purpose, counterparty and IBAN from :86:, when it is structured; else its text."""
    flat = _joined(details)
    if _GERMAN.search(details):
        parts: dict[str, str] = {}
        pieces = _GERMAN.split(details.replace("\n", ""))
        for key, value in zip(pieces[1::2], pieces[2::2], strict=False):
            parts[key] = parts.get(key, "") + value
        purpose = "".join(parts.get(str(n), "") for n in (*range(20, 30), *range(60, 64)))
        return {"purpose": purpose.strip() or flat,
                "name": (parts.get("32", "") + parts.get("33", "")).strip(),
                "iban": parts.get("31", "").strip()}
    if _DUTCH.search(flat):
        pieces = _DUTCH.split(flat)
        dutch = {k: v.strip() for k, v in zip(pieces[1::2], pieces[2::2], strict=False)}
        return {"purpose": dutch.get("REMI", "") or flat, "name": dutch.get("NAME", ""),
                "iban": dutch.get("IBAN", "")}
    return {"purpose": flat}
