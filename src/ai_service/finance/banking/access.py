"""A bank provider opened for one user: their credentials from the integrations vault, an HTTP
client for as long as the work takes, and this process's quota planner for that provider."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from ai_service.config import Settings
from ai_service.core.cache import Cache
from ai_service.core.errors import BadUserInput
from ai_service.finance.banking import EnableBanking, GoCardless, bank_provider
from ai_service.finance.banking.provider import BankProvider
from ai_service.finance.banking.quota import QuotaPlanner
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationService

BANK_PROVIDERS = (Provider.GOCARDLESS, Provider.ENABLE_BANKING)
LABELS = {Provider.GOCARDLESS: GoCardless.label, Provider.ENABLE_BANKING: EnableBanking.label}
_QUOTA_NAMESPACES = {Provider.GOCARDLESS: "gocardless", Provider.ENABLE_BANKING: "enablebanking"}


def bank_provider_name(value: str) -> Provider:
    try:
        provider = Provider(str(value).upper())
    except ValueError:
        provider = None
    if provider not in BANK_PROVIDERS:
        raise BadUserInput(f"{value} is not a bank provider (GOCARDLESS or ENABLE_BANKING)",
                           field="provider")
    assert provider is not None
    return provider


class BankAccess:
    def __init__(self, settings: Settings, cache: Cache,
                 integrations: IntegrationService) -> None:
        self.settings = settings
        self.cache = cache
        self.integrations = integrations
        self._planners = {p: QuotaPlanner(cache, ns) for p, ns in _QUOTA_NAMESPACES.items()}

    def planner(self, provider: str) -> QuotaPlanner:
        return self._planners[Provider(provider)]

    @asynccontextmanager
    async def open(self, provider: str, user_id: int) -> AsyncIterator[BankProvider]:
        """The provider with `user_id`'s credentials; raises IntegrationNotConfigured (or
        IntegrationUnavailable) when there are none to use."""
        name = Provider(provider)
        async with httpx.AsyncClient() as http:
            config = await self.integrations.resolve(name, user_id)
            yield bank_provider(name, config, self.settings, self.cache, http,
                                quota=self._planners[name])
