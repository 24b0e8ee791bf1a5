"""What only GoCardless Bank Account Data does, through the real client against the local fake:
agreements and requisitions, tokens, its ids, and the daily limit it announces in headers. What
both bank providers do is in test_bank_provider_contract.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ai_service.core.cache.memory import MemoryCache
from ai_service.finance.banking import (
    BankRateLimited,
    ConsentStatus,
    GoCardless,
    QuotaPlanner,
    Scope,
    plan_window,
)
from fakes.server import FakeProviders
from support.bank_providers import GOCARDLESS

REDIRECT = GOCARDLESS.redirect
DEMO = GOCARDLESS.demo
THRIFTY = GOCARDLESS.thrifty


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def token_calls(fake: FakeProviders, kind: str) -> int:
    return sum(r.path == f"/api/v2/token/{kind}/" for r in fake.requests_to("gocardless"))


def test_institutions_say_their_countries_and_history(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, _: httpx.AsyncClient) -> None:
        demo = next(b for b in await provider.institutions("de") if b.id == DEMO)
        assert demo.countries == ("DE", "AT")
        assert (demo.max_history_days, demo.max_consent_days) == (730, 180)
        assert [b.id for b in await provider.institutions("AT")] == [DEMO]

    GOCARDLESS.run(fake_providers, scenario)


def test_consent_asks_for_the_longest_agreement(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        link = await provider.start_consent(DEMO, REDIRECT, "user-7-a1b2")
        [agreement] = [r for r in fake_providers.requests_to("gocardless")
                       if r.path == "/api/v2/agreements/enduser/"]
        # The longest history and access the bank allows, all three scopes.
        assert agreement.json == {"institution_id": DEMO, "max_historical_days": 730,
                                  "access_valid_for_days": 180,
                                  "access_scope": ["balances", "details", "transactions"]}
        assert link.url.startswith(fake_providers.gocardless_url)
        assert (await provider.consent(link.provider_ref)).status is ConsentStatus.PENDING

        back = await http.get(link.url)
        assert back.headers["location"] == f"{REDIRECT}?ref=user-7-a1b2"
        # The requisition is the truth: the reference alone completes it.
        consent = await provider.complete_consent(link.provider_ref, {"ref": "user-7-a1b2"})
        assert consent.status is ConsentStatus.LINKED
        accounts = await provider.accounts(consent)
        details = await provider.account_details(accounts[0].provider_account_id)
        assert (details.name, details.currency, details.product) == (
            "Girokonto", "EUR", "Current Account")

    GOCARDLESS.run(fake_providers, scenario)


def test_transactions_carry_the_banks_own_ids_and_text_lines(
        fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        _, [current, _savings] = await GOCARDLESS.linked(provider, http)
        bank = await provider.institution(DEMO)
        window = plan_window(today=fake_providers.bank_data.today, last_booked=None,
                             max_history_days=bank.max_history_days)
        fetched = await provider.transactions(current, window.date_from, window.date_to)
        rent = next(t for t in fetched if t.description.startswith("Miete"))
        assert rent.raw["transactionId"] == rent.provider_id
        card = next(t for t in fetched if t.raw.get("internalTransactionId"))
        assert card.provider_id == card.raw["internalTransactionId"]
        assert card.description.endswith("Berlin Kartenzahlung")  # the array, joined

    GOCARDLESS.run(fake_providers, scenario)


def test_tokens_are_cached_and_refreshed_before_they_lapse(
        fake_providers: FakeProviders) -> None:
    cache, clock = MemoryCache(), Clock()

    async def scenario(provider: GoCardless, _: httpx.AsyncClient) -> None:
        await provider.institutions("DE")
        await provider.institutions("AT")
        assert (token_calls(fake_providers, "new"), token_calls(fake_providers, "refresh")) \
            == (1, 0)
        # A minute before the 24-hour access token lapses, it is refreshed, not re-created.
        clock.now += timedelta(seconds=86400 - 30)
        await provider.institutions("DE")
        assert (token_calls(fake_providers, "new"), token_calls(fake_providers, "refresh")) \
            == (1, 1)
        # Revoked early: the 401 is answered with a fresh token and the call goes through.
        fake_providers.expire_gocardless_tokens()
        assert len(await provider.institutions("DE")) == 2
        assert token_calls(fake_providers, "refresh") == 2
        # The refresh token gone too: new credentials.
        fake_providers.expire_gocardless_tokens(refresh_too=True)
        await provider.institutions("DE")
        assert token_calls(fake_providers, "new") == 2

    GOCARDLESS.run(fake_providers, scenario, cache=cache, clock=clock)

    # Another process sharing the cache reuses the token.
    async def other(provider: GoCardless, _: httpx.AsyncClient) -> None:
        await provider.institutions("DE")

    GOCARDLESS.run(fake_providers, other, cache=cache, clock=clock)
    assert token_calls(fake_providers, "new") == 2


def test_the_banks_daily_limit_is_learned_and_honoured(fake_providers: FakeProviders) -> None:
    cache = MemoryCache()

    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        _, [savings] = await GOCARDLESS.linked(provider, http, bank=THRIFTY)
        await provider.transactions(savings, None, None)
        await provider.transactions(savings, None, None)
        quota = await QuotaPlanner(cache).quota(savings, Scope.TRANSACTIONS)
        # Thrifty Savings allows 2 a day, and its headers said so.
        assert (quota.limit, quota.remaining, quota.allowed) == (2, 0, False)
        sent = len(fake_providers.requests_to("gocardless"))
        with pytest.raises(BankRateLimited) as caught:
            await provider.transactions(savings, None, None)
        assert len(fake_providers.requests_to("gocardless")) == sent  # not even asked
        assert caught.value.scope == "transactions"
        assert "the bank allows 2 transactions requests a day" in caught.value.message
        assert caught.value.retry_at > datetime.now(UTC) + timedelta(hours=23)
        # Balances have their own budget.
        assert len(await provider.balances(savings)) == 2

        # A planner that did not see those calls (a cleared cache) meets the bank's 429.
        await cache.delete(f"bank-quota:gocardless:{savings}:transactions")
        with pytest.raises(BankRateLimited) as caught:
            await provider.transactions(savings, None, None)
        [refused] = [r for r in fake_providers.requests_to("gocardless")
                     if r.path.endswith("/transactions/")][-1:]
        assert refused.path == f"/api/v2/accounts/{savings}/transactions/"
        assert caught.value.message.startswith("GoCardless: the bank's daily limit for this "
                                               "account's transactions is used up; the next "
                                               "sync is possible at ")
        assert timedelta(hours=23) < caught.value.retry_at - datetime.now(UTC) \
            <= timedelta(hours=24, seconds=5)
        blocked = await QuotaPlanner(cache).quota(savings, Scope.TRANSACTIONS)
        assert blocked.blocked_until == caught.value.retry_at
        assert await QuotaPlanner(cache).next_sync_at([savings]) == caught.value.retry_at

    GOCARDLESS.run(fake_providers, scenario, cache=cache, clock=Clock())
