"""The durable job queue: rows in the `jobs` table, claimed under a lease.

A worker that dies mid-job stops renewing its lease; once the lease expires the job is claimable
again, so a crash or a restart loses nothing. On PostgreSQL concurrent workers claim with
`FOR UPDATE SKIP LOCKED`; SQLite serialises writers, so its single UPDATE is already atomic.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError

from ai_service.core.cache import PubSub
from ai_service.core.db import connection, dialect
from ai_service.core.errors import Conflict, NotFound
from ai_service.core.jobs.models import TERMINAL_STATES, Job, JobState
from ai_service.core.jobs.registry import JobRegistry

WAKEUP_CHANNEL = "jobs:wakeup"
log = logging.getLogger(__name__)
DeadListener = Callable[[Job], Awaitable[None]]


def job_channel(job_id: int) -> str:
    return f"jobs:{job_id}"


def _now() -> datetime:
    return datetime.now(UTC)


def _sql_time(moment: datetime) -> Any:
    # SQLite compares the text Tortoise stores ("YYYY-MM-DD HH:MM:SS.ffffff+00:00").
    if dialect() == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    return moment


# A worker claims only the kinds it can run: during a rolling upgrade an older worker leaves
# a new kind of job to the workers that know it.
_CLAIM_POSTGRES = """
UPDATE jobs SET state = 'RUNNING', attempts = attempts + 1, locked_by = $1,
       lease_expires_at = $2, started_at = COALESCE(started_at, $3), updated_at = $3
