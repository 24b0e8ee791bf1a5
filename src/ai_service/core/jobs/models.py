from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobState(StrEnum):
    QUEUED = "QUEUED"  # waiting to run, or to be retried after a failure (see `attempts`)
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    DEAD = "DEAD"  # failed for good: out of attempts, or a permanent error
    CANCELLED = "CANCELLED"


TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.DEAD, JobState.CANCELLED})


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    state = fields.CharEnumField(JobState, max_length=16, default=JobState.QUEUED)
    priority = fields.SmallIntField(default=0)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=5)
    run_at = fields.DatetimeField()
    lease_expires_at = fields.DatetimeField(null=True)
    locked_by = fields.CharField(max_length=64, null=True)
    progress = fields.FloatField(default=0.0)
    message = fields.CharField(max_length=500, default="")
    result: Any = fields.JSONField(null=True)
    error = fields.TextField(null=True)
    owner_id = fields.BigIntField(null=True, db_index=True)
    # Enqueueing twice with one key yields one job: retries of a request stay idempotent.
    dedupe_key = fields.CharField(max_length=200, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jobs"
        indexes = (("state", "run_at"),)
