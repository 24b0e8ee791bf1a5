"""Bank sync. Open-banking providers behind one interface (see provider.py) and the pure
helpers a sync needs: the quota planner, the sync window and pending-to-booked matching. On
them: linking.py, syncing.py and scheduling.py, behind the façade in service.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx

from ai_service.config import Settings
from ai_service.core.cache import Cache
from ai_service.finance.banking._http import utc_now
from ai_service.finance.banking.enablebanking import EnableBanking
from ai_service.finance.banking.errors import (
    BankAuthFailed,
    BankError,
    BankRateLimited,
    BankRequestRejected,
    BankUnavailable,
    ConsentExpired,
    ConsentRejected,
    InstitutionError,
    InstitutionIdInvalid,
)
from ai_service.finance.banking.gocardless import GoCardless
from ai_service.finance.banking.provider import (
    Balance,
    BalanceKind,
    BankAccount,
    BankProvider,
    BankTransaction,
    Consent,
    ConsentLink,
    ConsentStatus,
    Institution,
    TransactionStatus,
    current_balance,
)
from ai_service.finance.banking.quota import QuotaPlanner, Scope, ScopeQuota, SyncPlan
from ai_service.finance.banking.window import SyncWindow, plan_window
from ai_service.finance.matching import Match, match_pending
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationConfig

# Bank data calls wait on the bank behind the provider, which can take far longer than the
# connection test's INTEGRATION_TIMEOUT_SECONDS allows.
MIN_BANK_TIMEOUT_SECONDS = 60.0


def bank_provider(provider_name: str | Provider, config: IntegrationConfig, settings: Settings,
                  cache: Cache, http_client: httpx.AsyncClient, *,
                  quota: QuotaPlanner | None = None, timeout: float | None = None,
                  clock: Callable[[], datetime] = utc_now) -> BankProvider:
    """The provider for an integration from the vault (`IntegrationService.resolve`).

    `http_client` belongs to the caller (one per sync job is plenty); `quota` defaults to a
    planner on `cache` with GoCardless's 4 requests per account, scope and day."""
    provider = Provider(str(provider_name).upper())
    seconds = timeout if timeout is not None else max(settings.integration_timeout_seconds,
                                                      MIN_BANK_TIMEOUT_SECONDS)
    if provider is Provider.GOCARDLESS:
        return GoCardless(config["secretId"], config["secretKey"],
                          base_url=settings.gocardless_api_url, cache=cache, http=http_client,
                          timeout=seconds,
                          quota=quota or QuotaPlanner(cache, "gocardless", clock=clock),
                          clock=clock)
    if provider is Provider.ENABLE_BANKING:
        return EnableBanking(config, base_url=settings.enable_banking_api_url, http=http_client,
                             timeout=seconds,
                             quota=quota or QuotaPlanner(cache, "enablebanking", clock=clock),
                             clock=clock)
    raise ValueError(f"{provider.value} is not a bank provider")


__all__ = [
    "Balance", "BalanceKind", "BankAccount", "BankAuthFailed", "BankError", "BankProvider",
    "BankRateLimited", "BankRequestRejected", "BankTransaction", "BankUnavailable", "Consent",
    "ConsentExpired", "ConsentLink", "ConsentRejected", "ConsentStatus", "EnableBanking",
    "GoCardless", "Institution", "InstitutionError", "InstitutionIdInvalid", "Match",
    "QuotaPlanner", "Scope", "ScopeQuota", "SyncPlan", "SyncWindow", "TransactionStatus",
    "bank_provider", "current_balance", "match_pending", "plan_window",
]
