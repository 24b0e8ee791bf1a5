"""Building many objects in one go (a 100k-row file import) without paying the cyclic garbage
collector for them over and over.

CPython collects the young generation every 700 new container objects and the whole heap each
time the survivors grow by a quarter, so a step that keeps 100k rows alive walks them (and the
rest of the app) again and again: half the time of parsing a large CSV. Pausing the collector
for a synchronous step leaves one collection for afterwards. Across awaits (an import's own
writes, a few seconds), other requests meanwhile only see their reference cycles freed a little
later: reference counting still frees everything else at once.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; re-enabled after it if it was on before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
