"""OFX, QFX and QBO statements: bank (STMTRS), card (CCSTMTRS) and the cash movements of
investment statements (INVSTMTRS), version 1 and 2 alike.

Read with `ofx_markup` rather than ofxtools: ofxtools validates against the specification and
refuses files whose meaning is plain (a missing header, an empty ledger balance, a bank id longer
than nine characters, elements out of order), and converts every time to UTC, which moves an
evening transaction of the Americas to the next day. Here a booking date is the date part of
DTPOSTED as written, in the bank's own time zone.

An investment statement's securities (buys, sells, reinvestments, income) are not cash movements
of an account this app keeps: they are left out and counted in a note; its INVBANKTRAN lines are
read like a bank statement's. Error answers (a failed sign-on, a server error) and account lists
are refused with what they are, never imported as empty statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
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
from ai_service.finance.imports.ofx_markup import Node, decode, parse_markup
from ai_service.finance.imports.statements import choose_account, quoted
from ai_service.finance.models import ImportFormat

_ACCOUNT_OF = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM", "INVSTMTRS": "INVACCTFROM"}
# The transactions of an investment statement other than cash (OFX 2.1.1, 13.9.2.4).
_SECURITY_TRANSACTIONS = frozenset((
    "BUYDEBT", "BUYMF", "BUYOPT", "BUYOTHER", "BUYSTOCK", "CLOSUREOPT", "INCOME", "INVEXPENSE",
    "JRNLFUND", "JRNLSEC", "MARGININTEREST", "REINVEST", "RETOFCAP", "SELLDEBT", "SELLMF",
    "SELLOPT", "SELLOTHER", "SELLSTOCK", "SPLIT", "TRANSFER"))
# The elements read here (never aggregates, whatever a broken file does with their end tags).
_ELEMENTS = frozenset((
    "ACCTID", "BALAMT", "BANKID", "BROKERID", "CHECKNUM", "CODE", "CURDEF", "CURSYM", "DTASOF",
    "DTAVAIL", "DTPOSTED", "FITID", "MEMO", "NAME", "REFNUM", "SEVERITY", "TRNAMT", "TRNTYPE"))
_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")  # OFX allows a decimal comma
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# What the codes a bank answers instead of a statement mean (OFX 2.1.1, 2.4.1 and 8.5.4).
_CODES = {"2000": "a general error at the bank", "2002": "the account was not found",
          "2003": "the account was not found", "2012": "the account is closed",
          "15000": "the password must be changed", "15500": "the user id or password was wrong",
          "15501": "the customer account is already in use", "15502": "the password is locked"}


@dataclass
class _Statement:
    node: Node
    kind: str  # STMTRS, CCSTMTRS or INVSTMTRS
    number: str  # ACCTID as written ("" when the file has none)
    bank: str | None  # BANKID or BROKERID
    name: str = ""  # how the account is named to the person (set once all are known)


def parse_ofx(data: bytes, mapping: ImportMapping, target: ImportTarget) -> ParsedFile:
    text, encoding = decode(data)
    if not re.search(r"<\s*OFX\s*>", text, re.IGNORECASE):
        raise BadUserInput("This file is not OFX: it has no OFX element", field="file")
    if not re.search(r"</\s*OFX\s*>", text, re.IGNORECASE):
        raise BadUserInput("This OFX file is incomplete (it does not end with </OFX>): "
                           "download it from the bank again", field="file")
    ofx = parse_markup(text, _ELEMENTS).child("OFX")
    if ofx is None:
        raise BadUserInput("This file is not OFX: it has no OFX element", field="file")
    statements = _statements(ofx)
    if not statements:
        raise BadUserInput(_why_no_statement(ofx), field="file")
    names = list(dict.fromkeys(s.name for s in statements))
    chosen = choose_account(names, mapping, target)
    parsed = ParsedFile(mapping=DetectedMapping(format=ImportFormat.OFX, encoding=encoding,
                                                account=chosen, accounts=tuple(names)))
    securities = sum(_read_statement(s, parsed) for s in statements if s.name == chosen)
    if securities:
        parsed.skipped += securities
        parsed.note(f"{securities} security transactions of the investment statement were "
                    "left out: only cash movements are imported")
    if parsed.currency is None:
        parsed.note(f"The file does not say its currency: the amounts are read as "
                    f"{target.currency}, the account's")
    return parsed


def _statements(ofx: Node) -> list[_Statement]:
    found = []
    for node in ofx.descendants():
        if node.tag in _ACCOUNT_OF and node.text is None:
            account = node.child(_ACCOUNT_OF[node.tag])
            number = (account.value("ACCTID") if account else None) or ""
            bank = account.value("BANKID") or account.value("BROKERID") if account else None
            found.append(_Statement(node, node.tag, number, bank))
    # An account is its number; two statements of one number at two banks (the same number
    # anonymised in two accounts) are two accounts, named bank/number.
    banks: dict[str, set[str | None]] = {}
    for statement in found:
        banks.setdefault(statement.number, set()).add(statement.bank)
    for statement in found:
        several = len(banks[statement.number]) > 1 and statement.bank
        statement.name = f"{statement.bank}/{statement.number}" if several else statement.number
    return found


def _why_no_statement(ofx: Node) -> str:
    for node in ofx.descendants():
        if node.tag == "STATUS" and node.text is None and (node.value("CODE") or "0") != "0":
            code = node.value("CODE") or ""
            meaning = _CODES.get(code, "the request failed")
            told = f"code {code}: {meaning}" if code.isdigit() else meaning
            return (f"This OFX file is the bank's answer to a failed download ({told}), not a "
                    "statement: download the statement again")
    if any(node.tag == "ACCTINFORS" for node in ofx.descendants()):
        return ("This OFX file lists the bank's accounts but holds no statement: download a "
                "statement with the transactions instead")
    return "This OFX file holds no bank, card or investment statement"


def _read_statement(statement: _Statement, parsed: ParsedFile) -> int:
    """Reads the statement's transactions and balance into `parsed`; the number of security
    transactions it left out."""
    node = statement.node
    currency = node.value("CURDEF")
    parsed.currency = parsed.currency or currency
    # Every STMTTRN of the statement: a BANKTRANLIST left unclosed, or closed early, or
    # written twice, still holds its transactions by meaning. In an investment statement they
    # are the cash movements (INVBANKTRAN).
    inside = list(node.descendants())
    entries = [n for n in inside if n.tag == "STMTTRN" and n.text is None]
    for entry in entries:
        number = len(parsed.rows) + parsed.rejected + 1
        try:
            row = _transaction(number, entry)
        except ValueError as problem:
            parsed.reject(number, f"Transaction {number}: {problem}")
            continue
        if row.currency is None and currency and currency != parsed.currency:
            row.currency = currency
        parsed.rows.append(row)
    balance = _amount(node.value("LEDGERBAL", "BALAMT"))
    if balance is not None:
        parsed.closing = StatementBalance(balance, _date(node.value("LEDGERBAL", "DTASOF")))
    return sum(1 for n in inside if n.tag in _SECURITY_TRANSACTIONS)


def _transaction(number: int, entry: Node) -> ParsedTransaction:
    fields = entry.elements()
    written = fields.get("TRNAMT")
    if written is None:
        raise ValueError("it has no amount (TRNAMT): correct the file or ask the bank for a "
                         "new one")
    amount = _amount(written)
    if amount is None:
        raise ValueError(f"the amount {quoted(written)} is not a number")
    posted = fields.get("DTPOSTED")
    if posted is None:
        raise ValueError("it has no date (DTPOSTED)")
    booking = _date(posted)
    if booking is None:
        raise ValueError(f"the date {quoted(posted)} is not a real date (OFX writes YYYYMMDD)")
    name = fields.get("NAME") or entry.value("PAYEE", "NAME")
    memo = fields.get("MEMO", "")
    reference = fields.get("REFNUM") or fields.get("CHECKNUM")
    raw: dict[str, Any] = {"trntype": fields.get("TRNTYPE"), "fitid": fields.get("FITID"),
                           "name": name, "memo": memo, "dtposted": posted, "trnamt": written,
                           "refnum": fields.get("REFNUM"), "checknum": fields.get("CHECKNUM")}
    return ParsedTransaction(
        row=number, booking_date=booking, amount=amount, description=memo or (name or ""),
        value_date=_date(fields.get("DTAVAIL")), counterparty_name=name, reference=reference,
        provider_id=fields.get("FITID"), currency=entry.value("CURRENCY", "CURSYM"), raw=raw)


def _amount(text: str | None) -> Decimal | None:
    if text is None or not _AMOUNT.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _date(text: str | None) -> date | None:
    """The date part of an OFX date-time as written: 20091215202000.000[-4:EST] is 2009-12-15,
    whatever the time zone (converting to UTC first would make it the 16th)."""
    found = _DATE.match(text or "")
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
