"""What a process can run: job kinds with their handlers and retry policy, and schedules."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ai_service.core.jobs.models import Job

DEFAULT_MAX_ATTEMPTS = 5


class JobLost(Exception):
    """The lease was lost: the job was cancelled or another worker reclaimed it."""


@dataclass
class JobContext:
    """What a handler gets: its job, and a way to report progress while it holds the lease."""

    job: Job
    worker_id: str
    _report: Callable[[float, str], Awaitable[bool]]

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.job.payload or {})

    async def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1); raises JobLost when the job was cancelled meanwhile."""
        if not await self._report(fraction, message):
            raise JobLost(f"job {self.job.id} is no longer held by this worker")


Handler = Callable[[JobContext], Coroutine[Any, Any, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout: float | None = None
    backoff_base: float = 2.0
    backoff_cap: float = 600.0

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with jitter: 2s, 4s, 8s ... capped, times 0.5-1.0."""
        delay = min(self.backoff_cap, self.backoff_base * 2.0 ** max(0, attempts - 1))
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto


@dataclass
class JobRegistry:
    kinds: dict[str, JobKind] = field(default_factory=dict)
    schedules: list[tuple[str, timedelta]] = field(default_factory=list)

    def register(self, name: str, handler: Handler, **options: Any) -> None:
        self.kinds[name] = JobKind(name, handler, **options)

    def every(self, name: str, interval: timedelta) -> None:
        """Run the registered kind `name` once per interval, whatever the number of workers."""
        self.schedules.append((name, interval))

    def max_attempts(self, name: str) -> int:
        kind = self.kinds.get(name)
        return kind.max_attempts if kind else DEFAULT_MAX_ATTEMPTS
