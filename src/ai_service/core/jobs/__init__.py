"""Durable background jobs: a table, a queue with leases, and a worker loop."""

from ai_service.core.jobs.models import TERMINAL_STATES, Job, JobState
from ai_service.core.jobs.queue import JobQueue, job_channel
from ai_service.core.jobs.registry import JobContext, JobKind, JobLost, JobRegistry
from ai_service.core.jobs.worker import PermanentJobError, Worker

__all__ = [
    "TERMINAL_STATES",
    "Job",
    "JobContext",
    "JobKind",
    "JobLost",
    "JobQueue",
    "JobRegistry",
    "JobState",
    "PermanentJobError",
    "Worker",
    "job_channel",
]
