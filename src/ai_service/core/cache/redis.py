"""Redis cache, counters and pub/sub, every key under one prefix."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis


class _RedisSubscription:
    def __init__(self, pubsub: Any) -> None:
        self._pubsub = pubsub

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            message = await self.get(within=30.0)
            if message is not None:
                yield message

    async def get(self, within: float) -> bytes | None:
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            message = await self._pubsub.get_message(timeout=left)
            # Subscription confirmations arrive on the same connection: skip them.
            if message is not None and message["type"] == "message":
                return bytes(message["data"])
        return None


class RedisBackend:
    def __init__(self, url: str, prefix: str) -> None:
        self._client = aioredis.from_url(url, health_check_interval=30, socket_timeout=10)
        self._prefix = prefix
        # DECR on a missing key would create a counter with no expiry: only touch live ones.
        self._decr_if_live = self._client.register_script(
            "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end "
            "return 0"
        )

    def _k(self, key: str) -> str:
        return self._prefix + key

    async def get(self, key: str) -> bytes | None:
        value = await self._client.get(self._k(key))
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self._client.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self._k(k) for k in keys))

    async def incr(self, key: str, window: float) -> tuple[int, float]:
        full = self._k(key)
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.pexpire(full, int(window * 1000), nx=True)
            pipe.pttl(full)
            count, _, pttl = await pipe.execute()
        return int(count), max(0.0, pttl / 1000)

    async def decr(self, key: str) -> None:
        await self._decr_if_live(keys=[self._k(key)])

    async def clear(self) -> None:
        keys = [key async for key in self._client.scan_iter(match=self._prefix + "*", count=500)]
        for start in range(0, len(keys), 500):
            await self._client.delete(*keys[start:start + 500])

    async def ping(self) -> None:
        await self._client.ping()

    async def publish(self, channel: str, message: bytes) -> None:
        await self._client.publish(self._k(channel), message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[_RedisSubscription]:
        pubsub: Any = self._client.pubsub()
        await pubsub.subscribe(self._k(channel))
        try:
            yield _RedisSubscription(pubsub)
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()

    async def close(self) -> None:
        await self._client.aclose()
