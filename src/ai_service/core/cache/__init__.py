"""Cache, counters and pub/sub: Redis when `REDIS_URL` is set, in-process otherwise.

Domain code talks to the `Cache` and `PubSub` protocols and never asks which one it has.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from ai_service.config import Settings


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def incr(self, key: str, window: float) -> tuple[int, float]:
        """Add one to a counter that lives `window` seconds from its first hit.
        Returns the count and the seconds left before it resets."""
        ...

    async def decr(self, key: str) -> None:
        """Subtract one from a live counter; a counter that expired stays gone."""
        ...

    async def clear(self) -> None:
        """Forget every key this service stored (and nothing else in a shared Redis)."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class PubSub(Protocol):
    async def publish(self, channel: str, message: bytes) -> None: ...

    def subscribe(self, channel: str) -> AbstractAsyncContextManager[Subscription]: ...

    async def close(self) -> None: ...


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def get(self, within: float) -> bytes | None:
        """The next message, or None when none arrived `within` seconds."""
        ...


def create_cache(settings: Settings) -> tuple[Cache, PubSub]:
    if settings.redis_url:
        from ai_service.core.cache.redis import RedisBackend

        backend = RedisBackend(settings.redis_url, settings.redis_prefix)
        return backend, backend
    from ai_service.core.cache.memory import MemoryCache, MemoryPubSub

    return MemoryCache(), MemoryPubSub()
