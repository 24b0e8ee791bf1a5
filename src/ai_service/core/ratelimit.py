"""Fixed-window failure counters on top of the cache (Redis or in-process)."""

from __future__ import annotations

import math

from ai_service.core.cache import Cache


class RateLimiter:
    def __init__(self, cache: Cache, limit: int, window_seconds: float, name: str) -> None:
        self._cache = cache
        self.limit = limit
        self.window = window_seconds
        self._name = name

    def _key(self, subject: str) -> str:
        return f"rl:{self._name}:{subject}"

    async def retry_after(self, *subjects: str) -> int | None:
        """Seconds to wait when any subject has used up its budget, else None."""
        waits = []
        for subject in subjects:
            count, left = await self._cache.counter(self._key(subject))
            if count >= self.limit:
                waits.append(max(1, math.ceil(left)))
        return max(waits) if waits else None

    async def hit(self, *subjects: str) -> None:
        for subject in subjects:
            await self._cache.incr(self._key(subject), self.window)

    async def reset(self, *subjects: str) -> None:
        await self._cache.delete(*(self._key(s) for s in subjects))
