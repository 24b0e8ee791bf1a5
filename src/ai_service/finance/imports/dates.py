"""Dates as banks write them, and which way round a file writes day and month.

Forms read: ISO and its cousins (2024-03-05, 2024/03/05, 2024.03.05., 2024:03:05, 20240305),
dotted day-first (05.03.2024, 05.03.24: no country writes month.day), slashed or dashed
(05/03/2024, 5-3-24: day-first in most of the world, month-first in the US), and month names in
the languages of Europe and the Americas (5 Mar 2024, 05-mär-2024, Mar 5, 2024). A time or a
time zone after the date is ignored: the date is the one written, never converted.

Slashed and dashed dates are decided for the whole file: a first number above 12 makes it
day-first, a second above 12 month-first. When every date fits both, the order in which the
rows come decides if exactly one reading keeps them in date order; otherwise the person is
asked (`AmbiguousDates`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

EARLIEST = date(1950, 1, 1)  # bank data before this is a typo or a placeholder (0001-01-01)
# A time after the date (with seconds, AM/PM, a zone), or a zone right after an ISO date.
_TIME = re.compile(r"(?:[T ]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
                   r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?|(?<=\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2}))$")
_ISO = re.compile(r"(\d{4})([-/.:])(\d{1,2})\2(\d{1,2})\.?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DOTTED = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})\.?")
_SLASHED = re.compile(r"(\d{1,2})\s?([/-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})")
_DAY_NAME_YEAR = re.compile(r"(\d{1,2})\.?[ .\-/]*([^\W\d_]{3,10})\.?[ .,\-/]*(\d{4}|\d{2})")
_NAME_DAY_YEAR = re.compile(r"([^\W\d_]{3,10})\.?[ .\-]*(\d{1,2})(?:st|nd|rd|th)?,?[ .\-/]*(\d{4})")
_APOSTROPHE_YEAR = re.compile(r"(\d{1,2})\s?/\s?(\d{1,2})\s?'\s?(\d{1,4})")  # QIF: 1/ 5'98

# Month names and abbreviations, accents removed, lower case: en de fr es it pt nl sv da no fi
# pl cs hu (only spellings that name one month in every language listed).
_MONTH_WORDS = {
    1: "jan january januar janvier janv enero ene gennaio gen janeiro januari tammikuu tammi "
       "styczen sty leden led",
    2: "feb february februar fevrier fevr fev febrero febbraio fevereiro februari helmikuu "
       "helmi luty lut unor uno",
    3: "mar march marz maerz mrz mars marzo marco maart marts maaliskuu maalis marzec brezen bre "
       "marcius",
    4: "apr april avril abril abr aprile huhtikuu huhti kwiecien kwi duben dub aprilis",
    5: "may mai mayo maggio mag maio mei maj toukokuu touko kveten kve majus",
    6: "jun june juni juin junio giugno giu junho kesakuu kesa czerwiec cze cerven cvn junius",
    7: "jul july juli juillet juil julio luglio lug julho heinakuu heina lipiec lip cervenec "
       "cvc julius",
    8: "aug august aout agosto ago augustus augusti elokuu elo sierpien sie srpen srp augusztus",
    9: "sep sept september septembre septiembre setiembre settembre set setembro syyskuu syys "
       "wrzesien wrz zari zar szeptember",
    10: "oct october oktober okt octobre octubre ottobre ott outubro out lokakuu loka "
        "pazdziernik paz rijen rij",
    11: "nov november novembre noviembre novembro marraskuu marras listopad lis",
    12: "dec december dezember dez decembre diciembre dic dicembre dezembro desember joulukuu "
        "joulu grudzien gru prosinec pro",
}
MONTHS = {word.rstrip("."): number for number, words in _MONTH_WORDS.items()
          for word in words.split()}


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                   if not unicodedata.combining(c))


class Order(StrEnum):
    DMY = "DMY"
    MDY = "MDY"


@dataclass(frozen=True, slots=True)
class Written:
    """A date as written: ISO, dotted and named forms are whole; slashed ones need an order."""

    year: int
    first: int  # the month (whole forms) or the first number (slashed)
    second: int  # the day (whole forms) or the second number (slashed)
    slashed: bool

    def as_date(self, order: Order | None = None) -> date:
        if self.slashed:
            day, month = ((self.first, self.second) if order is Order.DMY
                          else (self.second, self.first))
        else:
            month, day = self.first, self.second
        return date(self.year, month, day)  # ValueError when impossible (31 February)


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:  # 24 -> 2024, 98 -> 1998: within a year of today wins
        pivot = date.today().year % 100 + 1
        year += 2000 if year <= pivot else 1900
    return year


def written(text: str) -> Written | None:
    """The parts of a date, or None when the text is no date in any form read here (numbers
    out of a date's ranges included: 99999999 is an id, not a date)."""
    parts = _parts(text)
    if parts is None or not 1900 <= parts.year <= 2100 or not (
            1 <= parts.first <= 31 and 1 <= parts.second <= 31):
        return None
    if (not parts.slashed and parts.first > 12) or (parts.slashed and min(
            parts.first, parts.second) > 12):
        return None
    return parts


def _parts(text: str) -> Written | None:
    body = _TIME.sub("", text.strip().strip('"'))
    if not body or len(body) > 40:
        return None
    if match := _ISO.fullmatch(body):
        return Written(int(match.group(1)), int(match.group(3)), int(match.group(4)), False)
    if match := _COMPACT.fullmatch(body):
        return Written(int(match.group(1)), int(match.group(2)), int(match.group(3)), False)
    if match := _DOTTED.fullmatch(body):
        return Written(_year(match.group(3)), int(match.group(2)), int(match.group(1)), False)
    if match := _SLASHED.fullmatch(body):
        return Written(_year(match.group(4)), int(match.group(1)), int(match.group(3)), True)
    if match := _APOSTROPHE_YEAR.fullmatch(body):
        year = match.group(3).strip()
        full = int(year) + (2000 if len(year) <= 2 and int(year) < 50 else 0)
        full += 1900 if len(year) <= 2 and int(year) >= 50 else 0
        return Written(full, int(match.group(1)), int(match.group(2)), True)
    if match := _DAY_NAME_YEAR.fullmatch(body):
        month = MONTHS.get(_plain(match.group(2)))
        if month:
            return Written(_year(match.group(3)), month, int(match.group(1)), False)
    if match := _NAME_DAY_YEAR.fullmatch(body):
        month = MONTHS.get(_plain(match.group(1)))
        if month:
            return Written(int(match.group(3)), month, int(match.group(2)), False)
    return None


class AmbiguousDates(Exception):
    def __init__(self, example: str) -> None:
        super().__init__(example)
        self.example = example


def plausible(day: date) -> bool:
    return EARLIEST <= day <= date.today() + timedelta(days=400)


@dataclass(frozen=True)
class DateReader:
    """Reads the dates of one file the way the file writes them."""

    order: Order | None  # for slashed dates; None: the file has none
    given: str | None = None  # a strptime format a person gave

    @property
    def describe(self) -> str | None:
        """The strptime-style format, for the mapping shown to the person."""
        if self.given:
            return self.given
        return {Order.DMY: "%d/%m/%Y", Order.MDY: "%m/%d/%Y", None: None}[self.order]

    @staticmethod
    def _given(body: str, given: str) -> date:
        """As the person's format says; a format that names the order (%d before %m) also
        reads the other ways of writing that order (dashes, two-digit years, a time after)."""
        for candidate in (body, _TIME.sub("", body)):
            try:
                return datetime.strptime(candidate, given).date()
            except ValueError:
                continue
        parts = written(body)
        if parts is not None and "%d" in given and "%m" in given:
            order = Order.DMY if given.index("%d") < given.index("%m") else Order.MDY
            return parts.as_date(order)
        raise ValueError(f"{body[:30]!r} does not match the date format {given}")

    def read(self, text: str) -> date:
        if self.given:
            day = self._given(text.strip(), self.given)
        else:
            parts = written(text)
            if parts is None:
                raise ValueError(f"{text.strip()[:30]!r} is not a date")
            day = parts.as_date(self.order)
        if not plausible(day):
            raise ValueError(f"{day.isoformat()} is not a plausible date for a bank statement")
        return day


def reader(texts: Iterable[str], sequence: Sequence[str], given: str | None = None
           ) -> DateReader:
    """How to read a file's dates: `texts` are every date it holds (any column), `sequence`
    the booking dates in the order the rows come. Raises AmbiguousDates."""
    if given:
        return DateReader(None, given)
    orders = {Order.DMY, Order.MDY}
    seen_slashed: Written | None = None
    example = ""
    for text in set(texts):
        parts = written(text)
        if parts is None or not parts.slashed:
            continue
        seen_slashed = seen_slashed or parts
        for order in list(orders):
            try:
                parts.as_date(order)
            except ValueError:
                orders.discard(order)
        if parts.first != parts.second and parts.first <= 12 and parts.second <= 12:
            example = example or text.strip()
    if seen_slashed is None:
        return DateReader(None)
    if len(orders) == 1:
        return DateReader(orders.pop())
    if not orders:  # impossible either way: row errors will say which
        return DateReader(Order.DMY)
    if not example:  # every date has day == month: both read the same
        return DateReader(Order.DMY)
    in_order = [o for o in (Order.DMY, Order.MDY) if _monotonic(sequence, o)]
    if len(in_order) == 1:
        return DateReader(in_order[0])
    raise AmbiguousDates(example)


def _monotonic(sequence: Sequence[str], order: Order) -> bool:
    """The rows' dates never go back, or never go forward, read in this order (at least three
    different dates needed for it to mean anything)."""
    days: list[date] = []
    for text in sequence:
        parts = written(text)
        if parts is None:
            continue
        try:
            day = parts.as_date(order)
        except ValueError:
            return False
        if not days or day != days[-1]:
            days.append(day)
    if len(set(days)) < 3:
        return False
    pairs = list(itertools.pairwise(days))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)
