"""The cache, counters and pub/sub: one contract, kept by both implementations: in-process, and
Redis at TEST_REDIS_URL under a key prefix of its own. The embedded run needs no Redis, so it
checks the in-process one; the services run checks both."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from ai_service.config import Settings
from ai_service.core.cache import Cache, PubSub, create_cache
from ai_service.core.cache.memory import MemoryCache
from ai_service.core.cache.redis import RedisBackend
from ai_service.core.ratelimit import RateLimiter
from support.backend import BACKEND, DEFAULT_REDIS_URL, check_redis
from support.live_server import LiveServer

T = TypeVar("T")
Scenario = Callable[[Cache, PubSub], Awaitable[T]]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services_only)])
def cache_settings(request: pytest.FixtureRequest) -> Settings:
    """What create_cache() is given: no REDIS_URL, or this run's Redis."""
    if request.param == "memory":
        return Settings()
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    check_redis(url)
    return Settings(redis_url=url, redis_prefix=f"ai-service-test-{uuid.uuid4().hex[:8]}:")


def run(settings: Settings, scenario: Scenario[T]) -> T:
    """The scenario on a cache opened in this event loop, emptied and closed after it."""
    async def main() -> T:
        cache, pubsub = create_cache(settings)
        try:
            return await scenario(cache, pubsub)
        finally:
            await cache.clear()
            await pubsub.close()
            await cache.close()  # the same Redis client may be both: closing twice is harmless

    return asyncio.run(main())


def test_values_expire(cache_settings: Settings) -> None:
    async def scenario(cache: Cache, _: PubSub) -> list[object]:
        await cache.set("greeting", b"hello", ttl=0.2)
        await cache.set("forever", b"stays")
        first = await cache.get("greeting")
        await asyncio.sleep(0.3)
        gone = await cache.get("greeting")
        kept = await cache.get("forever")
        await cache.delete("forever")
        return [first, gone, kept, await cache.get("forever")]

    assert run(cache_settings, scenario) == [b"hello", None, b"stays", None]


def test_counters_live_one_window_from_their_first_hit(cache_settings: Settings) -> None:
    async def scenario(cache: Cache, _: PubSub) -> list[object]:
        counts = [(await cache.incr("hits", window=0.3))[0] for _ in range(3)]
        await cache.decr("hits")
        count, left = await cache.incr("hits", window=0.3)
        await asyncio.sleep(0.35)
        await cache.decr("hits")  # an expired counter stays gone, with no expiry-less remains
        return [counts, count, 0 < left <= 0.3, await cache.incr("hits", window=5)]

    counts, count, left_ok, fresh = run(cache_settings, scenario)
    assert counts == [1, 2, 3]
    assert count == 3
    assert left_ok
    assert fresh[0] == 1


def test_rate_limiter_counts_attempts_before_they_are_made(cache_settings: Settings) -> None:
    async def scenario(cache: Cache, _: PubSub) -> list[object]:
        limiter = RateLimiter(cache, limit=2, window_seconds=60, name="test")
        allowed = [await limiter.attempt("a", "b") for _ in range(2)]
        refused = await limiter.attempt("b", "a")
        again = await limiter.attempt("a")
        await limiter.refund("b")
        await limiter.refund("b")
        b_after_refunds = await limiter.attempt("b")
        await limiter.reset("a")
        return [allowed, refused, again, b_after_refunds, await limiter.attempt("a")]

    allowed, refused, again, b_after_refunds, after_reset = run(cache_settings, scenario)
    assert allowed == [None, None]
    assert refused.first
    assert 55 <= refused.retry_after <= 60
    assert not again.first  # one audit entry per window, not one per request
    assert b_after_refunds is None
    assert after_reset is None


def test_publish_reaches_every_subscriber_of_the_channel(cache_settings: Settings) -> None:
    async def scenario(_: Cache, pubsub: PubSub) -> list[object]:
        async with pubsub.subscribe("news") as one, pubsub.subscribe("news") as two, \
                pubsub.subscribe("other") as other:
            await asyncio.sleep(0.05)  # Redis: let the SUBSCRIBE land
            await pubsub.publish("news", b"extra")
            return [await one.get(within=2), await two.get(within=2), await other.get(within=0.2)]

    assert run(cache_settings, scenario) == [b"extra", b"extra", None]


def test_the_app_serves_this_runs_cache(server: LiveServer) -> None:
    expected = RedisBackend if BACKEND == "services" else MemoryCache
    assert isinstance(server.services.cache, expected)
    assert server.call(server.services.cache.ping()) is None
