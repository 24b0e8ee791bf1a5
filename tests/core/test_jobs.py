"""Durable jobs: the in-process worker, retries, dead jobs, cancellation, live updates over
graphql-transport-ws, recovery after a worker is killed, and several workers on one queue."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from ai_service.core.jobs import Job, JobState
from support import jobkinds
from support.accounts import make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.paths import TESTS
from support.waiting import wait_for

JOB = """query($id: ID!) { job(id: $id) { id kind state progress message attempts maxAttempts
  error result owner { email } startedAt finishedAt } }"""
JOBS = """query($state: JobState) { jobs(first: 50, state: $state) { edges { node { id kind state } } } }"""


@pytest.fixture(autouse=True)
def _kinds(server: LiveServer) -> None:
    jobkinds.register_in_server(server.services.registry)
    # Ids start again at 1 in every test: a handler left over from the previous test must
    # not take this test's feed.
    jobkinds.FEEDS.clear()
    jobkinds.STOPPED.clear()


def enqueue(server: LiveServer, kind: str, payload: dict[str, Any] | None = None,
            owner: Any = None, **options: Any) -> int:
    owner_id = int(owner["user"]["id"]) if owner else None
    job: Job = server.call(server.services.jobs.enqueue(kind, payload, owner_id=owner_id, **options))
    return job.id


def job_state(gql: GraphQLClient, job_id: int, token: str) -> dict[str, Any]:
    job: dict[str, Any] = gql.data(JOB, {"id": str(job_id)}, token=token)["job"]
    return job


def finished(gql: GraphQLClient, job_id: int, token: str, state: str = "SUCCEEDED") -> dict[str, Any]:
    result: dict[str, Any] = wait_for(
        lambda: (j := job_state(gql, job_id, token))["state"] == state and j, what=f"job {state}"
    )
    return result


def test_a_job_runs_to_completion(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    job_id = enqueue(server, "test.echo", {"hello": "world"}, owner=admin)
    job = finished(gql, job_id, admin["accessToken"])
    assert job["result"] == {"hello": "world"}
    assert (job["progress"], job["message"], job["attempts"]) == (1.0, "halfway", 1)
    assert job["owner"] == {"email": "admin@example.com"}
    assert job["startedAt"] <= job["finishedAt"]


def test_failures_are_retried_with_backoff(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    job_id = enqueue(server, "test.flaky", {"succeed_on": 3}, owner=admin, max_attempts=3)
    job = finished(gql, job_id, admin["accessToken"])
    assert job["attempts"] == 3
    assert job["result"] == {"attempts": 3}
    assert job["error"] is None


def test_a_job_out_of_attempts_is_dead_and_can_be_retried(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    token = admin["accessToken"]
    job_id = enqueue(server, "test.flaky", {"succeed_on": 99}, owner=admin, max_attempts=2)
    dead = finished(gql, job_id, token, "DEAD")
    assert dead["attempts"] == 2
    assert dead["error"] == "RuntimeError: attempt 2 failed"
    retried = gql.data('mutation($id: ID!) { retryJob(id: $id) { state attempts } }',
                       {"id": str(job_id)}, token=token)["retryJob"]
    assert retried == {"state": "QUEUED", "attempts": 0}
    assert finished(gql, job_id, token, "DEAD")["attempts"] == 2
    running = enqueue(server, "test.steps", {"steps": 1}, owner=admin)
    busy = gql.error('mutation($id: ID!) { retryJob(id: $id) { id } }', {"id": str(running)},
                     token=token)
    assert busy["extensions"]["code"] == "CONFLICT"


def test_a_permanent_error_is_not_retried(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    job_id = enqueue(server, "test.permanent", owner=admin)
    dead = finished(gql, job_id, admin["accessToken"], "DEAD")
    assert (dead["attempts"], dead["error"]) == (1, "the input cannot be processed")


def running_steps_job(server: LiveServer, gql: GraphQLClient, admin: Any, steps: int) -> int:
    job_id = enqueue(server, "test.steps", {"steps": steps}, owner=admin)
    wait_for(lambda: job_state(gql, job_id, admin["accessToken"])["state"] == "RUNNING",
             what="running")
    return job_id


def test_cancelling_a_running_job_stops_its_handler(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    token = admin["accessToken"]
    job_id = running_steps_job(server, gql, admin, 3)
    cancelled = gql.data('mutation($id: ID!) { cancelJob(id: $id) { state finishedAt } }',
                         {"id": str(job_id)}, token=token)["cancelJob"]
    assert cancelled["state"] == "CANCELLED"
    wait_for(lambda: job_id in jobkinds.STOPPED, what="the handler to be cancelled")
    assert job_state(gql, job_id, token)["state"] == "CANCELLED"
    again = gql.error('mutation($id: ID!) { cancelJob(id: $id) { id } }', {"id": str(job_id)},
                      token=token)
    assert again["extensions"]["code"] == "CONFLICT"


def test_enqueueing_with_a_dedupe_key_is_idempotent(server: LiveServer) -> None:
    first = enqueue(server, "test.echo", {"n": 1}, dedupe_key="import:42")
    second = enqueue(server, "test.echo", {"n": 2}, dedupe_key="import:42")
    assert first == second


def test_jobs_are_private_to_their_owner(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    member = make_member(gql, admin["accessToken"])
    mine = enqueue(server, "test.echo", owner=member)
    theirs = enqueue(server, "test.echo", owner=admin)
    system = enqueue(server, "test.echo")
    token = member["accessToken"]
    listed = {int(e["node"]["id"]) for e in gql.data(JOBS, token=token)["jobs"]["edges"]}
    assert listed == {mine}
    for hidden in (theirs, system):
        assert gql.error(JOB, {"id": str(hidden)}, token=token)["extensions"]["code"] == "NOT_FOUND"
        error = gql.error('mutation($id: ID!) { cancelJob(id: $id) { id } }', {"id": str(hidden)},
                          token=token)
        assert error["extensions"]["code"] == "NOT_FOUND"
    everything = {int(e["node"]["id"]) for e in gql.data(JOBS, token=admin["accessToken"])["jobs"]["edges"]}
    assert {mine, theirs, system} <= everything
    assert gql.error(JOBS)["extensions"]["code"] == "UNAUTHENTICATED"


def test_jobs_filter_by_state(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    token = admin["accessToken"]
    done = enqueue(server, "test.echo", owner=admin)
    finished(gql, done, token)
    dead = enqueue(server, "test.permanent", owner=admin)
    finished(gql, dead, token, "DEAD")
    ids = {int(e["node"]["id"]) for e in gql.data(JOBS, {"state": "DEAD"}, token=token)["jobs"]["edges"]}
    assert ids == {dead}


# --------------------------------------------------------------------------- live updates


class TransportWS:
    """A graphql-transport-ws client, enough for tests."""

    def __init__(self, ws: ClientConnection, token: str | None, payload: dict[str, Any] | None):
        self.ws = ws
        init = payload if payload is not None else ({"Authorization": f"Bearer {token}"} if token else {})
        self.send({"type": "connection_init", "payload": init})

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> dict[str, Any]:
        frame = self.ws.recv(timeout=timeout)
        # graphql-transport-ws messages are text frames: browsers hand binary ones to the
        # client as Blobs, which it cannot read.
        assert isinstance(frame, str), f"a binary frame: {frame!r}"
        message: dict[str, Any] = json.loads(frame)
        return message


@pytest.fixture
def ws_factory(server: LiveServer) -> Iterator[Callable[..., TransportWS]]:
    with contextlib.ExitStack() as stack:

        def open_ws(token: str | None, payload: dict[str, Any] | None = None) -> TransportWS:
            ws = stack.enter_context(connect(
                server.ws_url, subprotocols=["graphql-transport-ws"], open_timeout=10  # type: ignore[list-item]
            ))
            return TransportWS(ws, token, payload)

        yield open_ws


UPDATES = "subscription($id: ID!) { jobUpdates(id: $id) { state progress message owner { email } } }"


def test_job_updates_stream_until_the_job_finishes(
    server: LiveServer, admin: Any, ws_factory: Callable[..., TransportWS]
) -> None:
    job_id = enqueue(server, "test.steps", {"steps": 2}, owner=admin)
    client = ws_factory(admin["accessToken"])
    assert client.receive()["type"] == "connection_ack"
    client.send({"id": "1", "type": "subscribe", "payload": {"query": UPDATES, "variables": {"id": str(job_id)}}})
    first = client.receive()
    assert first["type"] == "next"
    assert first["payload"]["data"]["jobUpdates"]["state"] in ("QUEUED", "RUNNING")
    assert first["payload"]["data"]["jobUpdates"]["owner"] == {"email": "admin@example.com"}

    def updates_until(done: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        seen = []
        while not seen or not done(seen[-1]):
            message = client.receive()
            assert message["type"] == "next", message
            seen.append(message["payload"]["data"]["jobUpdates"])
        return seen

    server.call(_put(job_id))  # one step at a time: updates coalesce to the latest state
    assert updates_until(lambda u: u["progress"] == 0.5)[-1] == {
        "state": "RUNNING", "progress": 0.5, "message": "step 1 of 2",
        "owner": {"email": "admin@example.com"}}
    server.call(_put(job_id))
    assert updates_until(lambda u: u["state"] == "SUCCEEDED")[-1]["progress"] == 1.0
    assert client.receive()["type"] == "complete"


async def _put(job_id: int) -> None:
    await jobkinds.feed(job_id).put("go")


def test_job_updates_need_a_valid_token(
    server: LiveServer, admin: Any, ws_factory: Callable[..., TransportWS]
) -> None:
    rejected = ws_factory("not-a-token")
    with pytest.raises(ConnectionClosed) as closed:
        rejected.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403

    job_id = enqueue(server, "test.echo", owner=admin)
    anonymous = ws_factory(None)
    assert anonymous.receive()["type"] == "connection_ack"
    anonymous.send({"id": "1", "type": "subscribe",
                    "payload": {"query": UPDATES, "variables": {"id": str(job_id)}}})
    message = anonymous.receive()
    assert message["type"] in ("next", "error")
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_job_updates_of_someone_elses_job(
    server: LiveServer, gql: GraphQLClient, admin: Any, ws_factory: Callable[..., TransportWS]
) -> None:
    member = make_member(gql, admin["accessToken"])
    job_id = enqueue(server, "test.echo", owner=admin)
    client = ws_factory(None, {"authToken": member["accessToken"]})
    assert client.receive()["type"] == "connection_ack"
    client.send({"id": "1", "type": "subscribe", "payload": {"query": UPDATES, "variables": {"id": str(job_id)}}})
    message = client.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


def test_job_updates_stop_as_soon_as_the_session_ends(
    server: LiveServer, gql: GraphQLClient, admin: Any, ws_factory: Callable[..., TransportWS]
) -> None:
    session = gql.login("admin@example.com", "correct horse battery staple")
    job_id = enqueue(server, "test.steps", {"steps": 3}, owner=admin)
    client = ws_factory(session["accessToken"])
    assert client.receive()["type"] == "connection_ack"
    client.send({"id": "1", "type": "subscribe", "payload": {"query": UPDATES, "variables": {"id": str(job_id)}}})
    assert client.receive()["type"] == "next"
    gql.data('mutation($t: String!) { logout(refreshToken: $t) }', {"t": session["refreshToken"]})
    server.call(_put(job_id))  # the job moves on; the signed-out subscriber must not see it
    message = client.receive()
    while message["type"] == "next" and not message["payload"].get("errors"):
        assert message["payload"]["data"]["jobUpdates"]["progress"] == 0  # nothing new leaks
        message = client.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


# --------------------------------------------------------------------------- separate workers


def start_worker(env: dict[str, str]) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "support.job_worker"], env={**env, "PYTHONPATH": str(TESTS)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # its worker id: it is up
    return process


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_job_interrupted_by_a_crash_runs_again_after_restart(
    server: LiveServer, gql: GraphQLClient, admin: Any, backend_env: dict[str, str]
) -> None:
    token = admin["accessToken"]
    first = start_worker(backend_env)
    try:
        job_id = enqueue(server, "test.crash_once", owner=admin)
        running = wait_for(lambda: (j := job_state(gql, job_id, token))["message"].startswith("started")
                           and j, what="the first worker to start the job")
        assert running["state"] == "RUNNING"
        os.kill(first.pid, signal.SIGKILL)  # no clean-up, no release: a power cut
        first.wait(10)
    finally:
        stop(first)
    restarted = start_worker(backend_env)
    try:
        done = finished(gql, job_id, token)  # once the dead worker's lease has expired
    finally:
        stop(restarted)
    assert done["attempts"] == 2
    assert done["result"]["attempt"] == 2
    assert done["result"]["pid"] == restarted.pid


def test_several_workers_share_one_queue(
    server: LiveServer, gql: GraphQLClient, admin: Any, backend_env: dict[str, str]
) -> None:
    env = {**backend_env, "WORKER_CONCURRENCY": "4"}
    workers = [start_worker(env) for _ in range(3)]
    ids = [enqueue(server, "test.record", {"n": n}, owner=admin) for n in range(60)]
    try:
        wait_for(lambda: all(j.state == JobState.SUCCEEDED for j in server.call(_jobs(ids))),
                 timeout=60, what="all jobs")
    finally:
        for worker in workers:
            stop(worker)
    jobs = server.call(_jobs(ids))
    assert all(job.attempts == 1 for job in jobs), "a job was claimed twice"
    runners = {job.result["worker"] for job in jobs}
    assert len(runners) >= 2, "the work was not shared"


async def _jobs(ids: list[int]) -> list[Job]:
    return list(await Job.filter(id__in=ids))


# --------------------------------------------------------------------------- failure modes


def test_a_result_that_cannot_be_stored_is_a_clear_permanent_failure(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    job_id = enqueue(server, "test.unstorable", owner=admin)
    dead = finished(gql, job_id, admin["accessToken"], "DEAD")
    assert dead["attempts"] == 1
    assert dead["error"].startswith("result cannot be stored")


def test_the_registered_retry_policy_is_the_default(server: LiveServer) -> None:
    job_id = enqueue(server, "test.flaky", {"succeed_on": 1})
    job: Job = server.call(server.services.jobs.get(job_id))
    assert job.max_attempts == 3  # as registered for test.flaky, not the global default


def test_cancel_then_retry_never_runs_a_job_twice_at_once(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    token = admin["accessToken"]
    job_id = running_steps_job(server, gql, admin, 1)
    gql.data('mutation($id: ID!) { cancelJob(id: $id) { id } }', {"id": str(job_id)}, token=token)
    gql.data('mutation($id: ID!) { retryJob(id: $id) { id } }', {"id": str(job_id)}, token=token)
    # The first run is stopped as soon as its lease renewal finds another claim in its place.
    wait_for(lambda: job_id in jobkinds.STOPPED, what="the first run to be stopped")
    wait_for(lambda: job_state(gql, job_id, token)["state"] == "RUNNING", what="the second run")
    server.call(_put(job_id))
    done = finished(gql, job_id, token)
    assert done["attempts"] == 1
    assert done["result"] == {"steps": 1}


def test_the_worker_survives_a_database_failure(
    server: LiveServer, gql: GraphQLClient, admin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from ai_service.core import db

    async def rename(a: str, b: str) -> None:
        await db.connection().execute_script(f"ALTER TABLE {a} RENAME TO {b}")

    with caplog.at_level(logging.ERROR, logger="ai_service.core.jobs.worker"):
        server.call(rename("jobs", "jobs_away"))
        try:
            wait_for(lambda: "could not claim work" in caplog.text, what="the worker to fail")
        finally:
            server.call(rename("jobs_away", "jobs"))
    job_id = enqueue(server, "test.echo", {"after": "outage"}, owner=admin)
    assert finished(gql, job_id, admin["accessToken"])["result"] == {"after": "outage"}


def test_stopping_a_worker_hands_its_running_job_back_promptly(server: LiveServer) -> None:
    from ai_service.core.jobs import JobRegistry, Worker

    registry = JobRegistry()
    registry.register("test.block", jobkinds.steps)
    job_id = enqueue(server, "test.block", {"steps": 1})

    async def scenario() -> tuple[float, Job]:
        worker = Worker(server.services.jobs, registry, server.services.pubsub, concurrency=1,
                        poll_seconds=0.1, shutdown_grace=0.3)
        task = asyncio.create_task(worker.run())
        while (await Job.get(id=job_id)).state != JobState.RUNNING:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        started = time.monotonic()
        worker.stop()
        await task
        return time.monotonic() - started, await Job.get(id=job_id)

    took, job = server.call(scenario)
    assert took < 2
    assert (job.state, job.attempts, job.locked_by) == (JobState.QUEUED, 0, None)
