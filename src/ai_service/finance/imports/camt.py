"""ISO 20022 cash management: camt.053 statements, camt.052 intraday reports and camt.054
debit/credit notifications, every version (001.01 to 001.13).

Read with defusedxml (no entity expansion, no external references) and matched by local element
names, so that every version's namespace works. Each `Ntry` is one transaction, counted once
even when it is a batch of several `TxDtls`; its sign is its `CdtDbtInd` (also for reversals,
`RvslInd`). Its status decides how it is stored:
- BOOK: booked; PDNG (pending) and FUTR (booked for a future date): pending;
- INFO (information only) and entries without a status: left out, with a note. A status is
  required by every version of the standard; an entry without one cannot be told booked, and an
  entry stored as booked that was not would be a wrong balance.
The details of a single transaction give the counterparty: the creditor of a debit, the debtor
of a credit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

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
from ai_service.finance.models import ImportFormat, TransactionStatus

# The message, its blocks, and what each is called for the person.
_MESSAGES = {"BkToCstmrAcctRpt": (ImportFormat.CAMT052, "Rpt", "camt.052", "account report"),
             "BkToCstmrStmt": (ImportFormat.CAMT053, "Stmt", "camt.053", "statement"),
             "BkToCstmrDbtCdtNtfctn": (ImportFormat.CAMT054, "Ntfctn", "camt.054",
                                       "notification")}
_STATUS = {"BOOK": TransactionStatus.BOOKED, "PDNG": TransactionStatus.PENDING,
           "FUTR": TransactionStatus.PENDING}
_AMOUNT = re.compile(r"\d+(\.\d+)?")
_ENCODING = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)")
_ACCOUNT_IDS = (("IBAN",), ("Othr", "Id"), ("BBAN",), ("PrtryAcct", "Id"), ("UPIC",))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _message_name(tag: str) -> str:
    """The message's name without the version suffix of 001.01 (BkToCstmrAcctRptV01)."""
    return re.sub(r"V\d+$", "", _local(tag))


def _child(element: Element | None, *path: str) -> Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: Element | None, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element: Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(element: Element | None) -> date | None:
    """The date as written: the date part of `Dt` (which may carry a zone, 2017-04-01+02:00)
    or of `DtTm`, never converted."""
    text = _text(element, "Dt") or _text(element, "DtTm")
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass
class _Block:
    element: Element
    account: str


def parse_camt(data: bytes, fmt: ImportFormat, mapping: ImportMapping,
               target: ImportTarget) -> ParsedFile:
    root = _document(data)
    message = next(((c, _MESSAGES[_message_name(c.tag)]) for c in root
                    if _message_name(c.tag) in _MESSAGES), None)
    if message is None:
        raise BadUserInput("This XML file is not a camt.052, camt.053 or camt.054 bank "
                           "message", field="file")
    container, (found_format, block_name, called, block_called) = message
    blocks = [_Block(b, _account(b)) for b in _children(container, block_name)]
    if not blocks:
        raise BadUserInput(f"This {called} file holds no {block_called} ({block_name}): "
                           "download it from the bank again", field="file")
    names = list(dict.fromkeys(b.account for b in blocks))
    chosen = choose_account(names, mapping, target)
    declared = _ENCODING.search(data[:200])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    parsed = ParsedFile(mapping=DetectedMapping(format=found_format, encoding=encoding,
                                                account=chosen, accounts=tuple(names)))
    left_out: Counter[str] = Counter()
    undated = 0
    for block in (b for b in blocks if b.account == chosen):
        parsed.currency = parsed.currency or _text(block.element, "Acct", "Ccy")
        _balances(block.element, parsed)
        for entry in _children(block.element, "Ntry"):
            number = len(parsed.rows) + parsed.rejected + sum(left_out.values()) + 1
            status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
            if status not in _STATUS:
                left_out[status or ""] += 1
                continue
            try:
                row = _transaction(number, entry, _STATUS[status])
            except ValueError as problem:
                parsed.reject(number, f"Entry {number}: {problem}")
                continue
            undated += row.raw["bookingDate"] is None
            parsed.rows.append(row)
    parsed.currency = parsed.currency or next((r.currency for r in parsed.rows if r.currency),
                                              None)
    _notes(parsed, left_out, undated)
    check_balances(parsed)
    return parsed


def _document(data: bytes) -> Element:
    try:
        root: Element = SafeET.fromstring(data)
    except DefusedXmlException:
        raise BadUserInput("This XML file declares entities or a document type, which bank "
                           "statements never do: it was refused for safety", field="file",
                           ) from None
    except LookupError:  # <?xml encoding="..."?> names no encoding Python knows
        raise BadUserInput("This XML file declares a text encoding that does not exist: "
                           "download it from the bank again", field="file") from None
    except SafeET.ParseError as broken:
        line, column = broken.position
        raise BadUserInput(f"This file is not well-formed XML (at line {line}, column "
                           f"{column + 1}): it may be cut off or damaged; download it from the "
                           "bank again", field="file") from None
    if _local(root.tag) != "Document":
        raise BadUserInput("This XML file is not a camt bank message (its root is not "
                           "Document)", field="file")
    return root


