"""The market store on InfluxDB, through the v1 HTTP API (`/write` with line protocol, `/query`
with InfluxQL), which InfluxDB 1.x serves natively and 2.x/3.x serve as their compatibility API.

Layout: measurement `bars`, tags `owner` (user id), `symbol`, `timeframe`; float fields open,
high, low, close, volume; one point per bar at its start, in seconds. A series is one owner's
symbol and timeframe, so reads never scan another owner's data.

Line protocol is written here rather than with `influxdb_client.Point`: every field is a float
and every tag value has passed `validate_symbol` (no commas, spaces, equals signs, quotes or
backslashes), so a dozen lines with an escaper cover it, where a Point object per bar would cost
a dependency and several times the CPU on a million-bar import.

Authentication, first match wins: a token (`Authorization: Token ...`, InfluxDB 2/3's v1
compatibility API), a user name and password (HTTP basic, InfluxDB 1.x), or the user info of the
URL (`http://user:pass@host:8086`).

The database is created on first use when missing (`CREATE DATABASE` is idempotent in 1.x; where
the server refuses it, as 2.x's DBRP mappings do, it must exist already). `delete` uses
`DROP SERIES`, which only InfluxDB 1.x understands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
import numpy as np
import orjson
from numpy.typing import NDArray

from ai_service.platform.market import (
    BarColumns,
    MarketStoreError,
    SymbolSummary,
    WriteResult,
    diff_existing,
    epoch,
    sort_summaries,
    utc,
    validate_symbol,
)
from ai_service.platform.market.timeframes import Timeframe

log = logging.getLogger(__name__)

BATCH = 5_000  # lines per /write request (~0.6 MB), well under influxd's 25 MB body limit
CHUNK = 10_000  # rows per chunk of a streamed /query answer
MEASUREMENT = "bars"
_FIELDS = ("open", "high", "low", "close", "volume")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_TAG_ESCAPES = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ "})


# InfluxQL is assembled from identifiers we validate, integers, and string literals built by
# `_literal` (hence the S608 exemptions). InfluxDB 1.6 has bind parameters, but the v1
# compatibility APIs of 2.x/3.x do not all honour them; escaped literals work everywhere.


def _tag(value: str) -> str:
    return value.translate(_TAG_ESCAPES)


def _literal(value: str) -> str:
    """An InfluxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class InfluxMarketStore:
    def __init__(self, url: str, database: str = "ai_service", *,
                 retention_policy: str | None = None, username: str | None = None,
                 password: str | None = None, token: str | None = None,
                 batch_size: int = BATCH, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        for name, value in (("database", database), ("retention policy", retention_policy)):
            if value is not None and not _NAME.fullmatch(value):
                raise ValueError(f"InfluxDB {name} name {value!r} is not letters, digits, _ . -")
        parsed = httpx.URL(url)
        if not username and parsed.username:
            username, password = parsed.username, parsed.password
        # Uncompressed answers: gzip triples influxd's time on a large read (measured with
        # 300k bars, 0.6 s -> 1.8 s), and a LAN carries the raw bytes faster than that.
        headers: dict[str, str] = {"Accept-Encoding": "identity"}
        auth: httpx.Auth | None = None
        if token:
            headers["Authorization"] = f"Token {token}"
        elif username:
            auth = httpx.BasicAuth(username, password or "")
        base = parsed.copy_with(username=None, password=None)
        self._where = f"{base.host}:{base.port or ('443' if base.scheme == 'https' else '80')}"
        self._client = httpx.AsyncClient(base_url=str(base).rstrip("/"), headers=headers,
                                         auth=auth, timeout=timeout, transport=transport)
        self._db = database
        self._rp = retention_policy
        self._from = (f"{_identifier(database)}.{_identifier(retention_policy)}."
                      f"{_identifier(MEASUREMENT)}" if retention_policy
                      else _identifier(MEASUREMENT))
        self._batch = batch_size
        self._ready = False

    # ----------------------------------------------------------------- HTTP

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise MarketStoreError(
                f"InfluxDB at {self._where} is unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code in (401, 403):
            raise MarketStoreError(f"InfluxDB at {self._where} refused the credentials "
                                   f"({response.status_code})")
        return response

    @staticmethod
    def _error_text(response: httpx.Response) -> str:
        try:
            body = orjson.loads(response.content)
            if isinstance(body, dict) and body.get("error"):
                return str(body["error"])[:500]
        except orjson.JSONDecodeError:
            pass
        return response.text[:500]

    async def _query(self, statements: str,
                     ensure: bool = True) -> list[list[tuple[dict[str, str], list[Any]]]]:
        """Runs InfluxQL (statements separated by `;`), streamed in chunks. Returns, per
        statement, its series as (tags, rows); the rows' first column is time in seconds."""
        if ensure:
            await self._ensure_database()
        params = {"db": self._db, "epoch": "s", "chunked": "true", "chunk_size": str(CHUNK),
                  "q": statements}
        results: dict[int, list[tuple[dict[str, str], list[Any]]]] = {}
        try:
            async with self._client.stream("POST", "/query", data=params) as response:
                if response.status_code != 200:
                    await response.aread()
                    if response.status_code in (401, 403):
                        raise MarketStoreError(f"InfluxDB at {self._where} refused the "
                                               f"credentials ({response.status_code})")
                    raise MarketStoreError(f"InfluxDB query failed ({response.status_code}): "
                                           f"{self._error_text(response)}")
                async for line in response.aiter_lines():
                    if line.strip():
                        self._collect(orjson.loads(line), results)
        except httpx.HTTPError as exc:
            raise MarketStoreError(
                f"InfluxDB at {self._where} is unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        count = statements.count(";") + 1
        return [results.get(i, []) for i in range(count)]

    @staticmethod
    def _collect(chunk: Any, results: dict[int, list[tuple[dict[str, str], list[Any]]]]) -> None:
        if chunk.get("error"):
            raise MarketStoreError(f"InfluxDB query failed: {str(chunk['error'])[:500]}")
        for result in chunk.get("results", ()):
            if result.get("error"):
                raise MarketStoreError(f"InfluxDB query failed: {str(result['error'])[:500]}")
            series_list = results.setdefault(int(result.get("statement_id", 0)), [])
            for series in result.get("series", ()):
                tags = series.get("tags") or {}
                # A series cut into chunks arrives as consecutive parts with the same tags.
                if series_list and series_list[-1][0] == tags:
                    series_list[-1][1].extend(series["values"])
                else:
                    series_list.append((tags, list(series["values"])))

    async def _ensure_database(self) -> None:
        # Two first calls at once may both send it: CREATE DATABASE is idempotent.
        if self._ready:
            return
        response = await self._request(
            "POST", "/query", data={"q": f"CREATE DATABASE {_identifier(self._db)}"})
        if response.status_code != 200 or b'"error"' in response.content:
            log.warning("could not create InfluxDB database %s (%s): %s; assuming it exists",
                        self._db, response.status_code, self._error_text(response))
        self._ready = True

    # ----------------------------------------------------------------- writing

    async def write(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    bars: BarColumns) -> WriteResult:
        validate_symbol(symbol)
        bars.check_prices()
        timeframe = Timeframe(timeframe)
        await self._ensure_database()
        prefix = (f"{MEASUREMENT},owner={int(owner_id)},symbol={_tag(symbol)},"
                  f"timeframe={timeframe.value} ")
        result = WriteResult()
        for start in range(0, len(bars), self._batch):
            batch = bars.slice(start, start + self._batch)
            first, last = int(batch.timestamps[0]), int(batch.timestamps[-1])
            stored = await self._raw(owner_id, symbol, timeframe, first, last + 1)
            changed, counts = diff_existing(batch, stored[:, 0].astype(np.int64), stored[:, 1:])
            result += counts
            if np.any(changed):
                await self._write_lines(prefix, batch, changed)
        return result

    async def _write_lines(self, prefix: str, bars: BarColumns,
                           mask: NDArray[np.bool_]) -> None:
        columns = [bars.timestamps[mask].tolist(),
                   *(getattr(bars, name)[mask].tolist() for name in _FIELDS)]
        # repr() of a float is its shortest exact form (2.179012, 1e-05): InfluxDB parses it
        # back to the same float64.
        body = "\n".join(
            f"{prefix}open={o!r},high={h!r},low={lo!r},close={c!r},volume={v!r} {t}"
            for t, o, h, lo, c, v in zip(*columns, strict=True)
        )
        params = {"db": self._db, "precision": "s"}
        if self._rp:
            params["rp"] = self._rp
        response = await self._request("POST", "/write", params=params, content=body.encode())
        if response.status_code != 204:
            raise MarketStoreError(f"InfluxDB write failed ({response.status_code}): "
                                   f"{self._error_text(response)}")

    # ----------------------------------------------------------------- reading

    def _where_series(self, owner_id: int, symbol: str, timeframe: Timeframe) -> str:
        return (f"owner = {_literal(str(int(owner_id)))} AND symbol = {_literal(symbol)} "
                f"AND timeframe = {_literal(timeframe.value)}")

    @staticmethod
    def _time_bounds(lower: int | None, upper: int | None) -> str:
        # Duration literals are offsets from the epoch; negative ones (before 1970) work too.
        bounds = ""
        if lower is not None:
            bounds += f" AND time >= {int(lower)}s"
        if upper is not None:
            bounds += f" AND time < {int(upper)}s"
        return bounds

    async def _raw(self, owner_id: int, symbol: str, timeframe: Timeframe,
                   lower: int | None, upper: int | None) -> NDArray[np.float64]:
        """Stored bars with lower <= ts < upper as rows of ts, open, high, low, close, volume."""
        fields = ", ".join(_identifier(f) for f in _FIELDS)
        (series,) = await self._query(
            f"SELECT {fields} FROM {self._from} WHERE "  # noqa: S608
            f"{self._where_series(owner_id, symbol, timeframe)}"
            f"{self._time_bounds(lower, upper)} ORDER BY time ASC")
        return _matrix(series)

    async def range(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    start: datetime | None = None, end: datetime | None = None,
                    aggregate_to: Timeframe | None = None) -> BarColumns:
        validate_symbol(symbol)
        timeframe = Timeframe(timeframe)
        lower, upper = epoch(start), epoch(end)
        if aggregate_to is None or Timeframe(aggregate_to) is timeframe:
            return _columns(await self._raw(owner_id, symbol, timeframe, lower, upper))
        target = Timeframe(aggregate_to)
        timeframe.check_aggregation(target)
        where = self._where_series(owner_id, symbol, timeframe)
        if lower is None or upper is None:
            # GROUP BY time() without an upper bound stops at now(), and an open lower bound
            # would make buckets from 1677 on: close the range on the data itself.
            first, last = await self._query(
                f"SELECT first(close) FROM {self._from} WHERE {where}"  # noqa: S608
                f"{self._time_bounds(lower, upper)}; "
                f"SELECT last(close) FROM {self._from} WHERE {where}"
                f"{self._time_bounds(lower, upper)}")
            if not first or not first[0][1]:
                return BarColumns.empty()
            lower = int(first[0][1][0][0]) if lower is None else lower
            upper = int(last[0][1][0][0]) + 1 if upper is None else upper
        (series,) = await self._query(
            f"SELECT first(open), max(high), min(low), last(close), sum(volume) "  # noqa: S608
            f"FROM {self._from} WHERE {where}{self._time_bounds(lower, upper)} "
            f"GROUP BY time({target.seconds}s, {target.offset_seconds}s) fill(none)")
        return _columns(_matrix(series))

    async def symbols(self, owner_id: int) -> list[SymbolSummary]:
        where = f"owner = {_literal(str(int(owner_id)))}"
        group = "GROUP BY symbol, timeframe"
        counts, firsts, lasts = await self._query(
            f"SELECT count(close) FROM {self._from} WHERE {where} {group}; "  # noqa: S608
            f"SELECT first(close) FROM {self._from} WHERE {where} {group}; "
            f"SELECT last(close) FROM {self._from} WHERE {where} {group}")

        def by_series(series: list[tuple[dict[str, str], list[Any]]]) -> dict[
                tuple[str, str], list[Any]]:
            return {(tags["symbol"], tags["timeframe"]): rows[0] for tags, rows in series if rows}

        first_rows, last_rows = by_series(firsts), by_series(lasts)
        summaries = []
        for (symbol, timeframe), row in by_series(counts).items():
            if (symbol, timeframe) not in first_rows or timeframe not in Timeframe.__members__:
                continue
            summaries.append(SymbolSummary(
                symbol=symbol, timeframe=Timeframe(timeframe),
                first=utc(int(first_rows[symbol, timeframe][0])),
                last=utc(int(last_rows[symbol, timeframe][0])), count=int(row[1])))
        return sort_summaries(summaries)

    async def delete(self, owner_id: int, symbol: str, timeframe: Timeframe) -> int:
        validate_symbol(symbol)
        where = self._where_series(owner_id, symbol, Timeframe(timeframe))
        (counted,) = await self._query(
            f"SELECT count(close) FROM {self._from} WHERE {where}")  # noqa: S608
        count = int(counted[0][1][0][1]) if counted and counted[0][1] else 0
        if count:
            await self._query(f"DROP SERIES FROM {_identifier(MEASUREMENT)} WHERE {where}")
        return count

    async def ping(self) -> None:
        response = await self._request("GET", "/ping")
        if response.status_code not in (200, 204):
            raise MarketStoreError(f"InfluxDB at {self._where} answered /ping with "
                                   f"{response.status_code}")

    async def close(self) -> None:
        await self._client.aclose()


def _matrix(series: Sequence[tuple[dict[str, str], list[Any]]]) -> NDArray[np.float64]:
    rows = [row for _, values in series for row in values]
    if not rows:
        return np.empty((0, 6))
    matrix = np.array(rows, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != 6 or not np.all(np.isfinite(matrix)):
        # A null would mean a point missing a field: not something this store writes.
        raise MarketStoreError("InfluxDB returned bars with missing fields")
    return matrix


def _columns(matrix: NDArray[np.float64]) -> BarColumns:
    return BarColumns(matrix[:, 0].astype(np.int64), matrix[:, 1], matrix[:, 2], matrix[:, 3],
                      matrix[:, 4], matrix[:, 5])

