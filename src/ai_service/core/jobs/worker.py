"""The worker loop: claims jobs, runs their handlers, renews leases, retries with backoff.

It runs inside `serve` by default and as `ai-service worker` in its own process; any number of
workers may share one PostgreSQL database. Delivery is at least once (a worker that dies after
the work but before recording it leaves the job to be run again), so handlers are idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from ai_service.core.cache import PubSub
from ai_service.core.jobs.models import Job
from ai_service.core.jobs.queue import WAKEUP_CHANNEL, JobQueue
from ai_service.core.jobs.registry import JobContext, JobKind, JobLost, JobRegistry
from ai_service.core.logging import request_id_var

log = logging.getLogger(__name__)
_MAX_ERROR_PAUSE = 30.0  # the longest wait between tries while the database or cache fails


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help (bad input, missing record)."""


class Worker:
    def __init__(
        self,
        queue: JobQueue,
        registry: JobRegistry,
        pubsub: PubSub,
        *,
        concurrency: int = 2,
        poll_seconds: float = 2.0,
        shutdown_grace: float = 10.0,
    ) -> None:
        self.queue = queue
        self.registry = registry
        self.pubsub = pubsub
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.shutdown_grace = shutdown_grace
        self.worker_id = f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._next_schedule_check = 0.0

    async def run(self) -> None:
        """Until stop(): fill the free slots, then wait for a wake-up, a free slot or the poll.
        A failing database or cache is logged and retried; it never ends the loop."""
        log.info("worker started", extra={"worker": self.worker_id})
        listener = asyncio.create_task(self._listen_for_wakeups())
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    await self._fill_slots()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("job worker could not claim work; trying again shortly")
                    await self._pause(min(_MAX_ERROR_PAUSE, self.poll_seconds * 2**failures))
                    continue
                await self._pause(self.poll_seconds)
        finally:
            listener.cancel()
            await self._drain()
            log.info("worker stopped", extra={"worker": self.worker_id})

    async def run_until_idle(self) -> None:
        """Claim and run jobs until none is due (for tests and one-shot CLI use)."""
        self._next_schedule_check = 0.0
        await self._enqueue_scheduled()
        while (job := await self._claim()) is not None:
            await self._execute(job)

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    async def _fill_slots(self) -> None:
        self._wakeup.clear()  # from here on, any wake-up is seen by the next pause
        await self._enqueue_scheduled()
        while len(self._running) < self.concurrency and not self._stopping.is_set():
            job = await self._claim()
            if job is None:
                return
            task = asyncio.create_task(self._run_job(job), name=f"job-{job.id}")
            self._running.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wakeup.set()  # a slot is free

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), seconds)

    async def _claim(self) -> Job | None:
        return await self.queue.claim(self.worker_id, self.registry.kinds.keys())

    async def _drain(self) -> None:
        """Let running jobs finish for a grace period; the rest are handed back untouched."""
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=self.shutdown_grace)
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
                await asyncio.sleep(_MAX_ERROR_PAUSE)

    async def _enqueue_scheduled(self) -> None:
        now = datetime.now(UTC).timestamp()
        if now < self._next_schedule_check:
            return
        self._next_schedule_check = now + 60
        for name, interval in self.registry.schedules:
            bucket = int(now // interval.total_seconds())
            # One job per kind and interval however many workers race: the dedupe key decides.
            await self.queue.enqueue(name, {}, dedupe_key=f"schedule:{name}:{bucket}")

    async def _run_job(self, job: Job) -> None:
        token = request_id_var.set(f"job-{job.id}")
        try:
            await self._execute(job)
        except asyncio.CancelledError:
            raise
        except Exception:  # recording the outcome failed: the lease expiry will retry the job
            log.exception("job bookkeeping failed", extra={"job_id": job.id})
        finally:
            request_id_var.reset(token)

    async def _execute(self, job: Job) -> None:
        kind = self.registry.kinds[job.kind]  # claim() only hands out kinds we know
        lock = job.locked_by or ""
        if job.attempts > job.max_attempts:  # reclaimed after crashes, again and again
            error = job.error or "the worker running it was lost too many times"
            await self.queue.fail(job, lock, error, None)
            return
        work = asyncio.create_task(kind.handler(JobContext(
            job, lock.rsplit("/", 1)[0],
            lambda fraction, message: self.queue.progress(job, lock, fraction, message))))
        heartbeat = asyncio.create_task(self._keep_lease(job, lock, work))
        try:
            result = await asyncio.wait_for(work, kind.timeout)
        except asyncio.CancelledError:
            if heartbeat.done() and heartbeat.result() is False:
                return  # cancelled by a user or reclaimed: nothing more to record
            await self.queue.release(job, lock)  # we are shutting down
            raise
        except TimeoutError:
            await self._failed(job, lock, kind, f"timed out after {kind.timeout:g}s")
        except JobLost:
            log.info("job lost its lease", extra={"job_id": job.id})
        except PermanentJobError as exc:
            await self._failed(job, lock, kind, str(exc) or type(exc).__name__, permanent=True)
        except Exception as exc:
            log.warning("job failed", exc_info=True, extra={"job_id": job.id, "kind": job.kind})
            await self._failed(job, lock, kind, f"{type(exc).__name__}: {exc}")
        else:
            try:
                stored = orjson.loads(orjson.dumps(result))
            except TypeError as exc:  # retrying would redo the work and fail the same way
                await self._failed(job, lock, kind, f"result cannot be stored: {exc}",
                                   permanent=True)
            else:
                await self.queue.succeed(job, lock, stored)
        finally:
            heartbeat.cancel()

    async def _keep_lease(self, job: Job, lock: str, work: asyncio.Task[Any]) -> bool:
        """Renew the lease while the handler runs. Stops the handler when the job was taken
        away, or when the lease could not be renewed before it ran out (database trouble)."""
        lease = self.queue.lease.total_seconds()
        renewed = time.monotonic()
        while not work.done():
            await asyncio.sleep(max(0.05, lease / 3))
            try:
                if not await self.queue.heartbeat(job, lock):
                    work.cancel()  # cancelled by a user, or reclaimed after we stalled
                    return False
                renewed = time.monotonic()
            except Exception:
                log.warning("could not renew a job lease", exc_info=True, extra={"job_id": job.id})
                if time.monotonic() - renewed >= lease:  # another worker may now claim it
                    work.cancel()
                    return False
        return True

    async def _failed(
        self, job: Job, lock: str, kind: JobKind, error: str, *, permanent: bool = False
    ) -> None:
        retry_in = None if permanent or job.attempts >= job.max_attempts else kind.backoff(
            job.attempts
        )
        await self.queue.fail(job, lock, error, retry_in)
