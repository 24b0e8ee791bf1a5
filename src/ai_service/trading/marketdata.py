"""OHLCV CSV files: recognise the header, parse and validate every row, report what is wrong
with which row.

Accepted files
--------------
- The header names the columns, in any order and case: a time column (`Date`, `Timestamp`,
  `Time` or `Datetime`), `Open`, `High`, `Low`, `Close` and optionally `Volume` (0 when absent).
  That covers the common export `Date,Open,High,Low,Close,Adj Close,Volume` and the plain
  `timestamp,open,high,low,close,volume`. `Adj Close` and any other column are ignored.
- Separator: comma; or semicolon or tab (spreadsheets in locales whose decimal separator is a
  comma write those), in which case `2,5` is read as 2.5. The header decides the separator.
- Times: `YYYY-MM-DD` (midnight UTC), ISO 8601 date-times (`2024-01-02T09:30:00Z`, with an
  offset, or naive = UTC), or epoch seconds; integers of 12 digits or more are epoch
  milliseconds. Whole seconds only, between 1800 and 2199.
- UTF-8, with or without a byte order mark. Blank lines are skipped.

Every row is checked: a parseable time, numbers for the prices, prices > 0,
high >= max(open, close), low <= min(open, close), volume >= 0 (a present but empty or `null`
cell is a missing value, as in Yahoo's `null` rows), the header's number of fields, and no time
seen in an earlier row. A rejected row is reported with its row number as a spreadsheet shows
it (the header is row 1) and every reason. Rows may come in any order; the bars come out sorted.

A file that is not an OHLCV CSV at all (no recognisable header, too large, too many rows, broken
quoting) raises BadUserInput. Storing nothing when any row is rejected is the caller's rule:
`ParsedBars.raise_for_errors()` is there for it.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from ai_service.core.errors import BadUserInput
from ai_service.platform.market import BarColumns

MAX_ROWS = 2_000_000
MAX_BYTES = 256 * 1024 * 1024
MAX_ERRORS = 1_000  # row errors kept (all rejected rows are counted)
REPORTED_ERRORS = 20  # row errors put into a BadUserInput
MAX_HEADER_CHARS = 4096

_TIME_NAMES = ("date", "timestamp", "time", "datetime")
_PRICE_NAMES = ("open", "high", "low", "close")
_MISSING = frozenset({"", "null", "nan", "na", "n/a", "none", "-"})
_INTEGER = re.compile(r"[+-]?\d+")
_EARLIEST = int(datetime(1800, 1, 1, tzinfo=UTC).timestamp())
_LATEST = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp())
_MILLISECONDS_FROM = 10**11  # 1e11 s is the year 5138: a number this large counts milliseconds


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str


@dataclass(frozen=True)
class ParsedBars:
    bars: BarColumns  # the accepted rows, sorted by time
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS, by row
    rejected: int = 0  # rows rejected
    rows: int = 0  # data rows read (blank lines not counted)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def raise_for_errors(self) -> None:
        """BadUserInput naming the first rejected rows, when any row was rejected."""
        if self.ok:
            return
        shown = self.errors[:REPORTED_ERRORS]
        first = "; ".join(f"row {e.row}: {e.message}" for e in shown[:3])
        raise BadUserInput(
            f"{self.rejected} of {self.rows} rows are invalid, nothing was imported. {first}"
            + ("; ..." if self.rejected > 3 else ""),
            field="file", rejected=self.rejected,
            errors=[{"row": e.row, "message": e.message} for e in shown],
        )


class _TooLarge(Exception):
    pass


class _CappedReader(io.RawIOBase):
    """Reads a binary stream and gives up after `limit` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        chunk = self._stream.read(len(view))
        if not chunk:
            return 0
        self._left -= len(chunk)
        if self._left < 0:
            raise _TooLarge
        view[:len(chunk)] = chunk
        return len(chunk)


@dataclass(frozen=True, slots=True)
class _Layout:
    width: int
    time: int
    prices: tuple[int, int, int, int]
    volume: int | None
    decimal_comma: bool


def parse_ohlcv(stream: IO[bytes], *, max_rows: int = MAX_ROWS,
                max_bytes: int = MAX_BYTES) -> ParsedBars:
    """Parses an OHLCV CSV from a binary file object, reading it once, in pieces."""
    text = io.TextIOWrapper(io.BufferedReader(_CappedReader(stream, max_bytes)),
                            encoding="utf-8-sig", errors="replace", newline="")
    try:
        return _parse(text, max_rows)
    except _TooLarge:
        raise BadUserInput(f"The file is larger than {max_bytes // (1024 * 1024)} MiB",
                           field="file") from None
    except csv.Error as exc:
        raise BadUserInput(f"The file is not a readable CSV: {exc}", field="file") from None
    finally:
        text.detach()  # the caller owns the stream


