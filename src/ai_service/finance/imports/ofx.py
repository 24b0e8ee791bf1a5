"""OFX and QFX (Quicken's OFX) through ofxtools: version 1 (SGML) and 2 (XML) alike."""

from __future__ import annotations

import io
from typing import Any

from ofxtools.Parser import OFXTree

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports import ParsedFile, ParsedTransaction


def parse_ofx(data: bytes) -> ParsedFile:
    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        ofx = tree.convert()
    except Exception as exc:  # ofxtools raises many kinds (ParseError, ValueError, KeyError)
        raise BadUserInput(f"This is not a readable OFX file ({type(exc).__name__}: "
                           f"{str(exc)[:200]})", field="file") from None
    parsed = ParsedFile()
    statements = list(getattr(ofx, "statements", []) or [])
    if not statements:
        raise BadUserInput("The OFX file holds no bank or card statement", field="file")
    number = 0
    for statement in statements:
        parsed.currency = parsed.currency or getattr(statement, "curdef", None)
        for entry in statement.banktranlist or []:
            number += 1
            name = entry.name or (entry.payee.name if entry.payee is not None else None)
            memo = entry.memo or ""
            raw: dict[str, Any] = {"trntype": entry.trntype, "fitid": entry.fitid,
                                   "name": name, "memo": memo,
                                   "dtposted": entry.dtposted.isoformat(),
                                   "trnamt": str(entry.trnamt), "refnum": entry.refnum,
                                   "checknum": entry.checknum}
            parsed.rows.append(ParsedTransaction(
                row=number, booking_date=entry.dtposted.date(),
                value_date=entry.dtavail.date() if entry.dtavail else None,
                amount=entry.trnamt, description=memo or (name or ""),
                counterparty_name=name, reference=entry.refnum or entry.checknum,
                provider_id=entry.fitid,
                currency=entry.currency.cursym if entry.currency is not None else None,
                raw=raw))
    return parsed
