"""Which dates a sync asks the bank for.

The first sync takes the longest history the bank allows; later ones start a week before the
last booked transaction we hold, so late bookings and pending-to-booked changes are caught, and
stored ids make the overlap harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

OVERLAP_DAYS = 7


@dataclass(frozen=True)
class SyncWindow:
    date_from: date | None  # None: as far back as the bank gives (it did not say how far)
    date_to: date
    first_sync: bool
    truncated: bool  # the bank no longer serves all the days since the last sync: a gap remains


def plan_window(*, today: date, last_booked: date | None, max_history_days: int | None,
                overlap_days: int = OVERLAP_DAYS) -> SyncWindow:
    # "N days of history" counts today: the earliest allowed day is today - (N - 1).
    earliest = today - timedelta(days=max_history_days - 1) \
        if max_history_days and max_history_days > 0 else None
    if last_booked is None:
        return SyncWindow(date_from=earliest, date_to=today, first_sync=True, truncated=False)
    wanted = min(last_booked, today) - timedelta(days=overlap_days)
    if earliest is not None and wanted < earliest:
        # Days between wanted and earliest are lost only if nothing was fetched after them.
        return SyncWindow(date_from=earliest, date_to=today, first_sync=False,
                          truncated=last_booked < earliest)
    return SyncWindow(date_from=wanted, date_to=today, first_sync=False, truncated=False)
