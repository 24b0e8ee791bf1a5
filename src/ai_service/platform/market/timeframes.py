"""Bar timeframes: their width, and how buckets of a larger one are aligned.

Bucket alignment (the same in every market store, so InfluxDB and SQL agree bar for bar):
buckets are fixed-width intervals counted from the Unix epoch, in UTC. A bar belongs to the bucket
that contains its timestamp, and the bucket is labelled with its start. Weekly buckets start on
Monday 00:00 UTC: the epoch is a Thursday, so they are shifted by four days (InfluxQL
`GROUP BY time(1w, 4d)`), which keeps a trading week (Mon-Fri) in one weekly bar.
"""

from __future__ import annotations

from enum import StrEnum

from ai_service.core.errors import BadUserInput

_SECONDS = {
    "M1": 60, "M5": 300, "M15": 900, "M30": 1800,
    "H1": 3600, "H4": 14_400, "D1": 86_400, "W1": 604_800,
}
_MONDAY_OFFSET = 4 * 86_400  # 1970-01-01 was a Thursday; Monday 1970-01-05 is 4 days later


class Timeframe(StrEnum):
    M1 = "M1"
    M5 = "M5"
    M15 = "M15"
    M30 = "M30"
    H1 = "H1"
    H4 = "H4"
    D1 = "D1"
    W1 = "W1"

    @property
    def seconds(self) -> int:
        """The width of one bar."""
        return _SECONDS[self.value]

    @property
    def offset_seconds(self) -> int:
        """How far bucket boundaries sit after multiples of `seconds` since the epoch."""
        return _MONDAY_OFFSET if self is Timeframe.W1 else 0

    @property
    def is_intraday(self) -> bool:
        return self.seconds < 86_400

    def bucket_start(self, epoch_seconds: int) -> int:
        """The start of the bucket of this timeframe that contains `epoch_seconds` (floor, so
        times before 1970 land in the right bucket too)."""
        return epoch_seconds - (epoch_seconds - self.offset_seconds) % self.seconds

    def check_aggregation(self, target: Timeframe) -> None:
        """Bars of this timeframe can be rolled up into `target` bars only when every target
        bucket is a whole number of these bars; BadUserInput otherwise."""
        if target.seconds < self.seconds:
            raise BadUserInput(f"Cannot aggregate {self.value} bars to the smaller timeframe "
                               f"{target.value}", field="aggregateTo")
        if target.seconds % self.seconds or target.offset_seconds % self.seconds:
            raise BadUserInput(f"{target.value} is not a whole multiple of {self.value}",
                               field="aggregateTo")
