"""Market time series (OHLCV bars): InfluxDB when `INFLUXDB_URL` is set, else a table of the
relational database. Domain code talks to `MarketStore` and never asks which one it has.

Shared semantics, tested against both stores:
- Bars are owned: every call takes the owner's user id, and an owner sees only its own bars.
- Timestamps are whole epoch seconds in UTC (`BarColumns.timestamps`, int64).
- `write` is idempotent and reports what it did: a bar whose timestamp is new is *inserted*; a
  bar identical to the stored one is *unchanged* (nothing is written); a bar with different
  values for a stored timestamp *overwrites* it and counts as *updated* (a corrected re-export
  wins). Writes go in batches; a failure part-way leaves the earlier batches stored, and
  repeating the same write completes it (that is what idempotent buys).
- `range(start, end)` is half-open: `start <= ts < end`; either bound may be None (open).
- Aggregation rolls bars up into buckets of a larger timeframe (see `timeframes` for the
  alignment, weekly buckets start on Monday 00:00 UTC): first open, max high, min low, last close,
  sum of volume, labelled with the bucket start. The range bounds filter bars, not buckets, so a
  bucket cut by `start` holds only the bars from `start` on, yet is labelled with its own start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ai_service.config import Settings
from ai_service.core.errors import BadUserInput
from ai_service.platform.market.timeframes import Timeframe

__all__ = [
    "BarColumns",
    "MarketStore",
    "MarketStoreError",
    "SymbolSummary",
    "Timeframe",
    "WriteResult",
    "create_market_store",
    "validate_symbol",
]

# Tickers (ORCL, BRK.B, ^GSPC), Yahoo's FX and futures (EURUSD=X, GC=F), pairs (BTC/USDT),
# exchange-qualified (ES:CME). No quotes, backslashes, spaces or commas: symbols go into SQL
# parameters, InfluxDB tags (where `=` is escaped) and InfluxQL literals, safe in all three.
_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._^/:+=-]{0,31}|\^[A-Za-z0-9._/:+=-]{1,31}")


def validate_symbol(symbol: str) -> str:
    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol):
        raise BadUserInput("A symbol is 1-32 letters, digits or . _ ^ / : + = - (e.g. ORCL, "
                           "BRK.B, ^GSPC, EURUSD=X, BTC/USDT)", field="symbol")
    return symbol


class MarketStoreError(RuntimeError):
    """The store failed (unreachable, refused a query). Not the user's fault: masked and logged."""


@dataclass(frozen=True, eq=False, init=False)  # holds arrays: see `equals`
class BarColumns:
    """Bars as columns, in strictly increasing time order. `timestamps` are epoch seconds (UTC).

    Construction converts the columns (int64 / float64) and checks their lengths and order; it
    does not judge the prices (`check_prices` does, and stores call it before writing).
    """

    timestamps: NDArray[np.int64]
    open: NDArray[np.float64]
    high: NDArray[np.float64]
    low: NDArray[np.float64]
    close: NDArray[np.float64]
    volume: NDArray[np.float64]

    def __init__(self, timestamps: ArrayLike, open: ArrayLike, high: ArrayLike,
                 low: ArrayLike, close: ArrayLike, volume: ArrayLike | None = None) -> None:
        stamps = np.ascontiguousarray(timestamps, dtype=np.int64)
        if stamps.ndim != 1:
            raise BadUserInput("Bar timestamps must be a flat list", field="bars")
        columns = {name: np.ascontiguousarray(value, dtype=np.float64)
                   for name, value in (("open", open), ("high", high), ("low", low),
                                       ("close", close))}
        columns["volume"] = (np.zeros(len(stamps)) if volume is None
                             else np.ascontiguousarray(volume, dtype=np.float64))
        if any(c.shape != stamps.shape for c in columns.values()):
            raise BadUserInput("Bar columns must all have the same length", field="bars")
        if len(stamps) > 1 and not bool(np.all(stamps[1:] > stamps[:-1])):
            raise BadUserInput("Bar timestamps must be strictly increasing", field="bars")
        object.__setattr__(self, "timestamps", stamps)
        for name, column in columns.items():
            object.__setattr__(self, name, column)

    @classmethod
    def empty(cls) -> BarColumns:
        return cls(np.empty(0, np.int64), *(np.empty(0) for _ in range(5)))

    def __len__(self) -> int:
        return len(self.timestamps)

    def slice(self, start: int, stop: int) -> BarColumns:
        return BarColumns(self.timestamps[start:stop], self.open[start:stop],
                          self.high[start:stop], self.low[start:stop], self.close[start:stop],
                          self.volume[start:stop])

    def check_prices(self) -> None:
        """BadUserInput unless every price is finite and positive, low <= open, close <= high,
        and volume is finite and not negative."""
        prices = np.stack([self.open, self.high, self.low, self.close])
        if not bool(np.all(np.isfinite(prices))) or not bool(np.all(prices > 0)):
            raise BadUserInput("Bar prices must be finite positive numbers", field="bars")
        if not bool(np.all(self.high >= np.maximum(self.open, self.close))) or not bool(
            np.all(self.low <= np.minimum(self.open, self.close))
        ):
            raise BadUserInput("Every bar needs low <= open, close <= high", field="bars")
        if not bool(np.all(np.isfinite(self.volume))) or not bool(np.all(self.volume >= 0)):
            raise BadUserInput("Bar volumes must be finite and not negative", field="bars")

    def datetimes(self) -> NDArray[np.datetime64]:
        return self.timestamps.astype("datetime64[s]")

    def equals(self, other: BarColumns) -> bool:
        return all(np.array_equal(getattr(self, name), getattr(other, name))
                   for name in ("timestamps", "open", "high", "low", "close", "volume"))


