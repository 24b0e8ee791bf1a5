"""Each configured global integration as an informational readiness check, with the status its
last test stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ai_service.integrations.models import GLOBAL_SCOPE, Integration, IntegrationState
from ai_service.integrations.providers import Provider

_STATES = {
    IntegrationState.CONNECTED: "up", IntegrationState.FAILED: "down",
    IntegrationState.UNTESTED: "unknown",
}


async def integration_checks() -> dict[str, dict[str, Any]]:
    rows = await Integration.filter(scope=GLOBAL_SCOPE).values("provider", "status",
                                                               "last_checked_at")
    order = [p.value for p in Provider]
    known = [r for r in rows if str(r["provider"]) in order]  # a provider since removed: skip
    checks = {}
    for row in sorted(known, key=lambda r: order.index(str(r["provider"]))):
        state = IntegrationState(row["status"])
        checked: datetime | None = row["last_checked_at"]
        checks[str(row["provider"]).lower()] = {
            "state": _STATES[state], "provider": str(row["provider"]),
            "required": False, "status": state.value,
            "lastCheckedAt": checked.isoformat(timespec="seconds") if checked else None,
        }
    return checks
