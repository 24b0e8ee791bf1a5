"""The backtester's input: OHLC(V) bars as numpy columns, checked once on construction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ai_service.core.errors import BadUserInput
from ai_service.platform.market import BarColumns

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
TimeArray = NDArray[np.datetime64]


@dataclass(frozen=True, eq=False)  # holds arrays: compare their columns
class Bars:
    """OHLC(V) bars in time order. Checked on construction (BadUserInput, field `bars`): at least
    two bars, strictly increasing timestamps, finite positive prices, low <= open, close <= high.
    """

    timestamps: TimeArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray | None = None

    def __post_init__(self) -> None:
        try:
            stamps = np.asarray(self.timestamps)
            if stamps.dtype.kind != "M":
                stamps = stamps.astype("datetime64")
        except (ValueError, TypeError):
            raise BadUserInput("Bar timestamps must be dates or times", field="bars") from None
        columns: dict[str, FloatArray] = {}
        for name in ("open", "high", "low", "close", "volume"):
            value = getattr(self, name)
            if value is not None:
                try:
                    columns[name] = np.ascontiguousarray(value, dtype=np.float64)
                except (ValueError, TypeError):
                    raise BadUserInput(f"Bar {name} values must be numbers",
                                       field="bars") from None
        if any(column.ndim != 1 or len(column) != len(stamps) for column in columns.values()):
            raise BadUserInput("Every bar needs a timestamp, open, high, low and close",
                               field="bars")
        if stamps.ndim != 1 or len(stamps) < 2:
            raise BadUserInput("A backtest needs at least two bars", field="bars")
        object.__setattr__(self, "timestamps", stamps)
        for name, column in columns.items():
            object.__setattr__(self, name, column)
        self._check(stamps, columns)

    @staticmethod
    def _check(stamps: TimeArray, columns: dict[str, FloatArray]) -> None:
        def fail(mask: NDArray[np.bool_], problem: str) -> None:
            bad = np.flatnonzero(mask)
            if bad.size:
                raise BadUserInput(f"Bar {bad[0]} ({stamps[bad[0]]}): {problem}", field="bars")

        fail(np.isnat(stamps), "the timestamp is missing")
        fail(np.concatenate([[False], stamps[1:] <= stamps[:-1]]),
             "timestamps must be strictly increasing")
        o, h, low, c = (columns[name] for name in ("open", "high", "low", "close"))
        for name in ("open", "high", "low", "close"):
            column = columns[name]
            fail(~np.isfinite(column) | (column <= 0), f"{name} must be a positive number")
        fail((low > np.minimum(o, c)) | (h < np.maximum(o, c)),
             "low must be <= open and close, and high >= them")
        if "volume" in columns:
            volume = columns["volume"]
            fail(~np.isfinite(volume) | (volume < 0), "volume must be a non-negative number")

    @classmethod
    def create(cls, timestamps: ArrayLike, open: ArrayLike, high: ArrayLike, low: ArrayLike,
               close: ArrayLike, volume: ArrayLike | None = None) -> Bars:
        """Bars from anything numpy can convert (lists, arrays of strings for timestamps)."""
        return cls(np.asarray(timestamps), np.asarray(open), np.asarray(high), np.asarray(low),
                   np.asarray(close), None if volume is None else np.asarray(volume))

    @classmethod
    def of(cls, columns: BarColumns) -> Bars:
        """The market store's columns as the backtester's input (which wants at least two)."""
        return cls(timestamps=columns.datetimes(), open=columns.open, high=columns.high,
                   low=columns.low, close=columns.close, volume=columns.volume)

    def __len__(self) -> int:
        return len(self.close)

    def slice(self, start: int, stop: int) -> Bars:
        return Bars(self.timestamps[start:stop], self.open[start:stop], self.high[start:stop],
                    self.low[start:stop], self.close[start:stop],
                    None if self.volume is None else self.volume[start:stop])
