"""The real bank exports of tests/data/bank, read by the importer and judged against the figures
in their manifest (computed without our code, see tests/data/bank/SOURCES.md).

A file is judged as a person importing it without a mapping would see it:
- EXACT: read, and every account's booked count, booked sum, first and last booking date and
  pending count equal the manifest's;
- REFUSED: a clear refusal (`BadUserInput` on `file` or a `mapping.*` field, a sentence without
  any library's text); when the refusal names a mapping field the manifest can answer (which
  account, the date order, the sign), the file is read again with that answer and must then be
  EXACT;
- WRONG: read with any figure different, or read although it must be refused;
- ERROR: anything else raised.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import (
    AmountSign,
    ImportMapping,
    ImportTarget,
    ParsedFile,
    parse_bytes,
)
from ai_service.finance.models import AccountType, TransactionStatus
from support.paths import DATA

ROOT = DATA / "bank"
MANIFEST: list[dict[str, Any]] = json.loads((ROOT / "manifest.json").read_text())
# What a library's or Python's own words look like: never in a message for a person.
_LEAKS = re.compile(r"object at 0x|Traceback|Error\b|Exception\b|\bKeyError|\bNone\b|<\w+ "
                    r"|\\x[0-9a-f]{2}|codec|lxml|ofxtools|xml\.etree|strptime|'NoneType'")


@dataclass
class Judgement:
    verdict: str  # EXACT, REFUSED, WRONG, ERROR
    detail: str = ""
    field: str | None = None
    resolved: list[str] = dataclasses.field(default_factory=list)  # mapping answers that made it EXACT


def entries(split: str | None = None) -> Iterator[dict[str, Any]]:
    for entry in MANIFEST:
        if split is None or entry["split"] == split:
            yield entry


def _card(entry: dict[str, Any]) -> bool:
    text = " ".join(str(entry.get(k) or "") for k in ("bank", "notes")).lower()
    accounts = entry["expected"].get("accounts") or []
    return "credit card" in text or "creditcard" in text or any(
        a.get("statement_type") == "CCSTMTRS" for a in accounts)


def target(entry: dict[str, Any], account: dict[str, Any] | None) -> ImportTarget:
    currency = (account or {}).get("currency") or "EUR"
    return ImportTarget(currency=currency if re.fullmatch(r"[A-Z]{3}", currency) else "EUR",
                        type=AccountType.CREDIT_CARD if _card(entry) else AccountType.CHECKING)


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def compare(parsed: ParsedFile, account: dict[str, Any], currency: str) -> str | None:
    """None when the parse reproduces the account's figures, else what differs. A row in
    another currency than the account's is refused on import, as here."""
    if parsed.rejected:
        return f"{parsed.rejected} rows rejected: {parsed.errors[:3]}"
    foreign = {r.currency for r in parsed.rows if r.currency and r.currency != currency}
    if foreign:
        return f"rows in {', '.join(sorted(foreign))}: refused on import into {currency}"
    booked = [r for r in parsed.rows if r.status is TransactionStatus.BOOKED]
    pending = [r for r in parsed.rows if r.status is TransactionStatus.PENDING]
    got = {
        "booked_count": len(booked),
        "booked_sum": _sum([r.amount for r in booked]),
        "pending_count": len(pending),
        "first_booking_date": min((r.booking_date for r in booked), default=None),
        "last_booking_date": max((r.booking_date for r in booked), default=None),
    }
    want = {
        "booked_count": account["booked_count"],
        "booked_sum": Decimal(account["booked_sum"]),
        "pending_count": account["pending_count"],
        "first_booking_date": _day(account["first_booking_date"]),
        "last_booking_date": _day(account["last_booking_date"]),
    }
    diffs = [f"{k}: got {got[k]} want {want[k]}" for k in want if got[k] != want[k]]
    stated = account.get("closing_balance")
    read = parsed.closing  # a balance the importer states is never a wrong one
    if read is not None and stated not in (None, "") and read.amount != Decimal(stated):
        diffs.append(f"closing balance: got {read.amount} want {stated}")
    return "; ".join(diffs) or None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _answers(entry: dict[str, Any], field_name: str, account: dict[str, Any]
             ) -> ImportMapping | None:
    """What a person would answer to a refusal naming `field_name`, from the manifest."""
    reading = entry.get("csv_reading") or {}
    expected = entry["expected"]
    if field_name == "mapping.account" and account.get("account"):
        number = str(account["account"])
        repeated = sum(a.get("account") == number for a in expected.get("accounts") or []) > 1
        if repeated and account.get("bank_id"):  # the same number at two banks
            return ImportMapping(account=f"{account['bank_id']}/{number}")
        return ImportMapping(account=number)
    if field_name == "mapping.dateFormat":
        formats = reading.get("date_fmt")
        if formats:
            return ImportMapping(date_format=formats if isinstance(formats, str) else formats[0])
        order = expected.get("date_order")
        if order:
            return ImportMapping(date_format={"MDY": "%m/%d/%Y", "DMY": "%d/%m/%Y",
                                              "YMD": "%Y/%m/%d"}[order])
    if field_name == "mapping.amountSign":  # amounts read from a withdrawals column are out
        outgoing = reading.get("invert") or ("debit" in reading and "amount" not in reading)
        return ImportMapping(amount_sign=AmountSign.INVERTED if outgoing else AmountSign.NORMAL)
    return None


