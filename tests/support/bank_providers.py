"""The two open-banking providers' real clients, each against its fake, driven the same way: by
the contract both keep (finance/banking/test_bank_provider_contract.py) and by each one's own
tests. What differs between them (ids, credentials, wording) is said here, once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from ai_service.config import load_settings
from ai_service.core.cache.memory import MemoryCache
from ai_service.finance.banking import ConsentStatus, EnableBanking, GoCardless, bank_provider
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationConfig
from fakes.enablebanking import (
    ENABLE_BANKING_APP_ID,
    ENABLE_BANKING_KEY_PEM,
    ENABLE_BANKING_REDIRECT_URLS,
    new_rsa_key_pem,
)
from fakes.gocardless import GOCARDLESS_SECRET_ID, GOCARDLESS_SECRET_KEY
from fakes.server import FakeProviders

Scenario = Callable[[Any, httpx.AsyncClient], Awaitable[None]]


@dataclass(frozen=True)
class BankUnderTest:
    provider: Provider
    client: type  # what bank_provider() builds for it
    fake: str  # its fake's name, for fake_providers.requests_to(), fail_next(), ...
    label: str  # how its messages name it
    url_variable: str  # the setting that points the client at the fake
    demo: str  # Demo Bank (Germany; a current and a savings account) as this API names it
    thrifty: str  # Thrifty Savings (Germany; one savings account, two calls a day)
    redirect: str  # where the bank sends the user back
    cancelled: str  # the callback's `error` when the user cancels at the bank
    auth_failed: str  # the message for credentials the provider refuses
    wrong_secret: str  # a secret it refuses

    def config(self, secret: str | None = None) -> IntegrationConfig:
        """The integration as the vault resolves it; `secret` replaces the real one."""
        if self.provider is Provider.GOCARDLESS:
            key = secret or GOCARDLESS_SECRET_KEY
            return IntegrationConfig(1, Provider.GOCARDLESS, "global", None,
                                     {"secretId": GOCARDLESS_SECRET_ID, "secretKey": key}, (key,))
        pem = secret or ENABLE_BANKING_KEY_PEM
        return IntegrationConfig(1, Provider.ENABLE_BANKING, "global", None,
                                 {"applicationId": ENABLE_BANKING_APP_ID, "privateKey": pem,
                                  "environment": "sandbox"}, (pem,))

    def run(self, fake: FakeProviders, scenario: Scenario, *, cache: MemoryCache | None = None,
            clock: Callable[[], datetime] | None = None, secret: str | None = None,
            timeout: float = 5, environ: dict[str, str] | None = None) -> None:
        """The scenario with the provider's client (as a sync job builds it) and a browser."""
        async def main() -> None:
            settings = load_settings(environ={**fake.env(), **(environ or {})}, env_file=None)
            async with httpx.AsyncClient() as http:
                provider = bank_provider(self.provider, self.config(secret), settings,
                                         cache or MemoryCache(), http, timeout=timeout,
                                         **({"clock": clock} if clock else {}))
                assert isinstance(provider, self.client)
                await scenario(provider, http)

        asyncio.run(main())

    def callback(self, response: httpx.Response) -> dict[str, str]:
        """The bank's redirect back to us: its query parameters."""
        assert response.status_code == 302
        location = response.headers["location"]
        assert location.startswith(self.redirect)
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def linked(self, provider: Any, http: httpx.AsyncClient, bank: str | None = None,
                     reference: str = "ref-1") -> tuple[str, list[str]]:
        """Start a consent, let the user approve at the fake bank, complete it."""
        link = await provider.start_consent(bank or self.demo, self.redirect, reference)
        consent = await provider.complete_consent(link.provider_ref,
                                                  self.callback(await http.get(link.url)))
        assert consent.status is ConsentStatus.LINKED
        return consent.provider_ref, list(consent.account_ids)


GOCARDLESS = BankUnderTest(
    Provider.GOCARDLESS, GoCardless, "gocardless", "GoCardless", "GOCARDLESS_API_URL",
    demo="DEMOBANK_DEMODEFF", thrifty="THRIFTY_THRFDE21",
    redirect="https://money.example/banking/callback", cancelled="UserCancelledSession",
    auth_failed="GoCardless rejected the secret id and key; check them under Settings → "
                "Integrations",
    wrong_secret="WrongSecretKeyWrongSecretKey0123456789")
ENABLE_BANKING = BankUnderTest(
    Provider.ENABLE_BANKING, EnableBanking, "enablebanking", "Enable Banking",
    "ENABLE_BANKING_API_URL", demo="DE:Demo Bank", thrifty="DE:Thrifty Savings",
    redirect=ENABLE_BANKING_REDIRECT_URLS[0], cancelled="access_denied",
    auth_failed="Enable Banking rejected the application's signed token; check the "
                "application id and private key under Settings → Integrations",
    wrong_secret=new_rsa_key_pem())
