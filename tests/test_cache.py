"""The cache, counters and pub/sub behave the same on Redis and in-process."""

from __future__ import annotations

import asyncio

from ai_service.core.ratelimit import RateLimiter
from conftest import LiveServer


def test_values_expire(server: LiveServer) -> None:
    cache = server.services.cache

    async def scenario() -> list[object]:
        await cache.set("greeting", b"hello", ttl=0.2)
        await cache.set("forever", b"stays")
        first = await cache.get("greeting")
        await asyncio.sleep(0.3)
        gone = await cache.get("greeting")
        kept = await cache.get("forever")
        await cache.delete("forever")
        return [first, gone, kept, await cache.get("forever")]

    assert server.call(scenario) == [b"hello", None, b"stays", None]


def test_counters_live_one_window_from_their_first_hit(server: LiveServer) -> None:
    cache = server.services.cache

    async def scenario() -> list[object]:
        counts = [(await cache.incr("hits", window=0.3))[0] for _ in range(3)]
        count, left = await cache.counter("hits")
        await asyncio.sleep(0.35)
        return [counts, count, 0 < left <= 0.3, await cache.counter("hits")]

    assert server.call(scenario) == [[1, 2, 3], 3, True, (0, 0.0)]


def test_rate_limiter(server: LiveServer) -> None:
    limiter = RateLimiter(server.services.cache, limit=2, window_seconds=60, name="test")

    async def scenario() -> list[object]:
        before = await limiter.retry_after("a", "b")
        await limiter.hit("a")
        await limiter.hit("a")
        blocked = await limiter.retry_after("b", "a")
        other = await limiter.retry_after("b")
        await limiter.reset("a")
        return [before, blocked, other, await limiter.retry_after("a")]

    before, blocked, other, after = server.call(scenario)
    assert before is None
    assert other is None
    assert after is None
    assert isinstance(blocked, int)
    assert 55 <= blocked <= 60


def test_publish_reaches_every_subscriber_of_the_channel(server: LiveServer) -> None:
    pubsub = server.services.pubsub

    async def scenario() -> list[object]:
        async with pubsub.subscribe("news") as one, pubsub.subscribe("news") as two, \
                pubsub.subscribe("other") as other:
            await asyncio.sleep(0.05)  # Redis: let the SUBSCRIBE land
            await pubsub.publish("news", b"extra")
            return [await one.get(within=2), await two.get(within=2), await other.get(within=0.2)]

    assert server.call(scenario) == [b"extra", b"extra", None]
