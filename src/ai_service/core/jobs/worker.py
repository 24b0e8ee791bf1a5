"""The worker loop: claims jobs, runs their handlers, renews leases, retries with backoff.

It runs inside `serve` by default and as `ai-service worker` in its own process; any number of
workers may share one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ai_service.core.cache import PubSub
from ai_service.core.jobs.models import Job
from ai_service.core.jobs.queue import WAKEUP_CHANNEL, JobQueue
from ai_service.core.logging import request_id_var

log = logging.getLogger(__name__)


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad input, missing record)."""


class JobLost(Exception):
    """The lease was lost: the job was cancelled or another worker reclaimed it."""


@dataclass
class JobContext:
    job: Job
    _queue: JobQueue
    _worker_id: str

    @property
    def worker_id(self) -> str:
        return self._worker_id

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.job.payload or {})

    async def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1); raises JobLost when the job was cancelled meanwhile."""
        if not await self._queue.progress(self.job, self._worker_id, fraction, message):
            raise JobLost(f"job {self.job.id} is no longer held by this worker")


Handler = Callable[[JobContext], Coroutine[Any, Any, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    max_attempts: int = 5
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


class Worker:
    def __init__(
        self,
        queue: JobQueue,
        registry: JobRegistry,
        pubsub: PubSub,
        *,
        concurrency: int = 2,
        poll_seconds: float = 2.0,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.pubsub = pubsub
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.worker_id = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._next_schedule_check = 0.0

    async def run(self) -> None:
        log.info("worker started", extra={"worker": self.worker_id})
        listener = asyncio.create_task(self._listen_for_wakeups())
        slots = asyncio.Semaphore(self.concurrency)
        try:
            while not self._stopping.is_set():
                await self._enqueue_scheduled()
                while not self._stopping.is_set():
                    await slots.acquire()
                    try:
                        job = await self._claim()
                    except Exception:
                        slots.release()
                        raise
                    if job is None:
                        slots.release()
                        break
                    task = asyncio.create_task(self._run_job(job, slots))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_seconds)
        finally:
            listener.cancel()
            await self._drain()
            log.info("worker stopped", extra={"worker": self.worker_id})

    async def run_until_idle(self) -> None:
        """Claim and run jobs until none is due (for tests and one-shot CLI use)."""
        await self._enqueue_scheduled()
        while (job := await self._claim()) is not None:
            await self._execute(job)

    async def _claim(self) -> Job | None:
        return await self.queue.claim(self.worker_id, self.registry.kinds.keys())

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def _drain(self, grace: float = 10.0) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _listen_for_wakeups(self) -> None:
        while True:
            try:
                async with self.pubsub.subscribe(WAKEUP_CHANNEL) as messages:
                    async for _ in messages:
                        self._wakeup.set()
            except asyncio.CancelledError:
                raise
            except Exception:  # the cache went away: polling still works; try again soon
                log.warning("job wake-up channel unavailable, polling only", exc_info=True)
                await asyncio.sleep(5)

    async def _enqueue_scheduled(self) -> None:
        now = datetime.now(UTC).timestamp()
        if now < self._next_schedule_check:
            return
        self._next_schedule_check = now + 60
        for name, interval in self.registry.schedules:
            seconds = interval.total_seconds()
            bucket = int(now // seconds)
            # One job per kind and interval however many workers race: the dedupe key decides.
            await self.queue.enqueue(name, {}, dedupe_key=f"schedule:{name}:{bucket}")

    async def _run_job(self, job: Job, slots: asyncio.Semaphore) -> None:
        token = request_id_var.set(f"job-{job.id}")
        try:
            await self._execute(job)
        except Exception:  # never let one job take the worker down
            log.exception("job bookkeeping failed", extra={"job_id": job.id})
        finally:
            request_id_var.reset(token)
            slots.release()

    async def _execute(self, job: Job) -> None:
        kind = self.registry.kinds[job.kind]  # claim() only hands out kinds we know
        if job.attempts > job.max_attempts:  # reclaimed after crashes, again and again
            await self.queue.fail(
                job, self.worker_id, job.error or "worker lost the job too many times", None
            )
            return
        context = JobContext(job, self.queue, self.worker_id)
        work = asyncio.create_task(kind.handler(context))
        heartbeat = asyncio.create_task(self._keep_lease(job, work))
        try:
            result = await asyncio.wait_for(work, kind.timeout)
        except asyncio.CancelledError:
            if heartbeat.done() and heartbeat.result() is False:
                return  # cancelled by a user or reclaimed: nothing more to record
            await self.queue.release(job, self.worker_id)  # we are shutting down
            raise
        except TimeoutError:
            await self._failed(job, kind, f"timed out after {kind.timeout:g}s", permanent=False)
        except JobLost:
            log.info("job lost its lease", extra={"job_id": job.id})
        except PermanentJobError as exc:
            await self._failed(job, kind, str(exc) or type(exc).__name__, permanent=True)
        except Exception as exc:
            log.warning("job failed", exc_info=True, extra={"job_id": job.id, "kind": job.kind})
            await self._failed(job, kind, f"{type(exc).__name__}: {exc}", permanent=False)
        else:
            await self.queue.succeed(job, self.worker_id, _jsonable(result))
        finally:
            heartbeat.cancel()

    async def _keep_lease(self, job: Job, work: asyncio.Task[Any]) -> bool:
        interval = max(0.05, self.queue.lease.total_seconds() / 3)
        while not work.done():
            await asyncio.sleep(interval)
            if not await self.queue.heartbeat(job, self.worker_id):
                work.cancel()  # cancelled by a user, or reclaimed after we stalled
                return False
        return True

    async def _failed(self, job: Job, kind: JobKind, error: str, *, permanent: bool) -> None:
        retry_in = None if permanent or job.attempts >= job.max_attempts else kind.backoff(
            job.attempts
        )
        await self.queue.fail(job, self.worker_id, error, retry_in)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)