def clean_refusal(error: BadUserInput) -> str | None:
    """None when the refusal is one a person can act on, else why not."""
    if not (error.field == "file" or (error.field or "").startswith("mapping.")):
        return f"field {error.field!r} is neither file nor a mapping field"
    if _LEAKS.search(error.message):
        return f"the message shows internals: {error.message!r}"
    return None


def judge(entry: dict[str, Any]) -> Judgement:
    data = (ROOT / entry["file"]).read_bytes()
    expected = entry["expected"]
    # A QIF investment section holds no cash lines to import: it is no account to read.
    accounts = [a for a in expected.get("accounts") or [] if a.get("qif_type") != "invst"]
    must_refuse = bool(expected.get("must_refuse"))
    first = accounts[0] if accounts else None
    try:
        parsed = parse_bytes(data, None, None, target(entry, first))
    except BadUserInput as error:
        if problem := clean_refusal(error):
            return Judgement("WRONG", problem, error.field)
        if must_refuse:
            return Judgement("REFUSED", error.message, error.field)
        return _resolve(entry, data, error)
    except Exception as exc:
        return Judgement("ERROR", f"{type(exc).__name__}: {exc}")
    if must_refuse:
        if parsed.rejected:
            return Judgement("REFUSED", f"{parsed.rejected} rows rejected")
        return Judgement("WRONG", "read, but the file must be refused")
    if len(accounts) != 1:
        return Judgement("WRONG", f"read as one account, but it holds {len(accounts)}")
    assert first is not None
    if difference := compare(parsed, first, target(entry, first).currency):
        refused = parsed.rejected or difference.startswith("rows in ")  # rejected on import
        if expected.get("refusal_acceptable") and refused:
            return Judgement("REFUSED", difference)
        return Judgement("WRONG", difference)
    return Judgement("EXACT")


def _resolve(entry: dict[str, Any], data: bytes, error: BadUserInput) -> Judgement:
    """Answer the refusal as a person would, then every account must come out exact."""
    accounts = entry["expected"].get("accounts") or []
    resolved = []
    for account in accounts:
        mapping = _answers(entry, error.field or "", account)
        if mapping is None:
            return Judgement("REFUSED", error.message, error.field)
        try:
            parsed = parse_bytes(data, None, mapping, target(entry, account))
        except BadUserInput as again:
            if again.field == error.field:
                return Judgement("WRONG", f"answering {error.field} did not help: "
                                          f"{again.message}", error.field)
            second = _answers(entry, again.field or "", account)
            if second is None:
                return Judgement("REFUSED", again.message, again.field)
            try:
                parsed = parse_bytes(data, None, second.over(mapping), target(entry, account))
            except BadUserInput as third:
                return Judgement("REFUSED", third.message, third.field)
        if difference := compare(parsed, account, target(entry, account).currency):
            return Judgement("WRONG", f"after answering {error.field}: {difference}",
                             error.field)
        resolved.append(str(mapping.given()))
    return Judgement("REFUSED", error.message, error.field, resolved)