def _parse(text: io.TextIOWrapper, max_rows: int) -> ParsedBars:
    row = 0
    while True:
        line = text.readline(MAX_HEADER_CHARS)
        if not line:
            raise BadUserInput("The file is empty", field="file")
        row += 1
        if line.strip():
            break
    if not line.endswith(("\n", "\r")) and len(line) >= MAX_HEADER_CHARS:
        raise BadUserInput("The first line is too long to be a CSV header", field="file")
    delimiter = max(",;\t", key=line.count)
    records: Iterator[list[str]] = csv.reader(itertools.chain([line], text), delimiter=delimiter)
    layout = _layout(next(records), decimal_comma=delimiter != ",")

    stamps, rows_of = array("q"), array("q")
    columns = [array("d") for _ in range(5)]
    errors: list[RowError] = []
    rejected = data_rows = 0
    for record in records:
        row += 1
        if not record or (not record[0].strip() and not any(c.strip() for c in record)):
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise BadUserInput(f"The file has more than {max_rows:,} rows", field="file")
        parsed = _row(record, layout)
        if isinstance(parsed, str):
            rejected += 1
            if len(errors) < MAX_ERRORS:
                errors.append(RowError(row, parsed))
            continue
        stamps.append(parsed[0])
        rows_of.append(row)
        for column, value in zip(columns, parsed[1:], strict=True):
            column.append(value)
    return _assemble(stamps, rows_of, columns, errors, rejected, data_rows)


def _layout(header: list[str], *, decimal_comma: bool) -> _Layout:
    names = [re.sub(r"[\s_]+", " ", name.strip().strip('"').lower()) for name in header]
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    time_columns = [name for name in _TIME_NAMES if name in index]
    missing = [name for name in _PRICE_NAMES if name not in index]
    if not time_columns or missing:
        needed = ([] if time_columns else ["a Date or Timestamp column"]) + missing
        raise BadUserInput(
            "Not an OHLCV header (expected Date,Open,High,Low,Close,Adj Close,Volume or "
            f"timestamp,open,high,low,close,volume): missing {', '.join(needed)}; found "
            f"{','.join(h.strip() for h in header)[:200]!r}", field="file")
    if len(time_columns) > 1:
        raise BadUserInput(f"The header has several time columns ({', '.join(time_columns)}): "
                           "keep one", field="file")
    for name in (*_TIME_NAMES, *_PRICE_NAMES, "volume"):
        if names.count(name) > 1:
            raise BadUserInput(f"The header names {name} twice", field="file")
    open_, high, low, close = (index[name] for name in _PRICE_NAMES)
    return _Layout(width=len(header), time=index[time_columns[0]],
                   prices=(open_, high, low, close), volume=index.get("volume"),
                   decimal_comma=decimal_comma)


_INF = math.inf


def _row(record: list[str], layout: _Layout) -> tuple[int, float, float, float, float, float] | str:
    """The row's (time, open, high, low, close, volume), or why it is rejected."""
    if len(record) == layout.width:
        # The fast path, for the rows that are fine; anything unusual is judged by `_explain`.
        try:
            i_open, i_high, i_low, i_close = layout.prices
            open_, high, low, close = (float(record[i_open]), float(record[i_high]),
                                       float(record[i_low]), float(record[i_close]))
            volume = 0.0 if layout.volume is None else float(record[layout.volume])
        except ValueError:
            pass
        else:
            # NaN fails every comparison; +-inf fails the bounds.
            stamp = _time(record[layout.time])
            if (not isinstance(stamp, str) and 0 < low <= min(open_, close)
                    and max(open_, close) <= high < _INF and 0 <= volume < _INF):
                return stamp, open_, high, low, close, volume
    return _explain(record, layout)


def _explain(record: list[str], layout: _Layout) -> tuple[int, float, float, float, float,
                                                          float] | str:
    if len(record) != layout.width:
        return f"has {len(record)} fields, the header has {layout.width}"
    reasons: list[str] = []
    if "\ufffd" in "".join(record):
        reasons.append("contains bytes that are not UTF-8 text")
    stamp = _time(record[layout.time])
    if isinstance(stamp, str):
        reasons.append(stamp)
    cells = [("open", record[layout.prices[0]]), ("high", record[layout.prices[1]]),
             ("low", record[layout.prices[2]]), ("close", record[layout.prices[3]])]
    if layout.volume is not None:
        cells.append(("volume", record[layout.volume]))
    values: dict[str, float] = {}
    missing: list[str] = []
    for name, cell in cells:
        value = _number(cell, layout.decimal_comma)
        if value is None:
            missing.append(name)
        elif isinstance(value, str):
            reasons.append(f"{name} {value}")
        else:
            values[name] = value
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        reasons.append(f"{', '.join(missing)} {verb} missing")
    if len(values) == len(cells):
        reasons += _price_problems(values, dict(cells))
    if reasons or isinstance(stamp, str):  # (the second test is for the type checker)
        return "; ".join(reasons)
    return (stamp, values["open"], values["high"], values["low"], values["close"],
            values.get("volume", 0.0))


