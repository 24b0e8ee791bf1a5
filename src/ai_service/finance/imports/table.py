"""A CSV export as a table: its delimiter, where the header is (below any preamble), and which
lines hold the data (above any footer)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from ai_service.core.errors import BadUserInput
from ai_service.finance.imports.dates import written
from ai_service.finance.imports.numbers import read

DELIMITERS = (";", ",", "\t", "|")
_SAMPLE_CHARS = 65_536
_LOOK = 200  # records searched for the header and the first data row, and for the footer


@dataclass
class Table:
    delimiter: str
    header: list[str]  # names; "Column N" for a file without a header
    header_line: int | None  # 1-based; None: no header
    rows: list[tuple[int, list[str]]]  # (line, cells) of the data, blank lines left out
    preamble: int  # lines above the header (or the first row when there is no header)
    footer: int  # lines below the last row that were left out


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every non-blank record with the line it starts on. `newline=""` keeps CR-only and
    CR CR LF line ends apart as the csv module expects."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found = []
    line = 1
    try:
        for cells in reader:
            if any(cells) and (len(cells) > 1 or cells[0].strip()) and (
                    "".join(cells).strip()):
                found.append((line, cells))
            line = reader.line_num + 1
    except csv.Error:
        raise BadUserInput(f"Line {line} cannot be read as CSV (a quote is never closed?)",
                           field="file") from None
    return found


def sniff_delimiter(text: str, given: str | None) -> str:
    """The delimiter that splits most lines into the same number of cells (two or more)."""
    if given:
        if len(given) != 1:
            raise BadUserInput("The delimiter is one character", field="mapping.delimiter")
        return given
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        sample = sample[:sample.rfind("\n") + 1] or sample
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        try:
            records = _records(sample, delimiter)
        except BadUserInput:
            continue
        widths = Counter(len(cells) for _, cells in records if len(cells) >= 2)
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        score = count * 1000 + width  # more lines alike first, then more cells
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _is_data(cells: list[str]) -> bool:
    """A transaction-like record: a date in one cell, a number in another."""
    date_at = next((i for i, c in enumerate(cells) if written(c) is not None), None)
    if date_at is None:
        return False
    return any(i != date_at and any(ch.isdigit() for ch in c) and read(c) is not None
               for i, c in enumerate(cells))


def _has_number(cells: list[str]) -> bool:
    return any(any(ch.isdigit() for ch in c) and read(c) is not None for c in cells)


def _is_header(cells: list[str]) -> bool:
    """Names, not values: mostly non-empty text that is neither a date nor a number."""
    names = [c.strip() for c in cells if c.strip()]
    if len(names) < 2:
        return False
    values = sum(1 for c in names if written(c) is not None or read(c) is not None)
    return values <= len(names) // 4


def read_table(text: str, delimiter: str | None, header_row: int | None) -> Table:
    delimiter = sniff_delimiter(text, delimiter)
    records = _records(text, delimiter)
    if not records:
        raise BadUserInput("The file is empty", field="file")
    if header_row is not None and header_row > 0:
        start = next((i for i, (line, _) in enumerate(records) if line >= header_row), None)
        if start is None or records[start][0] != header_row:
            raise BadUserInput(f"Line {header_row} of the file is blank or not there",
                               field="mapping.headerRow")
        return _table(delimiter, records, start, start + 1)
    first = _first_row(records)
    if first is None:
        raise BadUserInput("No line of the file holds a date and an amount: is it a bank "
                           "statement? If it is, name the columns in the mapping "
                           "(mapping.date, mapping.amount)", field="mapping.date")
    if header_row == 0:
        return _table(delimiter, records, None, first)
    # The header is above the first transaction, maybe above lines of the same width that
    # are not transactions yet (pending lines with no date, the opening balance).
    width = len(records[first][1])
    above = first - 1
    while above >= 0:
        names = records[above][1]
        if _is_header(names) and _fits(names, width):
            return _table(delimiter, records, above, above + 1)
        if len(names) != width or _is_data(names):
            break
        above -= 1
    return _table(delimiter, records, None, first)


def _first_row(records: list[tuple[int, list[str]]]) -> int | None:
    """Where the transactions start: of the stretches of lines that begin with a
    transaction-like line, the one holding the most of them (a preamble may hold a line with
    a date and an amount, such as the period and the balance)."""
    head = records[:_LOOK]
    data = [_is_data(cells) for _, cells in head]
    best, best_count = None, 0
    for start, is_data in enumerate(data):
        if not is_data or (start and data[start - 1]):
            continue
        width, count = len(head[start][1]), 0
        for (_, cells), row_is_data in zip(head[start:], data[start:], strict=True):
            if row_is_data:
                count += 1
            elif len(cells) != width or _is_header(cells):
                break
        if count > best_count:
            best, best_count = start, count
    return best


def _fits(header: list[str], width: int) -> bool:
    """A header fits rows of `width` cells when it names most of them. Rows may have a few
    more cells than names (a text split over several) or fewer (trailing empty fields left
    out): the values under each name then confirm or refuse it."""
    named = len(header)
    while named and not header[named - 1].strip():
        named -= 1
    return named >= 0.6 * width


def _table(delimiter: str, records: list[tuple[int, list[str]]], header_at: int | None,
           first: int) -> Table:
    body = records[first:]
    width = Counter(len(cells) for _, cells in body[:_LOOK]).most_common(1)[0][0]
    last = len(body)
    # A footer: lines after the last transaction-like one (totals, disclaimers); a line shaped
    # like the rows, with an amount, stays a row (its date may be wrong: an error, not a footer).
    while last > 1 and len(body) - last < _LOOK and not _is_data(body[last - 1][1]) and not (
            len(body[last - 1][1]) == width and _has_number(body[last - 1][1])):
        last -= 1
    footer = len(body) - last
    if header_at is None:
        header = [f"Column {i + 1}" for i in range(width)]
        header_line = None
        preamble = records[first][0] - 1
    else:
        line, names = records[header_at]
        header = [n.strip() for n in names]
        while len(header) > width and not header[-1]:
            header.pop()
        header = _unique(header + [f"Column {i + 1}" for i in range(len(header), width)])
        header_line = line
        preamble = line - 1
    return Table(delimiter, header, header_line, body[:last], preamble, footer)


def _unique(names: list[str]) -> list[str]:
    """Names as written, made unique ("Währung", "Währung (2)"), empty ones numbered."""
    seen: Counter[str] = Counter()
    unique = []
    for i, name in enumerate(names):
        name = name or f"Column {i + 1}"
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique
