"""What every provider fake shares: the journal of requests, and the scripting of failures,
delays and canned replies that tests apply to one provider."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.routing import BaseRoute


@dataclass
class RecordedRequest:
    provider: str
    method: str
    path: str  # after the provider prefix, e.g. /v1/chat/completions
    headers: dict[str, str]
    query: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None


@dataclass
class Failure:
    status: int
    retry_after: int | None
    path: str | None = None  # only requests whose path ends with this


@dataclass
class Journal:
    """Every request the fakes received, in order, under the one lock all fakes share. A reset
    or stop starts a new generation, which ends the delays still running."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    requests: list[RecordedRequest] = field(default_factory=list)
    generation: int = 0

    def restart(self) -> None:
        with self.lock:
            self.requests = []
            self.generation += 1


async def record(provider: str, request: Request) -> RecordedRequest:
    prefix = f"/{provider}"
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    parsed: Any = None
    form: dict[str, str] | None = None
    if body and "json" in content_type:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    elif body and "x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    elif body and "multipart/form-data" in content_type:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return RecordedRequest(
        provider=provider, method=request.method,
        path=request.url.path.removeprefix(prefix),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params), json=parsed, form=form,
    )


class ProviderFake:
    """One provider's API, served under /{name} by the fake server (fakes/server.py)."""

    name = ""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._lock = journal.lock
        self._ids = itertools.count(1)
        self.url = ""  # set by the server once it listens: {server}/{name}
        self.reset()

    def routes(self) -> list[BaseRoute]:
        raise NotImplementedError

    def reset(self) -> None:
        """Forget scripted failures, delays and replies."""
        with self._lock:
            self._failures: deque[Failure] = deque()
            self._delay = 0.0
            self._replies: deque[Any] = deque()

    # -- scripting ---------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, retry_after: int | None = None,
                  path: str | None = None) -> None:
        with self._lock:
            for _ in range(times):
                self._failures.append(Failure(status, retry_after, path))

    def delay(self, seconds: float) -> None:
        with self._lock:
            self._delay = seconds

    def reply(self, value: Any, times: int = 1) -> None:
        with self._lock:
            for _ in range(times):
                self._replies.append(value)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.journal.requests if r.provider == self.name]

    # -- plumbing ----------------------------------------------------------------------------

    async def enter(self, request: Request) -> tuple[RecordedRequest, Failure | None]:
        """Record the request, wait out a scripted delay, and pop a scripted failure."""
        recorded = await record(self.name, request)
        with self._lock:
            self.journal.requests.append(recorded)
            generation = self.journal.generation
            seconds = self._delay
        await self._pause(seconds, generation)
        with self._lock:
            failure = next((f for f in self._failures
                            if f.path is None or recorded.path.endswith(f.path)), None)
            if failure is not None:
                self._failures.remove(failure)
        return recorded, failure

    async def _pause(self, seconds: float, generation: int) -> None:
        # In short steps, so reset() or stop() ends a long delay instead of waiting it out.
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.journal.generation != generation:
                return
            await asyncio.sleep(min(0.05, left))

    def next_reply(self) -> tuple[bool, Any]:
        with self._lock:
            if self._replies:
                return True, self._replies.popleft()
        return False, None

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{uuid.uuid4().hex[:18]}"
