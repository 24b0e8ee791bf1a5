"""Amounts as exact integers of ten-thousandths (see models.AMOUNT_SCALE), Decimal at the edges."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ai_service.core.errors import BadUserInput
from ai_service.finance.models import AMOUNT_SCALE

SCALE = 10**AMOUNT_SCALE
MAX_UNITS = 10**18  # a BIGINT holds 9.2e18: refuse amounts near it before they overflow sums
_CURRENCY = re.compile(r"[A-Z]{3}")
_CENT = Decimal("0.01")
_UNIT = Decimal(1).scaleb(-AMOUNT_SCALE)
# What most amounts in a file look like: read as they are, without the clean-up below.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_PLAIN_COMMA = re.compile(r"-?[0-9]+(?:,[0-9]+)?")


def to_units(amount: Decimal) -> int:
    """Exact units of `amount`; more than four decimal places or a huge value is an error."""
    if not amount.is_finite():
        raise ValueError("not a finite amount")
    scaled = amount.scaleb(AMOUNT_SCALE)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than {AMOUNT_SCALE} decimal places")
    units = int(scaled)
    if abs(units) >= MAX_UNITS:
        raise ValueError(f"{amount} is too large")
    return units


def from_units(units: int) -> Decimal:
    """Two decimal places when that is exact (the usual case), else four."""
    value = Decimal(units).scaleb(-AMOUNT_SCALE)
    return value.quantize(_CENT if units % (SCALE // 100) == 0 else _UNIT)


def parse_amount(text: str, decimal_comma: bool = False) -> Decimal:
    """'1,234.56', '-1.234,56' (decimal comma), '(12.00)' (negative), '12.00-', ' 5 ' ..."""
    if (_PLAIN_COMMA if decimal_comma else _PLAIN).fullmatch(text):
        return Decimal(text.replace(",", ".") if decimal_comma else text)
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    for symbol in "€$£¥":
        cleaned = cleaned.replace(symbol, "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.endswith("-"):
        negative, cleaned = True, cleaned[:-1]
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text.strip()[:40]!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text.strip()[:40]!r} is not an amount")
    return -value if negative else value


def check_currency(code: str, field: str = "currency") -> str:
    code = code.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise BadUserInput("A currency is a three-letter ISO 4217 code such as EUR",
                           field=field)
    return code