def _price_problems(values: dict[str, float], cells: dict[str, str]) -> list[str]:
    problems = [f"{name} must be greater than 0 (is {cells[name].strip()})"
                for name in _PRICE_NAMES if values[name] <= 0]
    if values.get("volume", 0.0) < 0:
        problems.append(f"volume must not be negative (is {cells['volume'].strip()})")
    if problems:
        return problems
    open_, high, low, close = (values[name] for name in _PRICE_NAMES)
    if high < max(open_, close):
        problems.append(f"high {cells['high'].strip()} is below "
                        f"{'open' if open_ >= close else 'close'} "
                        f"{cells['open' if open_ >= close else 'close'].strip()}")
    if low > min(open_, close):
        problems.append(f"low {cells['low'].strip()} is above "
                        f"{'open' if open_ <= close else 'close'} "
                        f"{cells['open' if open_ <= close else 'close'].strip()}")
    return problems


def _number(cell: str, decimal_comma: bool) -> float | str | None:
    """The cell's value; None when it is empty or null; a reason when it is not a number."""
    text = cell.strip()
    if text.lower() in _MISSING:
        return None
    if decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".", 1)
    try:
        value = float(text)
    except ValueError:
        return f"is not a number ({_clip(cell)})"
    if not math.isfinite(value):
        return f"is not a finite number ({_clip(cell)})"
    return value


def _time(cell: str) -> int | str:
    """Epoch seconds (UTC) of the cell, or why it is not a usable time."""
    text = cell.strip()
    if not text or text.lower() in _MISSING:
        return "time is missing"
    if text.isdigit() or (text[0] in "+-" and _INTEGER.fullmatch(text)):
        number = int(text)
        if abs(number) >= _MILLISECONDS_FROM:
            if number % 1000:
                return f"time {text} has fractions of a second (only whole seconds are kept)"
            number //= 1000
        seconds = number
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return (f"time {_clip(cell)} is not YYYY-MM-DD, an ISO 8601 date-time or epoch "
                    "seconds")
        if moment.microsecond:
            return f"time {text} has fractions of a second (only whole seconds are kept)"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = int(moment.timestamp())
    if not _EARLIEST <= seconds < _LATEST:
        return f"time {text} is not between the years 1800 and 2199"
    return seconds


def _clip(cell: str) -> str:
    text = cell.strip()
    return repr(text if len(text) <= 30 else text[:30] + "...")


def _assemble(stamps: array[int], rows_of: array[int], columns: list[array[float]],
              errors: list[RowError], rejected: int, data_rows: int) -> ParsedBars:
    ts = np.frombuffer(stamps, dtype=np.int64) if stamps else np.empty(0, np.int64)
    rows = np.frombuffer(rows_of, dtype=np.int64) if rows_of else np.empty(0, np.int64)
    # A stable sort keeps rows of the same time in file order: the first one stays, the later
    # ones are rejected as repeats.
    order = np.argsort(ts, kind="stable")
    ts, rows = ts[order], rows[order]
    repeat = np.zeros(len(ts), dtype=bool)
    repeat[1:] = ts[1:] == ts[:-1]
    if np.any(repeat):
        first_of_run = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(ts))))
        repeated, original = rows[repeat], rows[first_of_run[repeat]]
        by_row = np.argsort(repeated, kind="stable")[:MAX_ERRORS]
        duplicates = [RowError(int(r), f"time already in row {int(o)}")
                      for r, o in zip(repeated[by_row].tolist(), original[by_row].tolist(),
                                      strict=True)]
        rejected += len(repeated)
        errors = sorted(errors + duplicates, key=lambda e: e.row)[:MAX_ERRORS]
    keep = order[~repeat]
    values: list[NDArray[np.float64]] = [
        np.frombuffer(column, dtype=np.float64)[keep] if column else np.empty(0)
        for column in columns
    ]
    return ParsedBars(bars=BarColumns(ts[~repeat], *values), errors=errors, rejected=rejected,
                      rows=data_rows)
