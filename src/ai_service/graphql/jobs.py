"""GraphQL for jobs: look them up, page through them, follow one live, retry or cancel it.

A member sees their own jobs; administrators see every job, system jobs included. A job that
may not be seen is reported as not found, so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ai_service.core.errors import NotFound
from ai_service.core.jobs.models import TERMINAL_STATES, Job, JobState
from ai_service.core.jobs.queue import job_channel
from ai_service.core.pagination import keyset_page, parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.users import UserType
from ai_service.users.models import User

strawberry.enum(JobState, name="JobState")
_POLL_SECONDS = 5.0  # a subscription re-reads the row this often even when no message comes


@strawberry.type(name="Job")
class JobType:
    id: strawberry.ID
    kind: str
    state: JobState
    progress: float = strawberry.field(description="From 0 to 1.")
    message: str
    attempts: int
    max_attempts: int
    error: str | None = strawberry.field(description="The last failure, kept while retrying.")
    result: JSON | None
    run_at: datetime = strawberry.field(description="When the job runs next (retries wait).")
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    owner_id: strawberry.Private[int | None]

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> UserType | None:
        if self.owner_id is None:
            return None
        user = await info.context.loaders.user.load(self.owner_id)
        return UserType.of(user) if user else None

    @classmethod
    def of(cls, job: Job) -> JobType:
        return cls(
            id=strawberry.ID(str(job.id)), kind=job.kind, state=job.state, progress=job.progress,
            message=job.message, attempts=job.attempts, max_attempts=job.max_attempts,
            error=job.error, result=job.result, run_at=job.run_at, created_at=job.created_at,
            updated_at=job.updated_at, started_at=job.started_at, finished_at=job.finished_at,
            owner_id=job.owner_id,
        )


async def _visible_job(info: Info[Context, None], job_id: strawberry.ID) -> Job:
    user = await info.context.user()
    job = await info.context.services.jobs.get(parse_id(job_id))
    if job is None or not _may_see(user, job):
        raise NotFound(f"Job {job_id} not found")
    return job


def _may_see(user: User, job: Job) -> bool:
    return user.is_admin or (job.owner_id is not None and job.owner_id == user.id)


@strawberry.type
class JobQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def job(self, info: Info[Context, None], id: strawberry.ID) -> JobType:
        return JobType.of(await _visible_job(info, id))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first; yours, or everyone's for administrators.")
    async def jobs(
        self,
        info: Info[Context, None],
        first: int = 20,
        after: str | None = None,
        state: JobState | None = None,
    ) -> Connection[JobType]:
        user = await info.context.user()
        query = Job.all() if user.is_admin else Job.filter(owner_id=user.id)
        if state is not None:
            query = query.filter(state=state)
        return Connection.of(await keyset_page(query, first, after, order="desc"), JobType.of)


@strawberry.type
class JobMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Queue a dead or cancelled job again, attempts reset.")
    async def retry_job(self, info: Info[Context, None], id: strawberry.ID) -> JobType:
        job = await _visible_job(info, id)
        return JobType.of(await info.context.services.jobs.retry(job.id))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Stop a queued or running job.")
    async def cancel_job(self, info: Info[Context, None], id: strawberry.ID) -> JobType:
        job = await _visible_job(info, id)
        return JobType.of(await info.context.services.jobs.cancel(job.id))


@strawberry.type
class JobSubscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="The job now, then every change until it finishes (graphql-transport-ws)."
    )
    async def job_updates(
        self, info: Info[Context, None], id: strawberry.ID
    ) -> AsyncGenerator[JobType, None]:
        job = await _visible_job(info, id)
        # Subscribe before the first read, so no change can slip between the two.
        async with info.context.services.pubsub.subscribe(job_channel(job.id)) as messages:
            job = await _visible_job(info, id)
            yield JobType.of(job)
            while job.state not in TERMINAL_STATES:
                await messages.get(within=_POLL_SECONDS)
                # Authorised again for every event: a logout, a deactivation or an expired
                # token ends the stream at once, not when the job finishes.
                info.context.forget_principal()
                fresh = await _visible_job(info, id)
                if (fresh.updated_at, fresh.state, fresh.progress) != (
                    job.updated_at, job.state, job.progress
                ):
                    job = fresh
                    info.context.fresh_loaders()
                    yield JobType.of(job)
