"""Which format a bank file is in, from its first bytes: what the person uploads need not say."""

from __future__ import annotations

import re

from ai_service.core.errors import BadUserInput
from ai_service.finance.models import ImportFormat

_HEAD = 8192
_OFX = re.compile(rb"OFXHEADER\s*:|<\s*OFX\s*>", re.IGNORECASE)
_CAMT = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05([234])")
_CAMT_ROOTS = {b"BkToCstmrAcctRpt": ImportFormat.CAMT052, b"BkToCstmrStmt": ImportFormat.CAMT053,
               b"BkToCstmrDbtCdtNtfctn": ImportFormat.CAMT054}
_MT940 = re.compile(rb"^:(20|25|28C?|60[FM]|61|62[FM]|86|34F|13D?):", re.MULTILINE)
_QIF = re.compile(rb"!(Type|Account|Option|Clear)\b", re.IGNORECASE)
_BINARY = {b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive or an Excel workbook",
           b"\xd0\xcf\x11\xe0": "an old Excel or Word file"}


def detect_format(data: bytes) -> ImportFormat:
    head = data[:_HEAD]
    for magic, what in _BINARY.items():
        if head.startswith(magic):
            raise BadUserInput(f"This is {what}, not a bank export: download the statement "
                               "as CSV, OFX, QIF, MT940 or camt XML", field="file")
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if _QIF.match(_past_comments(text)):
        return ImportFormat.QIF
    if _OFX.search(head):
        return ImportFormat.OFX
    if text.startswith(b"<"):
        version = _CAMT.search(head)
        if version:
            return {b"2": ImportFormat.CAMT052, b"3": ImportFormat.CAMT053,
                    b"4": ImportFormat.CAMT054}[version.group(1)]
        for root, fmt in _CAMT_ROOTS.items():
            if root in head:
                return fmt
        raise BadUserInput("This XML file is not a bank statement this app reads (camt.052, "
                           "camt.053, camt.054 or OFX)", field="file")
    if (len(_MT940.findall(head)) >= 3 and b":61:" in data) or (
            b":25:" in head and b":60" in head):
        return ImportFormat.MT940
    return ImportFormat.CSV


def _past_comments(text: bytes) -> bytes:
    """The text from its first line that is not a comment (# ...): QIF exports may begin so."""
    while text.startswith(b"#"):
        text = text.partition(b"\n")[2].lstrip()
    return text
