"""Fixed-window attempt counters on top of the cache (Redis or in-process).

An attempt is counted *before* it is made: a burst of concurrent requests cannot all pass the
check while none has been counted yet. Attempts that turn out fine are refunded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ai_service.core.cache import Cache


@dataclass(frozen=True, slots=True)
class Refusal:
    retry_after: int  # seconds until the oldest window ends
    first: bool  # the first refusal of this window: worth one audit entry, not one per request


class RateLimiter:
    def __init__(self, cache: Cache, limit: int, window_seconds: float, name: str) -> None:
        self._cache = cache
        self.limit = limit
        self.window = window_seconds
        self._name = name

    def _key(self, subject: str) -> str:
        return f"rl:{self._name}:{subject}"

    async def attempt(self, *subjects: str) -> Refusal | None:
        """Count one attempt for every subject; a refusal when any is over its limit."""
        over = []
        for subject in subjects:
            count, left = await self._cache.incr(self._key(subject), self.window)
            if count > self.limit:
                over.append((count, left))
        if not over:
            return None
        return Refusal(
            retry_after=max(max(1, math.ceil(left)) for _, left in over),
            first=any(count == self.limit + 1 for count, _ in over),
        )

    async def refund(self, *subjects: str) -> None:
        """Take back one attempt that did not fail."""
        for subject in subjects:
            await self._cache.decr(self._key(subject))

    async def reset(self, *subjects: str) -> None:
        await self._cache.delete(*(self._key(s) for s in subjects))