@dataclass(frozen=True, slots=True)
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(self.inserted + other.inserted, self.updated + other.updated,
                           self.unchanged + other.unchanged)


@dataclass(frozen=True, slots=True)
class SymbolSummary:
    symbol: str
    timeframe: Timeframe
    first: datetime
    last: datetime
    count: int


def utc(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


def epoch(moment: datetime | None) -> int | None:
    """Whole epoch seconds (floor) of an aware datetime; a naive one is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() // 1)


def diff_existing(bars: BarColumns, stored_ts: NDArray[np.int64],
                  stored_values: NDArray[np.float64]) -> tuple[NDArray[np.bool_], WriteResult]:
    """Compares a batch with the stored bars of its time span (sorted `stored_ts`, and their
    open/high/low/close/volume as rows of `stored_values`). Returns the mask of bars that must be
    written (new or different) and the counts."""
    incoming = np.stack([bars.open, bars.high, bars.low, bars.close, bars.volume], axis=1)
    position = np.searchsorted(stored_ts, bars.timestamps)
    found = position < len(stored_ts)
    found[found] = stored_ts[position[found]] == bars.timestamps[found]
    same = np.zeros(len(bars), dtype=bool)
    same[found] = np.all(stored_values[position[found]] == incoming[found], axis=1)
    inserted = int(np.count_nonzero(~found))
    unchanged = int(np.count_nonzero(same))
    return ~same, WriteResult(inserted, len(bars) - inserted - unchanged, unchanged)


class MarketStore(Protocol):
    async def write(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    bars: BarColumns) -> WriteResult: ...

    async def range(self, owner_id: int, symbol: str, timeframe: Timeframe,
                    start: datetime | None = None, end: datetime | None = None,
                    aggregate_to: Timeframe | None = None) -> BarColumns:
        """Bars with start <= ts < end, oldest first; rolled up into `aggregate_to` bars when
        given (a larger timeframe, BadUserInput otherwise)."""
        ...

    async def symbols(self, owner_id: int) -> list[SymbolSummary]:
        """Every (symbol, timeframe) the owner has bars for, ordered by symbol and timeframe."""
        ...

    async def delete(self, owner_id: int, symbol: str, timeframe: Timeframe) -> int:
        """Removes the owner's bars of that symbol and timeframe; returns how many there were."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


def create_market_store(settings: Settings) -> MarketStore:
    if settings.influxdb_url:
        from ai_service.platform.market.influx import InfluxMarketStore

        return InfluxMarketStore(
            settings.influxdb_url,
            database=settings.influxdb_database,
            retention_policy=settings.influxdb_retention_policy,
            username=settings.influxdb_user,
            password=settings.influxdb_password,
            token=settings.influxdb_token,
        )
    from ai_service.platform.market.sql import SqlMarketStore

    return SqlMarketStore()


def sort_summaries(summaries: list[SymbolSummary]) -> list[SymbolSummary]:
    order = {tf: i for i, tf in enumerate(Timeframe)}
    return sorted(summaries, key=lambda s: (s.symbol, order[s.timeframe]))