def _account(block: Element) -> str:
    identification = _child(block, "Acct", "Id")
    return next((t for path in _ACCOUNT_IDS if (t := _text(identification, *path))), "")


def _signed(element: Element | None) -> Decimal | None:
    """An amount and its own credit/debit mark, as `Bal` and `Ntry` carry them."""
    text = _text(element, "Amt")
    if text is None or not _AMOUNT.fullmatch(text):
        return None
    amount = Decimal(text)
    return -amount if _text(element, "CdtDbtInd") == "DBIT" else amount


def _balances(block: Element, parsed: ParsedFile) -> None:
    """Opening: the first block's OPBD (or PRCD, the previous closing); closing: the last
    block's CLBD."""
    for balance in _children(block, "Bal"):
        kind = _text(balance, "Tp", "CdOrPrtry", "Cd")
        amount = _signed(balance)
        if amount is None:
            continue
        if kind in ("OPBD", "PRCD") and parsed.opening is None:
            parsed.opening = StatementBalance(amount, _date(_child(balance, "Dt")))
        elif kind == "CLBD":
            parsed.closing = StatementBalance(amount, _date(_child(balance, "Dt")))


def _transaction(number: int, entry: Element, status: TransactionStatus) -> ParsedTransaction:
    amount_element = _child(entry, "Amt")
    written = _text(entry, "Amt")
    if amount_element is None or written is None:
        raise ValueError("it has no amount (Amt): ask the bank for a new file")
    if not _AMOUNT.fullmatch(written):
        raise ValueError(f"the amount {quoted(written)} is not a number")
    amount = Decimal(written)
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ValueError("it does not say whether it is a credit or a debit (CdtDbtInd)")
    if indicator == "DBIT":
        amount = -amount
    booked_on = _date(_child(entry, "BookgDt"))
    value_date = _date(_child(entry, "ValDt"))
    booking = booked_on or value_date
    if booking is None:
        raise ValueError("it has neither a booking date nor a value date, so the file does "
                         "not say when it happened")
    details = _children(_child(entry, "NtryDtls"), "TxDtls")
    batch = _child(entry, "NtryDtls", "Btch")
    single = details[0] if len(details) == 1 else None
    party = "Cdtr" if indicator == "DBIT" else "Dbtr"
    parties = _child(single, "RltdPties")
    name = _text(parties, party, "Nm") or _text(parties, party, "Pty", "Nm")
    iban = _text(parties, f"{party}Acct", "Id", "IBAN")
    remittance = " ".join(e.text.strip() for e in _children(_child(single, "RmtInf"), "Ustrd")
                          if e.text and e.text.strip())
    count = len(details) if len(details) > 1 else _text(batch, "NbOfTxs")
    description = (remittance or _text(entry, "AddtlNtryInf") or _text(single, "AddtlTxInf")
                   or (f"Batch of {count} transactions" if single is None and count else ""))
    reference = _text(single, "Refs", "EndToEndId")
    if reference == "NOTPROVIDED":
        reference = None
    provider_id = _text(entry, "AcctSvcrRef") or _text(single, "Refs", "AcctSvcrRef")
    raw: dict[str, Any] = {
        "amount": written, "currency": amount_element.get("Ccy"), "indicator": indicator,
        "status": status.value, "reversal": _text(entry, "RvslInd") == "true",
        "bookingDate": booked_on.isoformat() if booked_on else None,
        "valueDate": value_date.isoformat() if value_date else None,
        "transactions": len(details) or 1, "description": description, "counterparty": name,
        "iban": iban, "reference": reference, "accountServicerReference": provider_id}
    return ParsedTransaction(
        row=number, booking_date=booking,
        value_date=value_date, amount=amount, currency=amount_element.get("Ccy"),
        description=description, counterparty_name=name, counterparty_iban=iban,
        reference=reference, provider_id=provider_id, status=status, raw=raw)


def _notes(parsed: ParsedFile, left_out: Counter[str], undated: int) -> None:
    parsed.skipped += sum(left_out.values())
    if left_out["INFO"]:
        parsed.note(f"{left_out['INFO']} information-only entries (camt status INFO) were "
                    "left out: they are not bookings")
    if left_out[""]:
        parsed.note(f"{left_out['']} entries without a status were left out: the file does not "
                    "say whether they are booked or pending")
    others = sorted(s for s in left_out if s not in ("INFO", ""))
    if others:
        parsed.note(f"{sum(left_out[s] for s in others)} entries with an unknown status "
                    f"({', '.join(others)}) were left out")
    if undated:
        parsed.note(f"{undated} entries have no booking date: their value date is taken as "
                    "the booking date")
