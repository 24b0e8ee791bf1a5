"""The embedded market store: bars in the `market_bars` table of the relational database
(SQLite or PostgreSQL), through Tortoise's connection with hand-written, portable SQL.

Aggregation runs in the database: bars are bucketed with integer arithmetic on epoch seconds,
`ts - ((ts - offset) % width + width) % width` (a floor that is right before 1970 too, since both
databases truncate `%` towards zero), grouped for max(high), min(low), sum(volume) and the first
and last timestamps, whose open and close are then looked up through the unique index.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ai_service.core import db
from ai_service.platform.market import (
    BarColumns,
    SymbolSummary,
    WriteResult,
    diff_existing,
    epoch,
    sort_summaries,
    utc,
    validate_symbol,
)
from ai_service.platform.market.timeframes import Timeframe

BATCH = 5_000  # bars compared and upserted per transaction: short locks on SQLite
_KEY = "owner_id = ? AND symbol = ? AND timeframe = ?"


def _key(alias: str) -> str:
    return f"{alias}.owner_id = ? AND {alias}.symbol = ? AND {alias}.timeframe = ?"


_COLUMNS = "ts, open, high, low, close, volume"
_UPSERT_SET = ("open = excluded.open, high = excluded.high, low = excluded.low, "
               "close = excluded.close, volume = excluded.volume")
# Queries are assembled from the constants above and integers of the Timeframe enum only (hence
# the S608 exemptions); every value from a caller travels as a parameter.


class SqlMarketStore:
    """Needs Tortoise initialised (`core.db.init_db`); uses its `default` connection."""

    def __init__(self, batch_size: int = BATCH) -> None:
        self._batch = batch_size

    # ----------------------------------------------------------------- helpers

    @staticmethod
    def _postgres() -> bool:
        return db.dialect() == "postgres"

    @staticmethod
    def _sql(query: str) -> str:
        return db.portable(query)

    async def _rows(self, query: str, params: Sequence[Any],
                    connection: BaseDBAsyncClient | None = None) -> Sequence[Any]:
        return await db.fetch(query, params, connection)

    async def _bars(self, where: str, params: Sequence[Any],
                    connection: BaseDBAsyncClient | None = None) -> NDArray[np.float64]:
        """Stored bars matching `where` as rows of ts, open, high, low, close, volume, by ts.

        Bars are read in bulk (a backtest may want a million), so each database gets its
        fastest portable-enough path, twice the speed of row objects: PostgreSQL sends each
        column as one array (aggregates of one query see the rows in the same order; numpy
        then sorts by ts), SQLite rows come as plain tuples instead of sqlite3.Row.
        """
        client = connection or db.connection()
        if self._postgres():
            query = self._sql(
                "SELECT array_agg(ts), array_agg(open), array_agg(high), array_agg(low), "  # noqa: S608
                f"array_agg(close), array_agg(volume) FROM market_bars WHERE {where}")
            _, rows = await client.execute_query(query, list(params))
            if not rows or rows[0][0] is None:
                return np.empty((0, 6))
            matrix = np.array([list(column) for column in rows[0]], dtype=np.float64).T
            return matrix[np.argsort(matrix[:, 0], kind="stable")]
        query = f"SELECT {_COLUMNS} FROM market_bars WHERE {where} ORDER BY ts"  # noqa: S608
        client.log.debug("%s: %s", query, params)  # as Tortoise does, for statement counts
        async with client.acquire_connection() as sqlite:
            cursor = await sqlite.execute(query, list(params))
            cursor.row_factory = None
            try:
                rows = await cursor.fetchall()
            finally:
                await cursor.close()
        return _matrix(rows)

    # ----------------------------------------------------------------- writing

    async def write(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    bars: BarColumns) -> WriteResult:
        validate_symbol(symbol)
        bars.check_prices()
        key = (owner_id, symbol, Timeframe(timeframe).value)
        result = WriteResult()
        for start in range(0, len(bars), self._batch):
            result += await self._write_batch(key, bars.slice(start, start + self._batch))
        return result

    async def _write_batch(self, key: tuple[int, str, str], bars: BarColumns) -> WriteResult:
        first, last = int(bars.timestamps[0]), int(bars.timestamps[-1])
        async with in_transaction("default") as connection:
            stored = await self._bars(f"{_KEY} AND ts >= ? AND ts <= ?", (*key, first, last),
                                      connection)
            changed, result = diff_existing(bars, stored[:, 0].astype(np.int64), stored[:, 1:])
            if np.any(changed):
                await self._upsert(connection, key, bars, changed)
        return result

    async def _upsert(self, connection: BaseDBAsyncClient, key: tuple[int, str, str],
                      bars: BarColumns, mask: NDArray[np.bool_]) -> None:
        columns = [bars.timestamps[mask], bars.open[mask], bars.high[mask], bars.low[mask],
                   bars.close[mask], bars.volume[mask]]
        conflict = (f"ON CONFLICT (owner_id, symbol, timeframe, ts) DO UPDATE SET "
                    f"{_UPSERT_SET}")
        if self._postgres():
            # One statement with array parameters: 1.6x the speed of executemany (100k bars).
            await connection.execute_query(
                "INSERT INTO market_bars (owner_id, symbol, timeframe, ts, open, high, low, "  # noqa: S608
                "close, volume) SELECT $1::bigint, $2::varchar, $3::varchar, t.* FROM "
                "unnest($4::bigint[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], "
                "$9::float8[]) AS t " + conflict, [*key, *(c.tolist() for c in columns)])
            return
        rows = [[*key, *values] for values in zip(*(c.tolist() for c in columns), strict=True)]
        await connection.execute_many(
            "INSERT INTO market_bars (owner_id, symbol, timeframe, ts, open, high, low, close, "  # noqa: S608
            "volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) " + conflict, rows)

    # ----------------------------------------------------------------- reading

    async def range(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    start: datetime | None = None, end: datetime | None = None,
                    aggregate_to: Timeframe | None = None) -> BarColumns:
        validate_symbol(symbol)
        timeframe = Timeframe(timeframe)
        where, params = _KEY, [owner_id, symbol, timeframe.value]
        if (lower := epoch(start)) is not None:
            where += " AND ts >= ?"
            params.append(lower)
        if (upper := epoch(end)) is not None:
            where += " AND ts < ?"
            params.append(upper)
        if aggregate_to is None or Timeframe(aggregate_to) is timeframe:
            return _columns(_matrix(await self._bars(where, params)))
        target = Timeframe(aggregate_to)
        timeframe.check_aggregation(target)
        # Both numbers come from the enum, never from the caller.
        width, offset = int(target.seconds), int(target.offset_seconds)
        bucket = f"ts - ((ts - {offset}) % {width} + {width}) % {width}"
        # The open and close are looked up per bucket by the full unique key: a plan that does
        # not depend on table statistics (a join here went quadratic on PostgreSQL right after
        # a big import, before autovacuum had analysed the table).
        rows = await self._rows(
            f"SELECT g.bucket, (SELECT o.open FROM market_bars o WHERE {_key('o')} "  # noqa: S608
            f"AND o.ts = g.first_ts), g.high, g.low, (SELECT c.close FROM market_bars c WHERE "
            f"{_key('c')} AND c.ts = g.last_ts), g.volume FROM ("
            f"SELECT {bucket} AS bucket, MIN(ts) AS first_ts, MAX(ts) AS last_ts, "
            f"MAX(high) AS high, MIN(low) AS low, SUM(volume) AS volume "
            f"FROM market_bars WHERE {where} GROUP BY {bucket}) g ORDER BY g.bucket",
            [*params[:3], *params[:3], *params])
        return _columns(rows)

    async def symbols(self, owner_id: int) -> list[SymbolSummary]:
        rows = await self._rows(
            "SELECT symbol, timeframe, MIN(ts), MAX(ts), COUNT(*) FROM market_bars "
            "WHERE owner_id = ? GROUP BY symbol, timeframe", [owner_id])
        return sort_summaries([
            SymbolSummary(symbol=row[0], timeframe=Timeframe(row[1]), first=utc(int(row[2])),
                          last=utc(int(row[3])), count=int(row[4]))
            for row in rows
        ])

    async def delete(self, owner_id: int, symbol: str, timeframe: Timeframe) -> int:
        validate_symbol(symbol)
        client = db.connection()
        count, _ = await client.execute_query(
            self._sql(f"DELETE FROM market_bars WHERE {_KEY}"),  # noqa: S608
            [owner_id, symbol, Timeframe(timeframe).value])
        return int(count)

    async def ping(self) -> None:
        await db.ping()

    async def close(self) -> None:
        """The connection belongs to the app's Tortoise set-up, which closes it."""


def _matrix(rows: Sequence[Any] | NDArray[np.float64]) -> NDArray[np.float64]:
    """ts, open, high, low, close, volume rows as a float64 matrix (epoch seconds are exact in
    float64 for the next 285 million years)."""
    if isinstance(rows, np.ndarray):
        return rows
    if not rows:
        return np.empty((0, 6))
    return np.array([tuple(row) for row in rows], dtype=np.float64)


def _columns(rows: Sequence[Any] | NDArray[np.float64]) -> BarColumns:
    matrix = _matrix(rows)
    return BarColumns(matrix[:, 0].astype(np.int64), matrix[:, 1], matrix[:, 2], matrix[:, 3],
                      matrix[:, 4], matrix[:, 5])
