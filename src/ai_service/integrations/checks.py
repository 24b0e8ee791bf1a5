"""Connection tests: one real call per provider through its real client."""

from __future__ import annotations

from ai_service.config import Settings
from ai_service.integrations.service import Checker, CheckResult, IntegrationConfig


def make_checker(settings: Settings) -> Checker:
    async def check(config: IntegrationConfig) -> CheckResult:
        return CheckResult(False, f"no connection test for {config.provider.value} yet")

    return check
