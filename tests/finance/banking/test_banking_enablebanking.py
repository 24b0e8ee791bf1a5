"""Enable Banking through the real client (signed JWTs), end to end against the local fake."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from ai_service.config import load_settings
from ai_service.core.cache.memory import MemoryCache
from ai_service.finance.banking import (
    BalanceKind,
    BankAuthFailed,
    BankRateLimited,
    BankUnavailable,
    ConsentExpired,
    ConsentStatus,
    EnableBanking,
    TransactionStatus,
    bank_provider,
    current_balance,
    match_pending,
)
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationConfig
from fakes.enablebanking import (
    ENABLE_BANKING_APP_ID,
    ENABLE_BANKING_KEY_PEM,
    ENABLE_BANKING_REDIRECT_URLS,
    new_rsa_key_pem,
    public_key_pem,
)
from fakes.server import FakeProviders

REDIRECT = ENABLE_BANKING_REDIRECT_URLS[0]
DEMO = "DE:Demo Bank"
THRIFTY = "DE:Thrifty Savings"
OTHER_KEY = new_rsa_key_pem()


def config(private_key: str = ENABLE_BANKING_KEY_PEM) -> IntegrationConfig:
    return IntegrationConfig(1, Provider.ENABLE_BANKING, "global", None,
                             {"applicationId": ENABLE_BANKING_APP_ID, "privateKey": private_key,
                              "environment": "sandbox"}, (private_key,))


Scenario = Callable[[EnableBanking, httpx.AsyncClient], Awaitable[None]]


def run(fake: FakeProviders, scenario: Scenario, *, private_key: str = ENABLE_BANKING_KEY_PEM,
        cache: MemoryCache | None = None) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as http:
            provider = bank_provider(Provider.ENABLE_BANKING, config(private_key),
                                     load_settings(environ=fake.env(), env_file=None),
                                     cache or MemoryCache(), http, timeout=5)
            assert isinstance(provider, EnableBanking)
            await scenario(provider, http)

    asyncio.run(main())


def callback(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def linked(provider: EnableBanking, http: httpx.AsyncClient, bank: str = DEMO
                 ) -> tuple[str, list[str]]:
    link = await provider.start_consent(bank, REDIRECT, "state-1")
    consent = await provider.complete_consent(link.provider_ref,
                                              callback(await http.get(link.url)))
    assert consent.status is ConsentStatus.LINKED
    return consent.provider_ref, list(consent.account_ids)


def test_every_request_is_signed_as_the_api_documents(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, _: httpx.AsyncClient) -> None:
        banks = await provider.institutions("de")
        assert {b.id for b in banks} == {DEMO, THRIFTY}
        demo = next(b for b in banks if b.id == DEMO)
        assert (demo.name, demo.bic, demo.countries, demo.max_consent_days) == (
            "Demo Bank", "DEMODEFF", ("DE",), 180)
        assert demo.max_history_days is None  # Enable Banking does not publish it

    run(fake_providers, scenario)
    [request] = fake_providers.requests_to("enablebanking")
    assert request.query == {"country": "DE", "psu_type": "personal"}
    token = request.headers["authorization"].removeprefix("Bearer ")
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT",
                                                "kid": ENABLE_BANKING_APP_ID}
    claims = jwt.decode(token, public_key_pem(ENABLE_BANKING_KEY_PEM), algorithms=["RS256"],
                        audience="api.enablebanking.com", issuer="enablebanking.com")
    assert claims["exp"] - claims["iat"] <= 3600


def test_consent_from_auth_to_session(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        link = await provider.start_consent(DEMO, REDIRECT, "user-7-state", consent_days=365)
        auth = next(r for r in fake_providers.requests_to("enablebanking") if r.path == "/auth")
        assert auth.json["aspsp"] == {"name": "Demo Bank", "country": "DE"}
        assert (auth.json["state"], auth.json["redirect_url"], auth.json["psu_type"]) == (
            "user-7-state", REDIRECT, "personal")
        # Asked for a year, capped at the bank's 180 days.
        valid_until = datetime.fromisoformat(auth.json["access"]["valid_until"])
        assert timedelta(days=179) < valid_until - datetime.now(UTC) <= timedelta(days=180)
        assert link.consent_expires_at == valid_until

        params = callback(await http.get(link.url))
        assert params["state"] == "user-7-state"
        consent = await provider.complete_consent(link.provider_ref, params)
        assert consent.status is ConsentStatus.LINKED
        assert consent.institution_id == DEMO
        assert consent.consent_expires_at == valid_until
        assert len(consent.account_ids) == 2

        calls = len(fake_providers.requests_to("enablebanking"))
        accounts = await provider.accounts(consent)  # described by the session: no call
        assert len(fake_providers.requests_to("enablebanking")) == calls
        demo = fake_providers.bank_data.banks[0]
        assert [a.iban for a in accounts] == [a.iban for a in demo.accounts]
        assert (accounts[0].name, accounts[0].owner_name, accounts[0].currency) == (
            "Girokonto", "Ada Lovelace", "EUR")

        again = await provider.consent(consent.provider_ref)
        assert again.status is ConsentStatus.LINKED
        assert again.account_ids == consent.account_ids
        details = await provider.accounts(again)  # ids only: details are fetched
        assert [a.iban for a in details] == [a.iban for a in accounts]

        balance = current_balance(await provider.balances(accounts[0].provider_account_id))
        assert balance is not None
        assert (balance.kind, balance.type) == (BalanceKind.BOOKED, "CLBD")
        assert balance.amount == demo.accounts[0].booked_balance()

    run(fake_providers, scenario)


def test_transactions_follow_every_continuation_key(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        _, [current, _] = await linked(provider, http)
        fetched = await provider.transactions(current, None, None)  # the longest history
        demo = fake_providers.bank_data.banks[0].accounts[0].transactions
        pages = [r for r in fake_providers.requests_to("enablebanking")
                 if r.path.endswith("/transactions")]
        assert pages[0].query == {"strategy": "longest"}
        assert len(pages) > len(demo) // 50  # one page per 50, and an empty one with a key
        assert all("continuation_key" in p.query for p in pages[1:])
        assert len(fetched) == len(demo)
        assert sum(t.amount for t in fetched) == sum(t.amount for t in demo)

        salary = next(t for t in fetched if t.description.startswith("Gehalt"))
        assert salary.amount == Decimal("2450.00")  # CRDT: money in
        assert salary.raw["credit_debit_indicator"] == "CRDT"
        assert salary.counterparty_name == "ACME Software GmbH"  # the debtor
        rent = next(t for t in fetched if t.description.startswith("Miete"))
        assert rent.amount == Decimal("-950.00")  # DBIT: signed by us
        assert rent.raw["transaction_amount"]["amount"] == "950.00"
        assert (rent.counterparty_name, rent.counterparty_iban) == (
            "Hausverwaltung Berlin GmbH", "DE44500105175407324931")
        assert rent.provider_id == rent.raw["transaction_id"]
        pending = [t for t in fetched if t.status is TransactionStatus.PENDING]
        assert len(pending) == sum(t.pending for t in demo)
        assert all(t.provider_id.startswith("h:") for t in pending)

        window = await provider.transactions(current, fake_providers.bank_data.today
                                             - timedelta(days=30), None)
        assert 0 < len(window) < len(fetched)

    run(fake_providers, scenario)


def test_pending_payments_are_matched_to_their_bookings(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        _, [current, _] = await linked(provider, http)
        since = fake_providers.bank_data.today - timedelta(days=7)
        first = await provider.transactions(current, since, None)
        pending = [t for t in first if t.status is TransactionStatus.PENDING]
        fake_providers.settle_pending()
        known = {t.provider_id for t in first}
        booked = [t for t in await provider.transactions(current, since, None)
                  if t.provider_id not in known]
        assert len(match_pending(pending, booked)) == len(pending) == len(booked)

    run(fake_providers, scenario)


def test_a_cancelled_authorisation_is_rejected(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        fake_providers.next_consent_outcome("enablebanking", "reject")
        link = await provider.start_consent(THRIFTY, REDIRECT, "state-2")
        params = callback(await http.get(link.url))
        assert params["error"] == "access_denied"
        consent = await provider.complete_consent(link.provider_ref, params)
        assert consent.status is ConsentStatus.REJECTED

    run(fake_providers, scenario)


def test_expired_and_closed_sessions_say_to_link_again(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        session, [current, _] = await linked(provider, http)
        fake_providers.expire_consent("enablebanking", session)
        assert (await provider.consent(session)).status is ConsentStatus.EXPIRED
        with pytest.raises(ConsentExpired) as caught:
            await provider.balances(current)
        assert caught.value.message == ("Enable Banking: access to this bank has expired or "
                                        "was revoked; link the bank again to keep syncing")

        session, [current, _] = await linked(provider, http)
        await provider.revoke(session)
        assert (await provider.consent(session)).status is ConsentStatus.REVOKED
        with pytest.raises(ConsentExpired):
            await provider.transactions(current, None, None)

    run(fake_providers, scenario)


def test_the_banks_limit_blocks_until_reset(fake_providers: FakeProviders) -> None:
    cache = MemoryCache()

    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        _, [savings] = await linked(provider, http, bank=THRIFTY)
        await provider.balances(savings)
        await provider.balances(savings)
        with pytest.raises(BankRateLimited) as caught:
            await provider.balances(savings)
        assert caught.value.retry_at > datetime.now(UTC) + timedelta(hours=23)
        sent = len(fake_providers.requests_to("enablebanking"))
        with pytest.raises(BankRateLimited):  # remembered: the bank is not asked again
            await provider.balances(savings)
        assert len(fake_providers.requests_to("enablebanking")) == sent

    run(fake_providers, scenario, cache=cache)


def test_failures_become_plain_typed_errors(fake_providers: FakeProviders) -> None:
    async def wrong_key(provider: EnableBanking, _: httpx.AsyncClient) -> None:
        with pytest.raises(BankAuthFailed) as caught:
            await provider.institutions("DE")
        assert caught.value.message == ("Enable Banking rejected the application's signed "
                                        "token; check the application id and private key under "
                                        "Settings → Integrations")

    run(fake_providers, wrong_key, private_key=OTHER_KEY)

    async def outages(provider: EnableBanking, _: httpx.AsyncClient) -> None:
        fake_providers.fail_next("enablebanking", 500)
        with pytest.raises(BankUnavailable):
            await provider.institutions("DE")
        fake_providers.fail_next("enablebanking", 429, retry_after=120)
        with pytest.raises(BankRateLimited) as caught:
            await provider.institutions("DE")
        assert timedelta(seconds=115) < caught.value.retry_at - datetime.now(UTC) \
            <= timedelta(seconds=121)
        fake_providers.delay("enablebanking", 2)
        async with httpx.AsyncClient() as http:
            slow = EnableBanking(config(), base_url=fake_providers.enable_banking_url,
                                 http=http, timeout=0.3)
            with pytest.raises(BankUnavailable) as late:
                await slow.institutions("DE")
        assert late.value.message == ("Enable Banking did not answer within 0.3s; the next "
                                      "sync will try again")

    run(fake_providers, outages)
