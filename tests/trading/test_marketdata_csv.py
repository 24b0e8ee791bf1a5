"""The OHLCV CSV parser: both header formats, a real export, and every way a row can be wrong."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from ai_service.core.errors import BadUserInput
from ai_service.trading.bars import Bars
from ai_service.trading.marketdata import MAX_ERRORS, ParsedBars, RowError, parse_ohlcv
from support.paths import ORCL

YAHOO = "Date,Open,High,Low,Close,Adj Close,Volume"
PLAIN = "timestamp,open,high,low,close,volume"


def parse(text: str | bytes, **options: Any) -> ParsedBars:
    data = text.encode() if isinstance(text, str) else text
    return parse_ohlcv(io.BytesIO(data), **options)


def at(text: str) -> int:
    moment = datetime.fromisoformat(text)
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def rows(parsed: ParsedBars) -> list[tuple[int, float, float, float, float, float]]:
    b = parsed.bars
    return list(zip(b.timestamps.tolist(), b.open.tolist(), b.high.tolist(), b.low.tolist(),
                    b.close.tolist(), b.volume.tolist(), strict=True))


def errors(parsed: ParsedBars) -> list[tuple[int, str]]:
    return [(e.row, e.message) for e in parsed.errors]


def test_the_real_orcl_export_parses_completely() -> None:
    with ORCL.open("rb") as fh:
        parsed = parse_ohlcv(fh)
    with ORCL.open(newline="") as fh:
        expected = list(csv.DictReader(fh))
    assert parsed.ok
    assert parsed.rejected == 0
    assert parsed.errors == []
    assert parsed.rows == len(expected) == len(parsed.bars) == 5036
    first, last = rows(parsed)[0], rows(parsed)[-1]
    assert first == (at("1995-01-03"), 2.179012, 2.191358, 2.117284, 2.117284, 36301200.0)
    assert last == (at("2014-12-31"), 45.450001, 45.560001, 44.970001, 44.970001, 13269200.0)
    # Every row, against the file read independently (Adj Close is not kept).
    for name, column in (("Open", parsed.bars.open), ("High", parsed.bars.high),
                         ("Low", parsed.bars.low), ("Close", parsed.bars.close),
                         ("Volume", parsed.bars.volume)):
        assert column.tolist() == [float(r[name]) for r in expected], name
    assert parsed.bars.timestamps.tolist() == [at(r["Date"]) for r in expected]
    assert Bars.of(parsed.bars).close[-1] == 44.970001


def test_the_plain_format_with_epoch_seconds_and_milliseconds() -> None:
    parsed = parse(f"{PLAIN}\n"
                   "1704067200,1.5,2,1,1.75,10\n"
                   "1704067260000,1.75,1.8,1.7,1.7,0.5\n"
                   "-86400,1,1,1,1,0\n")
    assert parsed.ok
    assert rows(parsed) == [(-86400, 1.0, 1.0, 1.0, 1.0, 0.0),
                            (1704067200, 1.5, 2.0, 1.0, 1.75, 10.0),
                            (1704067260, 1.75, 1.8, 1.7, 1.7, 0.5)]


def test_iso_times_naive_as_utc_and_with_offsets() -> None:
    parsed = parse(f"{PLAIN}\n"
                   "2024-01-02T09:30:00Z,1,2,1,2,1\n"
                   "2024-01-02 10:30:00,1,2,1,2,1\n"
                   "2024-01-02T12:30:00+01:00,1,2,1,2,1\n"
                   "2024-01-03,1,2,1,2,1\n")
    assert parsed.ok
    assert parsed.bars.timestamps.tolist() == [at("2024-01-02T09:30:00+00:00"),
                                               at("2024-01-02T10:30:00+00:00"),
                                               at("2024-01-02T11:30:00+00:00"),
                                               at("2024-01-03T00:00:00+00:00")]


def test_headers_in_any_case_and_order_extra_columns_ignored() -> None:
    parsed = parse("VOLUME, Close ,low,HIGH,Open,Dividends,DATE\n"
                   "100,2.5,1,3,2,0.1,2024-01-02\n")
    assert rows(parsed) == [(at("2024-01-02"), 2.0, 3.0, 1.0, 2.5, 100.0)]
    without_volume = parse("Date,Open,High,Low,Close\n2024-01-02,2,3,1,2.5\n")
    assert rows(without_volume) == [(at("2024-01-02"), 2.0, 3.0, 1.0, 2.5, 0.0)]


def test_bad_rows_are_reported_with_spreadsheet_row_numbers_and_reasons() -> None:
    parsed = parse(f"{YAHOO}\n"
                   "2024-01-01,10,12,9,11,11,100\n"          # row 2: fine
                   "2024-01-02,10,10.5,9,11,11,100\n"        # 3: high below close
                   "2024-01-03,10,12,10.5,11,11,100\n"       # 4: low above open
                   "2024-01-04,0,12,9,11,11,100\n"           # 5: zero open
                   "2024-01-05,10,12,-9,11,11,100\n"         # 6: negative low
                   "2024-01-06,10,12,9,11,11,-1\n"           # 7: negative volume
                   "2024-01-07,ten,12,9,11,11,100\n"         # 8: not a number
                   "01/08/2024,10,12,9,11,11,100\n"          # 9: unknown date format
                   "2024-01-09,10,12,9,11,11\n"              # 10: a field short
                   "2024-01-10,10,12,9,inf,11,100\n"         # 11: infinite
                   "2024-01-11T10:00:00.5,10,12,9,11,11,1\n"  # 12: sub-second time
                   "1700-01-01,10,12,9,11,11,1\n"            # 13: too early
                   "2024-01-13,10,12,9,11,11,100\n")         # 14: fine
    assert parsed.rows == 13
    assert parsed.rejected == 11
    assert not parsed.ok
    assert errors(parsed) == [
        (3, "high 10.5 is below close 11"),
        (4, "low 10.5 is above open 10"),
        (5, "open must be greater than 0 (is 0)"),
        (6, "low must be greater than 0 (is -9)"),
        (7, "volume must not be negative (is -1)"),
        (8, "open is not a number ('ten')"),
        (9, "time '01/08/2024' is not YYYY-MM-DD, an ISO 8601 date-time or epoch seconds"),
        (10, "has 6 fields, the header has 7"),
        (11, "close is not a finite number ('inf')"),
        (12, "time 2024-01-11T10:00:00.5 has fractions of a second (only whole seconds are "
             "kept)"),
        (13, "time 1700-01-01 is not between the years 1800 and 2199"),
    ]
    assert parsed.bars.timestamps.tolist() == [at("2024-01-01"), at("2024-01-13")]


def test_a_row_with_several_problems_lists_them_all() -> None:
    parsed = parse(f"{PLAIN}\nsoon,abc,,1,2,\n")
    assert errors(parsed) == [(2, "time 'soon' is not YYYY-MM-DD, an ISO 8601 date-time or "
                                  "epoch seconds; open is not a number ('abc'); high, volume "
                                  "are missing")]


def test_yahoo_null_rows_are_rejected_with_a_reason() -> None:
    parsed = parse(f"{YAHOO}\n"
                   "2000-01-03,10,12,9,11,11,100\n"
                   "2000-01-04,null,null,null,null,null,null\n"
                   "2000-01-05,10,12,9,11,11,null\n")
    assert errors(parsed) == [(3, "open, high, low, close, volume are missing"),
                              (4, "volume is missing")]
    assert len(parsed.bars) == 1


def test_repeated_times_are_rejected_after_the_first() -> None:
    parsed = parse(f"{YAHOO}\n"
                   "2024-01-02,10,12,9,11,11,100\n"
                   "2024-01-01,10,12,9,11,11,100\n"
                   "2024-01-02,10,12,9,11.5,11,100\n"
                   "2024-01-03T00:00:00Z,10,12,9,11,11,100\n"
                   "1704240000,10,12,9,11,11,100\n"   # 2024-01-03 again, as epoch seconds
                   "2024-01-02,10,12,9,11,11,100\n")
    assert errors(parsed) == [(4, "time already in row 2"), (6, "time already in row 5"),
                              (7, "time already in row 2")]
    assert parsed.rejected == 3
    # Rows come out sorted, the first of each time kept.
    assert rows(parsed) == [(at("2024-01-01"), 10.0, 12.0, 9.0, 11.0, 100.0),
                            (at("2024-01-02"), 10.0, 12.0, 9.0, 11.0, 100.0),
                            (at("2024-01-03"), 10.0, 12.0, 9.0, 11.0, 100.0)]


def test_byte_order_mark_crlf_quotes_and_blank_lines() -> None:
    data = ("\ufeff" + YAHOO + "\r\n"
            '"2024-01-01","10","12","9","11","11","100"\r\n'
            "\r\n"
            ",,,,,,\r\n"
            "2024-01-02,10,12,9,11,11,bad\r\n").encode()
    parsed = parse(data)
    assert len(parsed.bars) == 1
    assert parsed.rows == 2
    assert errors(parsed) == [(5, "volume is not a number ('bad')")]  # blank rows 3-4 counted


def test_semicolons_and_tabs_with_decimal_commas() -> None:
    semicolons = parse("Date;Open;High;Low;Close;Adj Close;Volume\n"
                       "2024-01-02;10,5;12,25;9;11;11;1000\n")
    tabs = parse("Date\tOpen\tHigh\tLow\tClose\tVolume\n2024-01-02\t10.5\t12,25\t9\t11\t1000\n")
    assert rows(semicolons) == rows(tabs) == [(at("2024-01-02"), 10.5, 12.25, 9.0, 11.0, 1000.0)]
    # With commas as separators a decimal comma cannot occur: "10,5" is two fields.
    assert errors(parse(f"{PLAIN}\n2024-01-02,10,5,12,9,11,1\n")) == [
        (2, "has 7 fields, the header has 6")]


def test_bytes_that_are_not_utf8_reject_their_row() -> None:
    parsed = parse(YAHOO.encode() + b"\n2024-01-01,10,12,9,11,11,100\n2024-01-0\xff,10,12,9,11,11,1\n")
    assert len(parsed.bars) == 1
    assert parsed.errors[0].row == 3
    assert parsed.errors[0].message.startswith("contains bytes that are not UTF-8 text; time ")


@pytest.mark.parametrize(("text", "message"), [
    ("", "The file is empty"),
    ("\n\n", "The file is empty"),
    ("Date,Price\n2024-01-01,1\n", "missing open, high, low, close"),
    ("open,high,low,close\n1,1,1,1\n", "missing a Date or Timestamp column"),
    ("Date,Timestamp,Open,High,Low,Close\n", "several time columns"),
    ("Date,Open,Open,High,Low,Close\n", "names open twice"),
    ("\x00\x01PK binary", "Not an OHLCV header"),
])
def test_files_that_are_not_ohlcv_csv(text: str, message: str) -> None:
    with pytest.raises(BadUserInput, match=message) as error:
        parse(text)
    assert error.value.extensions["field"] == "file"


def test_a_header_alone_is_an_empty_result() -> None:
    parsed = parse(YAHOO + "\n")
    assert parsed.ok
    assert parsed.rows == 0
    assert len(parsed.bars) == 0


def test_size_caps() -> None:
    body = f"{PLAIN}\n" + "".join(f"{1704067200 + 60 * i},1,2,1,2,1\n" for i in range(100))
    assert len(parse(body, max_rows=100).bars) == 100
    with pytest.raises(BadUserInput, match="more than 99 rows"):
        parse(body, max_rows=99)
    with pytest.raises(BadUserInput, match="larger than 1 MiB"):
        parse(body * 500, max_bytes=1024 * 1024)
    with pytest.raises(BadUserInput, match="first line is too long"):
        parse("x" * 10_000)


def test_the_stream_is_read_in_pieces() -> None:
    class Recording(io.BytesIO):
        sizes: list[int]

        def read(self, size: int | None = -1) -> bytes:
            self.sizes.append(-1 if size is None else size)
            return super().read(size)

    stream = Recording((f"{PLAIN}\n" + "1704067200,1,2,1,2,1\n" * 50_000).encode())
    stream.sizes = []
    parse_ohlcv(stream)
    assert len(stream.sizes) > 10
    assert all(0 < size <= 64 * 1024 for size in stream.sizes)
    assert not stream.closed  # the caller's stream stays open


def test_errors_are_capped_but_all_rejected_rows_counted() -> None:
    parsed = parse(f"{PLAIN}\n" + "".join(f"{1704067200 + 60 * i},1,0.5,1,2,1\n"
                                         for i in range(MAX_ERRORS + 500)))
    assert parsed.rejected == MAX_ERRORS + 500
    assert len(parsed.errors) == MAX_ERRORS
    assert parsed.errors[0] == RowError(2, "high 0.5 is below close 2")


def test_raise_for_errors_is_the_all_or_nothing_switch() -> None:
    parse(f"{PLAIN}\n1704067200,1,2,1,2,1\n").raise_for_errors()
    parsed = parse(f"{PLAIN}\n1704067200,1,2,1,2,1\n" + "x,1,2,1,2,1\n" * 30)
    with pytest.raises(BadUserInput, match=r"^30 of 31 rows are invalid, nothing was imported\. "
                                           r"row 3: time 'x'") as error:
        parsed.raise_for_errors()
    assert error.value.extensions["rejected"] == 30
    assert len(error.value.extensions["errors"]) == 20
    assert error.value.extensions["errors"][0]["row"] == 3
    assert np.array_equal(parsed.bars.timestamps, [1704067200])
