"""The quota planner: GoCardless's 4 requests per account, scope and rolling 24 hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ai_service.core.cache.memory import MemoryCache
from ai_service.finance.banking import QuotaPlanner, Scope

START = datetime(2025, 6, 30, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def planner(cache: MemoryCache | None = None) -> tuple[QuotaPlanner, Clock]:
    clock = Clock()
    return QuotaPlanner(cache or MemoryCache(), clock=clock), clock


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_four_calls_per_rolling_day_then_the_oldest_must_age_out() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        for _hour in range(4):
            assert await quota.may_call("acc", Scope.TRANSACTIONS)
            await quota.record_call("acc", Scope.TRANSACTIONS)
            clock.advance(hours=1)
        state = await quota.quota("acc", Scope.TRANSACTIONS)
        assert (state.used, state.remaining, state.allowed) == (4, 0, False)
        # The first call was at 08:00: a fifth is possible at 08:00 tomorrow, not at midnight.
        assert state.next_allowed_at == START + timedelta(hours=24)
        # Other scopes and other accounts have their own budget.
        assert await quota.may_call("acc", Scope.BALANCES)
        assert await quota.may_call("other", Scope.TRANSACTIONS)
        clock.now = START + timedelta(hours=24, seconds=1)
        state = await quota.quota("acc", Scope.TRANSACTIONS)
        assert (state.used, state.remaining) == (3, 1)
        assert state.next_allowed_at == clock.now

    run(scenario())


def test_the_count_is_shared_through_the_cache() -> None:
    async def scenario() -> None:
        cache = MemoryCache()
        first, clock = planner(cache)
        second = QuotaPlanner(cache, clock=clock)  # another process, the same Redis
        for _ in range(4):
            await first.record_call("acc", Scope.BALANCES)
        assert not await second.may_call("acc", Scope.BALANCES)

    run(scenario())


def test_the_banks_headers_teach_a_lower_limit() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        await quota.record_call("acc", Scope.TRANSACTIONS, headers={
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT": "2",
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING": "1",
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": "86400"})
        state = await quota.quota("acc", Scope.TRANSACTIONS)
        assert (state.limit, state.remaining) == (2, 1)
        clock.advance(minutes=5)
        await quota.record_call("acc", Scope.TRANSACTIONS, headers={
            "http_x_ratelimit_account_success_limit": "2",
            "http_x_ratelimit_account_success_remaining": "0",
            "http_x_ratelimit_account_success_reset": "86100"})
        state = await quota.quota("acc", Scope.TRANSACTIONS)
        assert not state.allowed
        assert state.next_allowed_at == clock.now + timedelta(seconds=86100)

    run(scenario())


def test_the_bank_counting_calls_we_did_not_see_wins() -> None:
    async def scenario() -> None:
        quota, _ = planner()
        # Another app (or a manual test) spent three today: the bank says one remains.
        await quota.record_call("acc", Scope.TRANSACTIONS, headers={
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING": "1",
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": "3600"})
        assert (await quota.quota("acc", Scope.TRANSACTIONS)).remaining == 1
        await quota.record_call("acc", Scope.TRANSACTIONS)  # no headers this time
        assert not await quota.may_call("acc", Scope.TRANSACTIONS)

    run(scenario())


def test_a_429_blocks_the_scope_until_the_announced_reset() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        retry_at = await quota.record_rate_limited("acc", Scope.TRANSACTIONS, headers={
            "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": "7200"})
        assert retry_at == START + timedelta(hours=2)
        state = await quota.quota("acc", Scope.TRANSACTIONS)
        assert state.blocked_until == retry_at
        assert not state.allowed
        assert await quota.next_sync_at(["acc"]) == retry_at
        clock.advance(hours=2, seconds=1)
        assert await quota.may_call("acc", Scope.TRANSACTIONS)

    run(scenario())


def test_a_429_without_headers_waits_for_the_oldest_call_to_age_out() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        await quota.record_call("acc", Scope.BALANCES)
        clock.advance(hours=3)
        retry_at = await quota.record_rate_limited("acc", Scope.BALANCES)
        assert retry_at == START + timedelta(hours=24)
        assert await quota.record_rate_limited("new", Scope.BALANCES) == clock.now + timedelta(
            hours=24)
        assert await quota.record_rate_limited("acc", Scope.DETAILS, headers={
            "Retry-After": "120"}) == clock.now + timedelta(seconds=120)

    run(scenario())


def test_the_plan_prefers_transactions_and_fetches_details_once() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        plan = await quota.plan("acc", details_known=False)
        assert plan.fetch == (Scope.TRANSACTIONS, Scope.BALANCES, Scope.DETAILS)
        assert (await quota.plan("acc", details_known=True)).fetch == (Scope.TRANSACTIONS,
                                                                      Scope.BALANCES)
        # Transactions used up, balances down to their last call: that one waits for a sync
        # that also gets transactions.
        for _ in range(4):
            await quota.record_call("acc", Scope.TRANSACTIONS)
        for _ in range(3):
            await quota.record_call("acc", Scope.BALANCES)
        plan = await quota.plan("acc", details_known=True)
        assert plan.fetch == ()
        tomorrow = START + timedelta(hours=24)
        assert plan.deferred == {Scope.TRANSACTIONS: tomorrow, Scope.BALANCES: tomorrow}
        # With two balance calls left, balances are worth fetching alone.
        clock.advance(hours=1)
        other = await quota.plan("other", details_known=True)
        assert other.fetch == (Scope.TRANSACTIONS, Scope.BALANCES)

    run(scenario())


def test_next_sync_is_when_every_account_can_fetch_transactions() -> None:
    async def scenario() -> None:
        quota, clock = planner()
        assert await quota.next_sync_at([]) is None
        assert await quota.next_sync_at(["a", "b"]) == START
        for _ in range(4):
            await quota.record_call("a", Scope.TRANSACTIONS)
        clock.advance(hours=5)
        for _ in range(4):
            await quota.record_call("b", Scope.TRANSACTIONS)
        assert await quota.next_sync_at(["a", "b"]) == clock.now + timedelta(hours=24)

    run(scenario())


def test_a_damaged_cache_entry_does_not_stop_syncing() -> None:
    async def scenario() -> None:
        cache = MemoryCache()
        quota, _ = planner(cache)
        await cache.set("bank-quota:gocardless:acc:transactions", b"{not json")
        assert await quota.may_call("acc", Scope.TRANSACTIONS)

    run(scenario())
