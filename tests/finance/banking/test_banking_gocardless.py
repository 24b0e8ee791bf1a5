"""GoCardless Bank Account Data through the real client, end to end against the local fake."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ai_service.config import Settings, load_settings
from ai_service.core.cache.memory import MemoryCache
from ai_service.finance.banking import (
    BalanceKind,
    BankAuthFailed,
    BankRateLimited,
    BankUnavailable,
    ConsentExpired,
    ConsentStatus,
    GoCardless,
    QuotaPlanner,
    Scope,
    TransactionStatus,
    bank_provider,
    current_balance,
    match_pending,
    plan_window,
)
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationConfig
from fakes.gocardless import GOCARDLESS_SECRET_ID, GOCARDLESS_SECRET_KEY
from fakes.server import FakeProviders
from support.processes import free_port

REDIRECT = "https://money.example/banking/callback"
DEMO = "DEMOBANK_DEMODEFF"
THRIFTY = "THRIFTY_THRFDE21"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def settings_at(fake: FakeProviders) -> Settings:
    return load_settings(environ=fake.env(), env_file=None)


def config(secret_key: str = GOCARDLESS_SECRET_KEY) -> IntegrationConfig:
    return IntegrationConfig(1, Provider.GOCARDLESS, "global", None,
                             {"secretId": GOCARDLESS_SECRET_ID, "secretKey": secret_key},
                             (secret_key,))


Scenario = Callable[[GoCardless, httpx.AsyncClient], Awaitable[None]]


def run(fake: FakeProviders, scenario: Scenario, *, cache: MemoryCache | None = None,
        clock: Clock | None = None, secret_key: str = GOCARDLESS_SECRET_KEY) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as http:
            provider = bank_provider("GOCARDLESS", config(secret_key), settings_at(fake),
                                     cache or MemoryCache(), http, timeout=5,
                                     clock=clock or Clock())
            assert isinstance(provider, GoCardless)
            await scenario(provider, http)

    asyncio.run(main())


async def linked(provider: GoCardless, http: httpx.AsyncClient, bank: str = DEMO,
                 reference: str = "ref-1") -> tuple[str, list[str]]:
    """Start a consent, let the user approve at the fake bank, complete it."""
    link = await provider.start_consent(bank, REDIRECT, reference)
    back = await http.get(link.url)
    assert back.status_code == 302
    consent = await provider.complete_consent(
        link.provider_ref, {k: v[0] for k, v in parse_qs(urlsplit(
            back.headers["location"]).query).items()})
    assert consent.status is ConsentStatus.LINKED
    return consent.provider_ref, list(consent.account_ids)


def token_calls(fake: FakeProviders, kind: str) -> int:
    return sum(r.path == f"/api/v2/token/{kind}/" for r in fake.requests_to("gocardless"))


def test_institutions_of_a_country(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, _: httpx.AsyncClient) -> None:
        banks = {b.id: b for b in await provider.institutions("de")}
        assert set(banks) == {DEMO, THRIFTY}
        demo = banks[DEMO]
        assert (demo.name, demo.bic, demo.countries) == ("Demo Bank", "DEMODEFF", ("DE", "AT"))
        assert (demo.max_history_days, demo.max_consent_days) == (730, 180)
        assert [b.id for b in await provider.institutions("AT")] == [DEMO]

    run(fake_providers, scenario)


def test_consent_link_agreement_and_completion(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        link = await provider.start_consent(DEMO, REDIRECT, "user-7-a1b2")
        [agreement] = [r for r in fake_providers.requests_to("gocardless")
                       if r.path == "/api/v2/agreements/enduser/"]
        # The longest history and access the bank allows, all three scopes.
        assert agreement.json == {"institution_id": DEMO, "max_historical_days": 730,
                                  "access_valid_for_days": 180,
                                  "access_scope": ["balances", "details", "transactions"]}
        assert link.url.startswith(fake_providers.gocardless_url)
        assert link.reference == "user-7-a1b2"
        assert (await provider.consent(link.provider_ref)).status is ConsentStatus.PENDING

        back = await http.get(link.url)
        assert back.headers["location"] == f"{REDIRECT}?ref=user-7-a1b2"
        consent = await provider.complete_consent(link.provider_ref, {"ref": "user-7-a1b2"})
        assert consent.status is ConsentStatus.LINKED
        assert consent.institution_id == DEMO
        assert len(consent.account_ids) == 2
        assert consent.consent_expires_at is not None
        days = (consent.consent_expires_at - datetime.now(UTC)).total_seconds() / 86400
        assert 179.9 < days <= 180

        accounts = await provider.accounts(consent)
        demo = fake_providers.bank_data.bank(DEMO)
        assert demo is not None
        assert [a.iban for a in accounts] == [a.iban for a in demo.accounts]
        assert accounts[0].owner_name == "Ada Lovelace"
        details = await provider.account_details(accounts[0].provider_account_id)
        assert (details.name, details.currency, details.product) == (
            "Girokonto", "EUR", "Current Account")

        balances = await provider.balances(accounts[0].provider_account_id)
        booked = current_balance(balances)
        assert booked is not None
        assert booked.kind is BalanceKind.BOOKED
        assert booked.amount == demo.accounts[0].booked_balance()
        assert isinstance(booked.amount, Decimal)

    run(fake_providers, scenario)


def test_transactions_keep_decimals_signs_and_counterparties(
        fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        _, [current, _savings] = await linked(provider, http)
        bank = await provider.institution(DEMO)
        today = fake_providers.bank_data.today
        window = plan_window(today=today, last_booked=None,
                             max_history_days=bank.max_history_days)
        fetched = await provider.transactions(current, window.date_from, window.date_to)
        demo = fake_providers.bank_data.banks[0].accounts[0].transactions
        assert len(fetched) == len(demo)
        assert sum(t.amount for t in fetched) == sum(t.amount for t in demo)
        assert all(isinstance(t.amount, Decimal) for t in fetched)
        assert len({t.provider_id for t in fetched}) == len(fetched)

        salary = next(t for t in fetched if t.description.startswith("Gehalt"))
        assert salary.amount == Decimal("2450.00")
        assert (salary.counterparty_name, salary.counterparty_iban) == (
            "ACME Software GmbH", "DE27100777770209299700")
        assert salary.reference  # the end-to-end id
        rent = next(t for t in fetched if t.description.startswith("Miete"))
        assert rent.amount == Decimal("-950.00")
        assert rent.counterparty_name == "Hausverwaltung Berlin GmbH"
        assert rent.raw["transactionId"] == rent.provider_id
        card = next(t for t in fetched if t.raw.get("internalTransactionId"))
        assert card.provider_id == card.raw["internalTransactionId"]
        assert card.description.endswith("Berlin Kartenzahlung")  # the array, joined

        pending = [t for t in fetched if t.status is TransactionStatus.PENDING]
        assert len(pending) == sum(t.pending for t in demo) >= 3
        assert all(t.provider_id.startswith("h:") for t in pending)  # the bank gave no id
        again = await provider.transactions(current, window.date_from, window.date_to)
        assert [t.provider_id for t in again] == [t.provider_id for t in fetched]

    run(fake_providers, scenario)


def test_pending_payments_are_matched_to_their_bookings(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        _, [current, _] = await linked(provider, http)
        today = fake_providers.bank_data.today
        first = await provider.transactions(current, today - timedelta(days=10), today)
        known = {t.provider_id for t in first}
        pending = [t for t in first if t.status is TransactionStatus.PENDING]
        assert fake_providers.settle_pending() == len(pending)

        later = await provider.transactions(current, today - timedelta(days=10), today)
        assert not [t for t in later if t.status is TransactionStatus.PENDING]
        new_booked = [t for t in later if t.provider_id not in known]
        matches = match_pending(pending, new_booked)
        assert len(matches) == len(pending) == len(new_booked)
        for m in matches:
            assert m.pending.amount == m.booked.amount
            assert m.pending.counterparty_name == m.booked.counterparty_name

    run(fake_providers, scenario)


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

    run(fake_providers, scenario, cache=cache, clock=clock)

    # Another process sharing the cache reuses the token.
    async def other(provider: GoCardless, _: httpx.AsyncClient) -> None:
        await provider.institutions("DE")

    run(fake_providers, other, cache=cache, clock=clock)
    assert token_calls(fake_providers, "new") == 2


def test_a_rejected_consent(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        fake_providers.next_consent_outcome("gocardless", "reject")
        link = await provider.start_consent(THRIFTY, REDIRECT, "ref-no")
        back = await http.get(link.url)
        params = parse_qs(urlsplit(back.headers["location"]).query)
        assert params["error"] == ["UserCancelledSession"]
        consent = await provider.complete_consent(link.provider_ref, {"ref": "ref-no"})
        assert consent.status is ConsentStatus.REJECTED
        assert consent.account_ids == ()

    run(fake_providers, scenario)


def test_an_expired_consent_says_to_link_again(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        requisition, [current, _] = await linked(provider, http)
        fake_providers.expire_consent("gocardless", requisition)
        assert (await provider.consent(requisition)).status is ConsentStatus.EXPIRED
        with pytest.raises(ConsentExpired) as caught:
            await provider.balances(current)
        assert caught.value.message == ("GoCardless: access to this bank has expired or was "
                                        "revoked; link the bank again to keep syncing")

    run(fake_providers, scenario)


def test_the_banks_daily_limit_is_learned_and_honoured(fake_providers: FakeProviders) -> None:
    cache = MemoryCache()

    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        _, [savings] = await linked(provider, http, bank=THRIFTY)
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

    run(fake_providers, scenario, cache=cache)


def test_failures_become_plain_typed_errors(fake_providers: FakeProviders) -> None:
    async def wrong_key(provider: GoCardless, _: httpx.AsyncClient) -> None:
        with pytest.raises(BankAuthFailed) as caught:
            await provider.institutions("DE")
        assert caught.value.message == ("GoCardless rejected the secret id and key; check "
                                        "them under Settings → Integrations")
        assert "Wrong" not in caught.value.message

    run(fake_providers, wrong_key, secret_key="WrongSecretKeyWrongSecretKey0123456789")

    async def outages(provider: GoCardless, _: httpx.AsyncClient) -> None:
        await provider.institutions("DE")  # holds a token now
        fake_providers.fail_next("gocardless", 503, path="/institutions/")
        with pytest.raises(BankUnavailable) as unavailable:
            await provider.institutions("DE")
        assert unavailable.value.message == ("GoCardless is unavailable (503); the next sync "
                                             "will try again")
        fake_providers.fail_next("gocardless", 429, retry_after=30, path="/institutions/")
        with pytest.raises(BankRateLimited) as limited:
            await provider.institutions("DE")
        assert timedelta(seconds=25) < limited.value.retry_at - datetime.now(UTC) \
            <= timedelta(seconds=31)
        assert limited.value.code == "RATE_LIMITED"

    run(fake_providers, outages)


def test_an_unreachable_api_is_unavailable(fake_providers: FakeProviders) -> None:
    async def main() -> None:
        settings = load_settings(environ={**fake_providers.env(), "GOCARDLESS_API_URL":
                                          f"http://127.0.0.1:{free_port()}"}, env_file=None)
        async with httpx.AsyncClient() as http:
            provider = bank_provider(Provider.GOCARDLESS, config(), settings, MemoryCache(),
                                     http, timeout=5)
            with pytest.raises(BankUnavailable) as caught:
                await provider.institutions("DE")
        assert caught.value.message.startswith("GoCardless could not be reached (127.0.0.1:")

    asyncio.run(main())


def test_revoking_deletes_the_requisition_once(fake_providers: FakeProviders) -> None:
    async def scenario(provider: GoCardless, http: httpx.AsyncClient) -> None:
        requisition, [current, _] = await linked(provider, http)
        await provider.revoke(requisition)
        await provider.revoke(requisition)  # already gone: fine
        with pytest.raises(ConsentExpired):
            await provider.transactions(current, None, None)

    run(fake_providers, scenario)
