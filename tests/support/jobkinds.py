"""Job kinds the tests run: registered in the test server, or in a worker subprocess."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from ai_service.core.jobs import JobContext, JobRegistry, PermanentJobError

FEEDS: dict[int, asyncio.Queue[str]] = {}  # per job: one item lets test.steps take one step
STOPPED: set[int] = set()  # jobs whose handler saw its cancellation


def feed(job_id: int) -> asyncio.Queue[str]:
    return FEEDS.setdefault(job_id, asyncio.Queue())


async def echo(ctx: JobContext) -> Any:
    await ctx.progress(0.5, "halfway")
    return ctx.payload


async def flaky(ctx: JobContext) -> Any:
    if ctx.job.attempts < ctx.payload["succeed_on"]:
        raise RuntimeError(f"attempt {ctx.job.attempts} failed")
    return {"attempts": ctx.job.attempts}


async def permanent(ctx: JobContext) -> Any:
    raise PermanentJobError("the input cannot be processed")


async def steps(ctx: JobContext) -> Any:
    total = ctx.payload["steps"]
    try:
        for step in range(1, total + 1):
            await feed(ctx.job.id).get()
            await ctx.progress(step / total, f"step {step} of {total}")
    except asyncio.CancelledError:
        STOPPED.add(ctx.job.id)
        raise
    return {"steps": total}


async def unstorable(ctx: JobContext) -> Any:
    from decimal import Decimal

    return {"amount": Decimal("1.10")}


async def crash_once(ctx: JobContext) -> Any:
    """Hangs on its first attempt (the test kills that worker), finishes on the next."""
    if ctx.job.attempts == 1:
        await ctx.progress(0.1, f"started by {os.getpid()}")
        await asyncio.sleep(3600)
    return {"attempt": ctx.job.attempts, "pid": os.getpid()}


async def record(ctx: JobContext) -> Any:
    await asyncio.sleep(0.05)
    return {"worker": ctx.worker_id}


def register_in_server(registry: JobRegistry) -> None:
    registry.register("test.echo", echo)
    registry.register("test.flaky", flaky, max_attempts=3, backoff_base=0.05)
    registry.register("test.permanent", permanent)
    registry.register("test.steps", steps)
    registry.register("test.unstorable", unstorable)


def register_in_subprocess(registry: JobRegistry) -> None:
    registry.register("test.crash_once", crash_once)
    registry.register("test.record", record)
