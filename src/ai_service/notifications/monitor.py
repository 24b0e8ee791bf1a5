"""Watches the required dependencies from the `serve` process and alerts on transitions:
healthy → degraded (CRITICAL) and degraded → healthy (HIGH).

Its alerts go out directly (Notifier.send_direct), not through the job queue: the queue lives in
the database, which may be what is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ai_service.notifications.service import Alert, Notifier, Priority

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[dict[str, dict[str, Any]]]]


class HealthMonitor:
    def __init__(self, check: Check, notifier: Notifier, *, interval: float = 30.0,
                 confirm: int = 2) -> None:
        """`confirm`: failed checks in a row before alerting, so one slow probe (a 3 s timeout
        under load) does not page anyone."""
        self._check = check
        self._notifier = notifier
        self.interval = interval
        self.confirm = max(1, confirm)
        self.degraded = False
        self._failures = 0
        self._down_since: float | None = None
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:  # the monitor must outlive whatever it is watching
                log.exception("health monitor check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self) -> None:
        checks = await self._check()
        down = {name: c for name, c in checks.items()
                if c["required"] and c["state"] != "up"}
        if "database" not in down:
            try:
                await self._notifier.refresh_global()
            except Exception as exc:
                log.warning("could not read the Telegram settings (%s)", type(exc).__name__)
        if down:
            self._failures += 1
            if self._down_since is None:
                self._down_since = time.monotonic()
            if self._failures >= self.confirm and not self.degraded:
                self.degraded = True
                what = ", ".join(f"{name} down ({c.get('error', 'unreachable')})"
                                 for name, c in down.items())
                log.error("service degraded: %s", what)
                await self._notifier.send_direct(Alert(
                    Priority.CRITICAL, f"ai-service degraded: {what}",
                    "Required dependencies are failing; requests that need them fail until "
                    "they recover.",
                ))
            return
        self._failures = 0
        since, self._down_since = self._down_since, None
        if self.degraded:
            self.degraded = False
            lasted = _duration(time.monotonic() - since) if since is not None else "a while"
            log.warning("service recovered after %s", lasted)
            await self._notifier.send_direct(Alert(
                Priority.HIGH, "ai-service recovered",
                f"All required dependencies are up again (degraded for about {lasted}).",
            ))


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"
