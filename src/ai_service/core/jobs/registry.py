"""What a process can run: job kinds with their handlers and retry policy, and schedules."""

from __future__ import annotations

import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ai_service.core.jobs.worker import JobContext

Handler = Callable[["JobContext"], Coroutine[Any, Any, Any]]
DEFAULT_MAX_ATTEMPTS = 5


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
