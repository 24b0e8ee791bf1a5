"""The cache, counters and pub/sub behave the same on Redis and in-process."""

from __future__ import annotations

import asyncio

from ai_service.core.ratelimit import RateLimiter
from support.live_server import LiveServer


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
        await cache.decr("hits")
        count, left = await cache.incr("hits", window=0.3)
        await asyncio.sleep(0.35)
        await cache.decr("hits")  # an expired counter stays gone, with no expiry-less remains
        return [counts, count, 0 < left <= 0.3, await cache.incr("hits", window=5)]

    counts, count, left_ok, fresh = server.call(scenario)
    assert counts == [1, 2, 3]
    assert count == 3
    assert left_ok
    assert fresh[0] == 1


def test_rate_limiter_counts_attempts_before_they_are_made(server: LiveServer) -> None:
    limiter = RateLimiter(server.services.cache, limit=2, window_seconds=60, name="test")

    async def scenario() -> list[object]:
        allowed = [await limiter.attempt("a", "b") for _ in range(2)]
        refused = await limiter.attempt("b", "a")
        again = await limiter.attempt("a")
        await limiter.refund("b")
        await limiter.refund("b")
        b_after_refunds = await limiter.attempt("b")
        await limiter.reset("a")
        return [allowed, refused, again, b_after_refunds, await limiter.attempt("a")]

    allowed, refused, again, b_after_refunds, after_reset = server.call(scenario)
    assert allowed == [None, None]
    assert refused.first
    assert 55 <= refused.retry_after <= 60
    assert not again.first  # one audit entry per window, not one per request
    assert b_after_refunds is None
    assert after_reset is None


def test_publish_reaches_every_subscriber_of_the_channel(server: LiveServer) -> None:
    pubsub = server.services.pubsub

    async def scenario() -> list[object]:
        async with pubsub.subscribe("news") as one, pubsub.subscribe("news") as two, \
                pubsub.subscribe("other") as other:
            await asyncio.sleep(0.05)  # Redis: let the SUBSCRIBE land
            await pubsub.publish("news", b"extra")
            return [await one.get(within=2), await two.get(within=2), await other.get(within=0.2)]

    assert server.call(scenario) == [b"extra", b"extra", None]
