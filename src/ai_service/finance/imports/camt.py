"""ISO 20022 camt.053 bank-to-customer statements (any version 001.02 to 001.13).

Read with defusedxml, which refuses entity expansion and external references, and matched by
local element names so that every version's namespace works. Each `Ntry` is one transaction;
its details (`NtryDtls/TxDtls`) give the counterparty: the creditor for a debit, the debtor for
a credit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ParsedFile, ParsedTransaction
from ai_service.finance.models import TransactionStatus


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, *path: str) -> Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(element: Element | None) -> date | None:
    text = _text(element, "Dt") or (_text(element, "DtTm") or "")[:10] or None
    return date.fromisoformat(text) if text else None


def parse_camt053(data: bytes) -> ParsedFile:
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise BadUserInput(f"This is not a readable camt.053 XML file: {exc}", field="file",
                           ) from None
    statement_root = _child(root, "BkToCstmrStmt")
    if _local(root.tag) != "Document" or statement_root is None:
        raise BadUserInput("This XML is not a camt.053 statement (no BkToCstmrStmt)",
                           field="file")
    parsed = ParsedFile()
    number = 0
    for statement in _children(statement_root, "Stmt"):
        parsed.currency = parsed.currency or _text(statement, "Acct", "Ccy")
        for entry in _children(statement, "Ntry"):
            number += 1
            try:
                parsed.rows.append(_transaction(number, entry))
            except (ValueError, InvalidOperation) as exc:
                parsed.reject(number, f"entry {number}: {exc}")
    return parsed


def _transaction(number: int, entry: Element) -> ParsedTransaction:
    amount_element = _child(entry, "Amt")
    if amount_element is None or not (amount_element.text or "").strip():
        raise ValueError("no amount")
    amount = Decimal(amount_element.text.strip())  # type: ignore[union-attr]
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ValueError(f"credit/debit indicator {indicator!r}")
    if indicator == "DBIT":
        amount = -amount
    booking = _date(_child(entry, "BookgDt")) or _date(_child(entry, "ValDt"))
    if booking is None:
        raise ValueError("no booking date")
    status_text = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
    details = _child(entry, "NtryDtls", "TxDtls")
    party = "Cdtr" if indicator == "DBIT" else "Dbtr"
    name = (_text(details, "RltdPties", party, "Nm")
            or _text(details, "RltdPties", party, "Pty", "Nm"))
    iban = (_text(details, "RltdPties", f"{party}Acct", "Id", "IBAN"))
    remittance = [e.text.strip() for e in (_child(details, "RmtInf") or [])
                  if _local(e.tag) == "Ustrd" and e.text]
    description = " ".join(remittance) or _text(entry, "AddtlNtryInf") or ""
    reference = (_text(details, "Refs", "EndToEndId") or _text(details, "Refs", "MsgId"))
    if reference == "NOTPROVIDED":
        reference = None
    provider_id = _text(entry, "AcctSvcrRef") or _text(details, "Refs", "AcctSvcrRef")
    raw: dict[str, Any] = {"amount": str(amount), "currency": amount_element.get("Ccy"),
                           "indicator": indicator, "status": status_text,
                           "bookingDate": booking.isoformat(), "description": description,
                           "counterparty": name, "iban": iban, "reference": reference,
                           "accountServicerReference": provider_id}
    return ParsedTransaction(
        row=number, booking_date=booking, value_date=_date(_child(entry, "ValDt")),
        amount=amount, currency=amount_element.get("Ccy"), description=description,
        counterparty_name=name, counterparty_iban=iban, reference=reference,
        provider_id=provider_id,
        status=TransactionStatus.PENDING if status_text == "PDNG" else TransactionStatus.BOOKED,
        raw=raw)
