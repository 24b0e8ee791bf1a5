"""What only Enable Banking does, through the real client (signed JWTs) against the local fake:
the signature, authorisation to session, continuation keys, unsigned amounts, closed sessions.
What both bank providers do is in test_bank_provider_contract.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import jwt

from ai_service.finance.banking import (
    BalanceKind,
    ConsentStatus,
    EnableBanking,
    current_balance,
)
from fakes.enablebanking import ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM, public_key_pem
from fakes.server import FakeProviders
from support.bank_providers import ENABLE_BANKING

REDIRECT = ENABLE_BANKING.redirect
DEMO = ENABLE_BANKING.demo


def test_every_request_is_signed_as_the_api_documents(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, _: httpx.AsyncClient) -> None:
        banks = await provider.institutions("de")
        demo = next(b for b in banks if b.id == DEMO)
        assert demo.countries == ("DE",)
        assert demo.max_history_days is None  # Enable Banking does not publish it

    ENABLE_BANKING.run(fake_providers, scenario)
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

        params = ENABLE_BANKING.callback(await http.get(link.url))
        assert params["state"] == "user-7-state"
        consent = await provider.complete_consent(link.provider_ref, params)
        assert consent.status is ConsentStatus.LINKED
        assert consent.consent_expires_at == valid_until

        calls = len(fake_providers.requests_to("enablebanking"))
        accounts = await provider.accounts(consent)  # described by the session: no call
        assert len(fake_providers.requests_to("enablebanking")) == calls
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

    ENABLE_BANKING.run(fake_providers, scenario)


def test_transactions_follow_every_continuation_key(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        _, [current, _] = await ENABLE_BANKING.linked(provider, http)
        fetched = await provider.transactions(current, None, None)  # the longest history
        demo = fake_providers.bank_data.banks[0].accounts[0].transactions
        pages = [r for r in fake_providers.requests_to("enablebanking")
                 if r.path.endswith("/transactions")]
        assert pages[0].query == {"strategy": "longest"}
        assert len(pages) > len(demo) // 50  # one page per 50, and an empty one with a key
        assert all("continuation_key" in p.query for p in pages[1:])
        assert len(fetched) == len(demo)
        assert sum(t.amount for t in fetched) == sum(t.amount for t in demo)

        # Amounts come unsigned, with a credit or debit indicator.
        salary = next(t for t in fetched if t.description.startswith("Gehalt"))
        assert salary.amount == Decimal("2450.00")  # CRDT: money in
        assert salary.raw["credit_debit_indicator"] == "CRDT"
        rent = next(t for t in fetched if t.description.startswith("Miete"))
        assert rent.amount == Decimal("-950.00")  # DBIT: signed by us
        assert rent.raw["transaction_amount"]["amount"] == "950.00"
        assert rent.provider_id == rent.raw["transaction_id"]

        window = await provider.transactions(current, fake_providers.bank_data.today
                                             - timedelta(days=30), None)
        assert 0 < len(window) < len(fetched)

    ENABLE_BANKING.run(fake_providers, scenario)


def test_a_closed_session_is_revoked(fake_providers: FakeProviders) -> None:
    async def scenario(provider: EnableBanking, http: httpx.AsyncClient) -> None:
        session, _ = await ENABLE_BANKING.linked(provider, http)
        await provider.revoke(session)
        assert (await provider.consent(session)).status is ConsentStatus.REVOKED

    ENABLE_BANKING.run(fake_providers, scenario)
