"""Amounts as banks write them, and which decimal mark a file uses.

Each amount is tried under both conventions: a decimal point (thousands marked by `,`, `'`, a
space or none) and a decimal comma (thousands by `.`, `'`, a space or none). Thousands groups
must be three digits, so `-3,40` can only be a decimal comma and `1,234.56` only a point. What
all the amounts of a file allow decides; when both remain and some amount would differ
(`1,234` is 1234 or 1.234), the file is ambiguous and the person is asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

POINT = "."
COMMA = ","
_SPACES = "\u00a0\u202f\u2009 "
# Currency signs and codes around an amount, and what marks it negative or a credit.
_MINUS = "-\u2212\u2013"  # hyphen, minus sign, en dash
_AROUND = re.compile(r"^(?:[A-Z]{3}|[$€£¥₣₤₹₽₺₩₪₫₴₦฿]|CHF|Kč|zł|kr|Ft|lei|R\$)\s*"
                     r"|\s*(?:[A-Z]{3}|[$€£¥₹₽₺₩₪₫₴₦฿]|Kč|zł|kr|Ft|lei)$")
_GROUPED = {
    POINT: re.compile(r"(?:\d{1,3}(?:([,'\u00a0\u202f\u2009 ])\d{3})(?:\1\d{3})*|\d*)"
                      r"(?:\.(\d+))?"),
    COMMA: re.compile(r"(?:\d{1,3}(?:([.'\u00a0\u202f\u2009 ])\d{3})(?:\1\d{3})*|\d*)"
                      r"(?:,(\d+))?"),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """One amount text, taken apart: its sign and the digits under each convention."""

    negative: bool
    credit_mark: bool | None  # a trailing CR (True) or DR (False), as card statements write
    point: Decimal | None  # the value with a decimal point; None: not a number that way
    comma: Decimal | None


def read(text: str) -> Reading | None:
    """None when the text is no amount in either convention."""
    body = text.strip().strip(_SPACES + "|")  # a stray field mark some exports leave
    if not body:
        return None
    credit_mark = None
    upper = body.upper()
    if upper.endswith(("CR", "DR")):
        credit_mark = upper.endswith("CR")
        body = body[:-2].rstrip(_SPACES + " ")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    for _ in range(2):  # a sign may stand before or after a currency sign: -$5, $-5, € -5
        body = body.strip(_SPACES)
        if body[:1] in _MINUS:
            negative, body = not negative, body[1:]
        elif body[:1] == "+":
            body = body[1:]
        elif body[-1:] in _MINUS:
            negative, body = not negative, body[:-1]
        elif body[-1:] == "+":
            body = body[:-1]
        body = _AROUND.sub("", body.strip(_SPACES))
    body = body.strip(_SPACES)
    if not body or not any(ch.isdigit() for ch in body):
        return None
    point, comma = _value(body, POINT), _value(body, COMMA)
    if point is None and comma is None:
        return None
    return Reading(negative, credit_mark, point, comma)


def _value(body: str, mark: str) -> Decimal | None:
    match = _GROUPED[mark].fullmatch(body)
    if match is None:
        return None
    whole, _, fraction = body.partition(mark)
    digits = "".join(ch for ch in whole if ch.isdigit())
    try:
        return Decimal(f"{digits or '0'}.{fraction or '0'}")
    except InvalidOperation:
        return None


_PLAIN = {POINT: re.compile(r"-?\d+(?:\.\d+)?"), COMMA: re.compile(r"-?\d+(?:,\d+)?")}


def plain(text: str, mark: str) -> Decimal | None:
    """The common case fast: digits with the file's mark and maybe a minus, nothing else."""
    if _PLAIN[mark].fullmatch(text):
        return Decimal(text if mark == POINT else text.replace(",", "."))
    return None


_ONLY_POINT = re.compile(r"-?\d+\.(?:\d\d?|\d{4,})")  # 12.5, -3.40: no thousands group
_ONLY_COMMA = re.compile(r"-?\d+,(?:\d\d?|\d{4,})")
_WHOLE = re.compile(r"-?\d+")


class AmbiguousDecimal(Exception):
    """Both conventions read every amount, and some amount differently."""

    def __init__(self, example: str) -> None:
        super().__init__(example)
        self.example = example


def decimal_mark(texts: Iterable[str], given: bool | None = None) -> str:
    """The mark the amounts use: `given` (decimal comma or not) when a person said, else the
    one every amount fits. Raises AmbiguousDecimal when both fit and disagree somewhere; when
    neither fits all, the one more amounts fit (the others become row errors)."""
    if given is not None:
        return COMMA if given else POINT
    fits = {POINT: 0, COMMA: 0}
    total = 0
    differing: str | None = None
    for text in set(texts):
        if _ONLY_POINT.fullmatch(text) or _ONLY_COMMA.fullmatch(text) or _WHOLE.fullmatch(text):
            total += 1  # the common forms, told apart without taking them to pieces
            fits[POINT] += text.find(",") < 0
            fits[COMMA] += text.find(".") < 0
            continue
        reading = read(text)
        if reading is None:
            continue
        total += 1
        if reading.point is not None:
            fits[POINT] += 1
        if reading.comma is not None:
            fits[COMMA] += 1
        if differing is None and reading.point is not None and reading.comma is not None \
                and reading.point != reading.comma:
            differing = text.strip()
    if fits[POINT] == fits[COMMA] == total and differing is not None:
        raise AmbiguousDecimal(differing)
    if fits[COMMA] > fits[POINT]:
        return COMMA
    return POINT


def amount(reading: Reading, mark: str) -> Decimal:
    """The signed value under the file's mark; ValueError when it is no amount that way."""
    value = reading.comma if mark == COMMA else reading.point
    if value is None:
        raise ValueError
    return -value if reading.negative else value