WHERE id = (
    SELECT id FROM jobs
    WHERE ((state = 'QUEUED' AND run_at <= $3) OR (state = 'RUNNING' AND lease_expires_at < $3))
      AND kind = ANY($4::varchar[])
    ORDER BY priority DESC, run_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""

_CLAIM_SQLITE = """
UPDATE jobs SET state = 'RUNNING', attempts = attempts + 1, locked_by = ?1,
       lease_expires_at = ?2, started_at = COALESCE(started_at, ?3), updated_at = ?3
WHERE id = (
    SELECT id FROM jobs
    WHERE ((state = 'QUEUED' AND run_at <= ?3) OR (state = 'RUNNING' AND lease_expires_at < ?3))
      AND kind IN (SELECT value FROM json_each(?4))
    ORDER BY priority DESC, run_at, id
    LIMIT 1
)
RETURNING id
"""


class JobQueue:
    """Every change a worker makes is fenced by the lock its claim wrote: once a job was
    cancelled, retried or reclaimed, the old run can no longer touch it."""

    def __init__(self, pubsub: PubSub, lease_seconds: float, registry: JobRegistry) -> None:
        self._pubsub = pubsub
        self.lease = timedelta(seconds=lease_seconds)
        self.registry = registry
        # Called after a job became DEAD (the notifier alerts); their errors are logged.
        self.on_dead: list[DeadListener] = []

    async def enqueue(
        self,
        kind: str,
        payload: dict[str, Any] | None = None,
        *,
        owner_id: int | None = None,
        dedupe_key: str | None = None,
        run_at: datetime | None = None,
        max_attempts: int | None = None,
        priority: int = 0,
    ) -> Job:
        """Queue a job; with a `dedupe_key` already used, returns that job instead."""
        if dedupe_key is not None and (existing := await Job.get_or_none(dedupe_key=dedupe_key)):
            return existing
        try:
            job = await Job.create(
                kind=kind, payload=payload or {}, owner_id=owner_id, dedupe_key=dedupe_key,
                run_at=run_at or _now(), priority=priority,
                max_attempts=max_attempts or self.registry.max_attempts(kind),
            )
        except IntegrityError:
            if dedupe_key is None:
                raise
            return await Job.get(dedupe_key=dedupe_key)  # another process won the race
        await self._pubsub.publish(WAKEUP_CHANNEL, b"1")
        return job

    async def claim(self, worker_id: str, kinds: Collection[str]) -> Job | None:
        """Take the next due job of one of `kinds` (or one whose worker died) under a lease.
        The job's `locked_by` is this claim's lock: pass it to every later call."""
        if not kinds:
            return None
        now = _now()
        lock = f"{worker_id}/{secrets.token_hex(4)}"
        kind_list: object = sorted(kinds)
        sql = _CLAIM_POSTGRES
        if dialect() == "sqlite":
            sql, kind_list = _CLAIM_SQLITE, orjson.dumps(kind_list).decode()
        rows = await connection().execute_query_dict(
            sql, [lock, _sql_time(now + self.lease), _sql_time(now), kind_list]
        )
        if not rows:
            return None
        job = await Job.get(id=rows[0]["id"])
        await self._announce(job)
        return job

    async def _owned_update(self, job: Job, lock: str, **values: Any) -> bool:
        """Update a job only while this claim still holds it (not reclaimed, not cancelled)."""
        values["updated_at"] = _now()
        changed = await Job.filter(
            id=job.id, locked_by=lock, state=JobState.RUNNING
        ).update(**values)
        if changed:
            for key, value in values.items():
                setattr(job, key, value)
        return bool(changed)

    async def heartbeat(self, job: Job, lock: str) -> bool:
        return await self._owned_update(job, lock, lease_expires_at=_now() + self.lease)

    async def progress(self, job: Job, lock: str, fraction: float, message: str) -> bool:
        fraction = min(1.0, max(0.0, fraction))
        ok = await self._owned_update(job, lock, progress=fraction, message=message[:500])
        if ok:
            await self._announce(job)
        return ok

    async def succeed(self, job: Job, lock: str, result: Any) -> bool:
        ok = await self._owned_update(
            job, lock, state=JobState.SUCCEEDED, progress=1.0, result=result, error=None,
            finished_at=_now(), lease_expires_at=None, locked_by=None,
        )
        if ok:
            await self._announce(job)
        return ok

    async def fail(self, job: Job, lock: str, error: str, retry_in: float | None) -> bool:
        """Record a failure: back to the queue after `retry_in` seconds, or DEAD when None."""
        if retry_in is None:
            values: dict[str, Any] = {"state": JobState.DEAD, "finished_at": _now()}
        else:
            values = {"state": JobState.QUEUED, "run_at": _now() + timedelta(seconds=retry_in)}
        ok = await self._owned_update(
            job, lock, error=error[:4000], lease_expires_at=None, locked_by=None, **values
        )
        if ok:
            await self._announce(job)
            if retry_in is None:
                for listener in self.on_dead:
                    try:
                        await listener(job)
                    except Exception:
                        log.exception("a dead-job listener failed", extra={"job_id": job.id})
        return ok

    async def release(self, job: Job, lock: str) -> bool:
        """Hand a job back untouched (the worker is shutting down): the attempt does not count."""
        ok = await self._owned_update(
            job, lock, state=JobState.QUEUED, attempts=max(0, job.attempts - 1),
            lease_expires_at=None, locked_by=None, run_at=_now(),
        )
        if ok:
            await self._announce(job)
        return ok

    async def get(self, job_id: int) -> Job | None:
        return await Job.get_or_none(id=job_id)

    async def cancel(self, job_id: int) -> Job:
        job = await self._get_or_raise(job_id)
        if job.state in TERMINAL_STATES:
            raise Conflict(f"Job {job_id} has already finished ({job.state})")
        changed = await Job.filter(id=job_id, state=job.state).update(
            state=JobState.CANCELLED, finished_at=_now(), updated_at=_now(),
            lease_expires_at=None, locked_by=None,
        )
        if not changed:
            raise Conflict(f"Job {job_id} changed state meanwhile; try again")
        job = await self._get_or_raise(job_id)
        await self._announce(job)
        return job

    async def retry(self, job_id: int) -> Job:
        job = await self._get_or_raise(job_id)
        if job.state not in {JobState.DEAD, JobState.CANCELLED}:
            raise Conflict(
                f"Only dead or cancelled jobs can be retried; job {job_id} is {job.state}"
            )
        await Job.filter(id=job_id, state=job.state).update(
            state=JobState.QUEUED, attempts=0, run_at=_now(), finished_at=None, progress=0.0,
            message="", updated_at=_now(),
        )
        job = await self._get_or_raise(job_id)
        await self._announce(job)
        await self._pubsub.publish(WAKEUP_CHANNEL, b"1")
        return job

    async def purge_finished(self, older_than: timedelta) -> int:
        return await Job.filter(
            state__in=list(TERMINAL_STATES), finished_at__lt=_now() - older_than
        ).delete()

    async def _get_or_raise(self, job_id: int) -> Job:
        job = await Job.get_or_none(id=job_id)
        if job is None:
            raise NotFound(f"Job {job_id} not found")
        return job

    async def _announce(self, job: Job) -> None:
        await self._pubsub.publish(
            job_channel(job.id), orjson.dumps({"id": job.id, "state": job.state})
        )
