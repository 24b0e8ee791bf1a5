"""Readiness checks: a registry of probes that the composition root fills (database, cache,
market store, integrations), shared by `/status`, the Telegram bot's /status and the health
monitor. Each probe is timed out and reported, never raised: this exists to say what is down."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0

Probe = Callable[[], Awaitable[None]]
Check = dict[str, Any]
# Checks that are reported but do not decide readiness (each integration's last test).
Informational = Callable[[], Awaitable[dict[str, Check]]]


@dataclass(frozen=True)
class _Required:
    name: str
    probe: Probe
    backend: str


class HealthChecks:
    def __init__(self) -> None:
        self._required: list[_Required] = []
        self._informational: list[tuple[Informational, str]] = []

    def require(self, name: str, probe: Probe, backend: str) -> None:
        """A dependency the service cannot work without, probed live."""
        self._required.append(_Required(name, probe, backend))

    def inform(self, source: Informational, *, needs: str) -> None:
        """Checks read from what was stored (no provider is called: a slow or failing provider
        must not slow or fail readiness); run only while the required check `needs` is up."""
        self._informational.append((source, needs))

    async def run(self, *, informational: bool = True) -> dict[str, Check]:
        results = await asyncio.gather(*(_check(r.probe, r.backend) for r in self._required))
        checks = {r.name: result for r, result in zip(self._required, results, strict=True)}
        for source, needs in self._informational if informational else ():
            if checks.get(needs, {}).get("state") == "up":
                try:
                    checks.update(await asyncio.wait_for(source(), CHECK_TIMEOUT))
                except Exception:  # what it needs just went away: that check says so
                    log.warning("an informational health check failed", exc_info=True)
        return checks


async def _check(probe: Probe, backend: str) -> Check:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe(), CHECK_TIMEOUT)
    except Exception as exc:  # reported, not raised
        # The class name only: driver messages can carry host names or credentials.
        return {"state": "down", "backend": backend, "required": True,
                "error": type(exc).__name__}
    return {"state": "up", "backend": backend, "required": True,
            "latencyMs": round((time.perf_counter() - started) * 1000, 2)}


def is_ready(checks: dict[str, Check]) -> bool:
    return all(c["state"] == "up" for c in checks.values() if c["required"])
