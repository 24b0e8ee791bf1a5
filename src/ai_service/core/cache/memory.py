"""In-process cache and pub/sub for the embedded default (one process)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

_SWEEP_EVERY = 1024  # writes between sweeps of expired keys, so memory stays bounded


class MemoryCache:
    def __init__(self) -> None:
        self._data: dict[str, tuple[object, float | None]] = {}
        self._writes = 0

    def _live(self, key: str) -> tuple[object, float | None] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] is not None and entry[1] <= time.monotonic():
            del self._data[key]
            return None
        return entry

    def _written(self) -> None:
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            now = time.monotonic()
            for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp <= now]:
                del self._data[key]

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        return entry[0] if entry is not None and isinstance(entry[0], bytes) else None

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self._data[key] = (value, time.monotonic() + ttl if ttl else None)
        self._written()

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str, window: float) -> tuple[int, float]:
        entry = self._live(key)
        now = time.monotonic()
        if entry is None or not isinstance(entry[0], int):
            expires = now + window
            self._data[key] = (1, expires)
            self._written()
            return 1, window
        count = entry[0] + 1
        expires = entry[1] if entry[1] is not None else now + window
        self._data[key] = (count, expires)
        return count, max(0.0, expires - now)

    async def decr(self, key: str) -> None:
        entry = self._live(key)
        if entry is not None and isinstance(entry[0], int):
            self._data[key] = (max(0, entry[0] - 1), entry[1])

    async def clear(self) -> None:
        self._data.clear()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()


class _QueueSubscription:
    def __init__(self, queue: asyncio.Queue[bytes]) -> None:
        self._queue = queue

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield await self._queue.get()

    async def get(self, within: float) -> bytes | None:
        try:
            return await asyncio.wait_for(self._queue.get(), within)
        except TimeoutError:
            return None


class MemoryPubSub:
    _QUEUE_SIZE = 256

    def __init__(self) -> None:
        self._channels: dict[str, set[asyncio.Queue[bytes]]] = {}

    async def publish(self, channel: str, message: bytes) -> None:
        for queue in self._channels.get(channel, ()):
            if queue.full():  # a slow subscriber loses its oldest message, not our memory
                queue.get_nowait()
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_QueueSubscription]:
        queue: asyncio.Queue[bytes] = asyncio.Queue(self._QUEUE_SIZE)
        self._channels.setdefault(channel, set()).add(queue)
        try:
            yield _QueueSubscription(queue)
        finally:
            subscribers = self._channels.get(channel)
            if subscribers is not None:
                subscribers.discard(queue)
                if not subscribers:
                    del self._channels[channel]

    async def close(self) -> None:
        self._channels.clear()
