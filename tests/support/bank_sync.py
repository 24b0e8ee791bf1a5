"""Shared steps of the bank sync tests: integrations, linking through the fake bank, jobs."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from fakes.enablebanking import ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM
from fakes.gocardless import GOCARDLESS_SECRET_ID, GOCARDLESS_SECRET_KEY
from fakes.server import FakeProviders
from fakes.telegram import TELEGRAM_CHAT_ID, TELEGRAM_TOKEN
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.waiting import wait_for

T = TypeVar("T")
DEMO_GC = "DEMOBANK_DEMODEFF"
THRIFTY_GC = "THRIFTY_THRFDE21"
DEMO_EB = "DE:Demo Bank"

SET = """mutation($p: IntegrationProvider!, $v: [IntegrationValueInput!]!) {
  setIntegration(provider: $p, values: $v) { configured } }"""
INSTITUTIONS = """query($p: BankProvider!, $c: String!) { bankInstitutions(provider: $p, country: $c) {
  id name bic countries maxHistoryDays maxConsentDays } }"""
CONNECT = """mutation($p: BankProvider!, $i: String!, $r: String!) {
  connectBank(provider: $p, institutionId: $i, redirectUrl: $r) {
    url connection { id status institutionName } } }"""
CONNECTIONS = """{ bankConnections { id provider institutionId institutionName status
  consentExpiresAt lastSyncedAt nextSyncAt lastError createdAt
  accounts { id name iban currency source balance lastSyncedAt } } }"""
SYNC = "mutation($c: ID!) { syncBankAccounts(connectionId: $c) { id kind state runAt } }"
DISCONNECT = "mutation($c: ID!) { disconnectBank(connectionId: $c) { id status lastError } }"
JOB = "query($id: ID!) { job(id: $id) { id kind state result error attempts runAt } }"


def values(**fields: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in fields.items()]


def configure(gql: GraphQLClient, server: LiveServer, fake: FakeProviders,
              telegram: bool = True) -> None:
    gql.data(SET, {"p": "GOCARDLESS", "v": values(secretId=GOCARDLESS_SECRET_ID,
                                                  secretKey=GOCARDLESS_SECRET_KEY)})
    gql.data(SET, {"p": "ENABLE_BANKING", "v": values(applicationId=ENABLE_BANKING_APP_ID,
                                                      privateKey=ENABLE_BANKING_KEY_PEM,
                                                      environment="sandbox")})
    # Enable Banking only redirects to URLs registered with the application.
    fake.register_enable_banking_app(ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM,
                                     redirect_urls=[server.url + "/api/bank/callback"])
    if telegram:
        gql.data(SET, {"p": "TELEGRAM", "v": values(botToken=TELEGRAM_TOKEN,
                                                    chatId=TELEGRAM_CHAT_ID)})


def follow_consent(server: LiveServer, url: str) -> tuple[httpx.Response, str]:
    """The browser at the fake bank, then back at our callback: returns the callback's answer
    and where it sends the browser."""
    with httpx.Client(timeout=30) as browser:
        at_bank = browser.get(url)
        assert at_bank.status_code == 302, at_bank.text
        callback = at_bank.headers["location"]
        assert callback.startswith(server.url + "/api/bank/callback?"), callback
        back = browser.get(callback)
    return back, back.headers.get("location", "")


def link(gql: GraphQLClient, server: LiveServer, provider: str = "GOCARDLESS",
         institution: str = DEMO_GC, redirect: str = "/banking?tab=connections",
         token: str | None = None, wait_sync: bool = True) -> str:
    started = gql.data(CONNECT, {"p": provider, "i": institution, "r": redirect},
                       token=token)["connectBank"]
    assert started["connection"]["status"] == "PENDING"
    back, location = follow_consent(server, started["url"])
    assert back.status_code == 303, back.text
    connection_id = started["connection"]["id"]
    query = parse_qs(urlsplit(location).query)
    assert query["bankConnection"] == [connection_id]
    assert query["bankStatus"] == ["LINKED"], location
    if wait_sync:
        wait_for(lambda: connection(gql, connection_id, token)["lastSyncedAt"], timeout=60,
                 what="the first sync")
        wait_idle(server)
    return str(connection_id)


def connections(gql: GraphQLClient, token: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = gql.data(CONNECTIONS, token=token)["bankConnections"]
    return found


def connection(gql: GraphQLClient, connection_id: str,
               token: str | None = None) -> dict[str, Any]:
    return next(c for c in connections(gql, token) if c["id"] == connection_id)


def wait_job(gql: GraphQLClient, job_id: str, timeout: float = 60) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        job: dict[str, Any] = gql.data(JOB, {"id": job_id})["job"]
        return job if job["state"] in ("SUCCEEDED", "DEAD", "CANCELLED") else None

    result: dict[str, Any] = wait_for(done, timeout=timeout, what=f"job {job_id}")
    return result


def sync(gql: GraphQLClient, connection_id: str) -> dict[str, Any]:
    job = gql.data(SYNC, {"c": connection_id})["syncBankAccounts"]
    assert job["kind"] == "bank.sync"
    return wait_job(gql, job["id"])


def wait_idle(server: LiveServer) -> None:
    """No bank sync queued to run now or running (follow-ups for later do not count)."""
    from ai_service.core.jobs.models import Job, JobState

    async def busy() -> bool:
        now = datetime.now().astimezone()
        return await Job.filter(kind="bank.sync", state__in=[JobState.RUNNING]).exists() or \
            await Job.filter(kind="bank.sync", state=JobState.QUEUED, run_at__lte=now).exists()

    wait_for(lambda: not server.call(busy()), timeout=60, what="bank syncs to finish")


def telegram_texts(fake: FakeProviders) -> list[str]:
    return [str(m.get("text", "")) for m in fake.telegram_messages]


def wait_message(fake: FakeProviders, needle: str, timeout: float = 20) -> str:
    found: str = wait_for(lambda: next((t for t in telegram_texts(fake) if needle in t), None),
                          timeout=timeout, what=f"a Telegram message with {needle!r}")
    return found


def db(server: LiveServer, query: Awaitable[T]) -> T:
    """A Tortoise query (not a coroutine itself) run on the server's loop."""
    async def run() -> T:
        return await query

    return server.call(run())


def db_count(server: LiveServer, **filters: Any) -> int:
    from ai_service.finance.models import Transaction

    return db(server, Transaction.filter(**filters).count())
