"""Telegram notifications against the local fake Bot API: delivery through the job queue,
dedupe, rate limits, 429s and permanent failures, dead-job alerts, the health monitor, /status,
the bot's webhook, the GraphQL mutations, and that the bot token never leaks."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from ai_service.core.client import CLI_CLIENT
from ai_service.core.errors import BadUserInput, IntegrationNotConfigured, RateLimited
from ai_service.core.jobs import Job, JobState
from ai_service.core.logging import JsonFormatter
from ai_service.integrations.models import Integration
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import Scope
from ai_service.notifications import DELIVER_KIND, Alert, Notifier, Outcome, Priority
from ai_service.notifications.monitor import HealthMonitor
from ai_service.notifications.telegram import TelegramClient, TelegramUnavailable
from ai_service.routes.telegram import SECRET_HEADER
from ai_service.users.models import User
from fakes.server import FakeProviders
from fakes.telegram import TELEGRAM_BOT_USERNAME, TELEGRAM_CHAT_ID, TELEGRAM_TOKEN, parse_problem
from support import jobkinds
from support.accounts import ADMIN_EMAIL, make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.waiting import wait_for

WEBHOOK = "/api/telegram/webhook"
SEND_TEST = "mutation { sendTestNotification { delivered message } }"
REGISTER = "mutation { registerTelegramWebhook { url botUsername } }"


# --------------------------------------------------------------------------- helpers


def db(server: LiveServer, query: Any) -> Any:
    """Await a Tortoise query (not a coroutine) on the server's loop."""
    async def run() -> Any:
        return await query

    return server.call(run())


def user_row(server: LiveServer, email: str = ADMIN_EMAIL) -> User:
    user: User = db(server, User.get(email=email))
    return user


def configure(server: LiveServer, user: User, scope: Scope | None = None,
              **fields: str) -> None:
    values = {"botToken": TELEGRAM_TOKEN, "chatId": TELEGRAM_CHAT_ID, **fields}
    server.call(server.services.integrations.set(user, Provider.TELEGRAM, list(values.items()),
                                                 scope, CLI_CLIENT))


def notify(server: LiveServer, alert: Alert, notifier: Notifier | None = None) -> Outcome:
    outcome: Outcome = server.call((notifier or server.services.notifier).notify(alert))
    return outcome


def jobs(server: LiveServer, kind: str = DELIVER_KIND) -> list[Job]:
    found: list[Job] = db(server, Job.filter(kind=kind).order_by("id"))
    return found


def sent(fake: FakeProviders, count: int, timeout: float = 15) -> list[dict[str, Any]]:
    """Wait until the fake Bot API received `count` messages, then give them."""
    messages: list[dict[str, Any]] = wait_for(
        lambda: len(m := fake.telegram_messages) >= count and m, timeout,
        what=f"{count} Telegram message(s)")
    return messages


def settled(server: LiveServer, kind: str = DELIVER_KIND) -> list[Job]:
    """Every job of the kind, once none is waiting or running."""
    found: list[Job] = wait_for(
        lambda: (js := jobs(server, kind)) and all(
            j.state in (JobState.SUCCEEDED, JobState.DEAD) for j in js) and js,
        what=f"{kind} jobs to finish")
    return found


def other_notifier(server: LiveServer, **options: Any) -> Notifier:
    """A second notifier on the server's services, with its own settings or limits."""
    services = server.services
    settings = options.pop("settings", services.settings)
    return Notifier(settings, services.cache, services.jobs, services.integrations,
                    services.audit, **options)


@pytest.fixture
def admin_user(server: LiveServer, admin: dict[str, Any]) -> User:
    return user_row(server)


@pytest.fixture
def telegram(server: LiveServer, fake_providers: FakeProviders, admin_user: User) -> FakeProviders:
    """The global Telegram integration, pointing at the fake's chat."""
    configure(server, admin_user)
    return fake_providers


# --------------------------------------------------------------------------- delivery


def test_an_alert_is_delivered_through_a_job_as_escaped_html(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    outcome = notify(server, Alert(Priority.HIGH, "Sync <done> & dusted",
                                   "3 accounts <b>updated</b>", link="/finance"))
    assert outcome is Outcome.QUEUED
    [message] = sent(telegram, 1)
    assert message["chat_id"] == TELEGRAM_CHAT_ID
    assert message["parse_mode"] == "HTML"
    text = message["text"]
    assert "<b>Sync &lt;done&gt; &amp; dusted</b>" in text
    assert "3 accounts &lt;b&gt;updated&lt;/b&gt;" in text
    assert "href" not in text  # a path needs PUBLIC_URL to become a link
    [job] = settled(server)
    assert job.state is JobState.SUCCEEDED
    assert job.attempts == 1
    assert job.result == {"delivered": True, "scope": "GLOBAL"}
    # The job holds who and what, never the token: it opens the integration when it runs.
    assert TELEGRAM_TOKEN not in json.dumps(job.payload)
    assert job.payload["userId"] is None
    assert job.priority > 0


def test_a_long_body_is_cut_to_telegrams_limit_without_breaking_entities(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    notifier = other_notifier(server, settings=dataclasses.replace(
        server.settings, public_url="https://nas.example.com"))
    try:
        notify(server, Alert(Priority.LOW, "Long", "&" * 5000, link="/documents/7?a=1&b=2"),
               notifier)
    finally:
        server.call(notifier.close())
    [message] = sent(telegram, 1)  # the fake refuses > 4096 characters or broken HTML
    assert len(message["text"]) <= 4096
    assert message["text"].endswith(
        '<a href="https://nas.example.com/documents/7?a=1&amp;b=2">Open</a>')
    assert "&amp;…" in message["text"]


def test_a_users_alert_goes_to_their_own_telegram_else_to_the_global_one(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], telegram: FakeProviders,
) -> None:
    alice = make_member(gql, admin["accessToken"], "alice@example.com")
    bob = make_member(gql, admin["accessToken"], "bob@example.com")
    telegram.add_telegram_chat("111222333", first_name="Alice")
    configure(server, user_row(server, "alice@example.com"), Scope.USER, chatId="111222333")
    alice_id, bob_id = int(alice["user"]["id"]), int(bob["user"]["id"])
    notify(server, Alert(Priority.MEDIUM, "For Alice", user_id=alice_id))
    notify(server, Alert(Priority.MEDIUM, "For Bob", user_id=bob_id))
    messages = sent(telegram, 2)
    chats = {m["text"].split("<b>")[1].split("</b>")[0]: m["chat_id"] for m in messages}
    assert chats == {"For Alice": "111222333", "For Bob": TELEGRAM_CHAT_ID}
    assert {j.owner_id for j in settled(server)} == {alice_id, bob_id}


def test_nothing_configured_or_alerts_off_skips_quietly(
    server: LiveServer, fake_providers: FakeProviders, admin_user: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ai_service.notifications")
    assert notify(server, Alert(Priority.CRITICAL, "Nobody listens")) is Outcome.NOT_CONFIGURED
    configure(server, admin_user, alertsEnabled="false")
    assert notify(server, Alert(Priority.CRITICAL, "Muted")) is Outcome.DISABLED
    assert jobs(server) == []
    assert fake_providers.telegram_messages == []
    skips = [r for r in caplog.records if r.message.startswith("alert skipped")]
    assert {r.levelno for r in skips} == {logging.DEBUG}
    # Turned off while a message waits in the queue: the job checks again and sends nothing.
    server.call(server.services.jobs.enqueue(
        DELIVER_KIND, {"userId": None, "text": "<b>Queued, then muted</b>", "priority": "LOW"}))
    [job] = settled(server)
    assert job.result == {"delivered": False, "reason": "alerts are off"}
    assert fake_providers.telegram_messages == []


def test_the_same_dedupe_key_is_sent_once(server: LiveServer, telegram: FakeProviders) -> None:
    first = Alert(Priority.MEDIUM, "Document ready", "invoice.pdf", dedupe_key="doc:42")
    assert notify(server, first) is Outcome.QUEUED
    assert notify(server, first) is Outcome.DUPLICATE
    assert notify(server, dataclasses.replace(first, title="again")) is Outcome.DUPLICATE
    assert notify(server, Alert(Priority.MEDIUM, "Other", dedupe_key="doc:43")) is Outcome.QUEUED
    # A key is per recipient: the same key for a user is a different alert.
    assert notify(server, dataclasses.replace(first, user_id=1)) is Outcome.QUEUED
    sent(telegram, 3)
    time.sleep(0.5)
    assert len(telegram.telegram_messages) == 3


def test_over_the_chats_rate_limit_only_urgent_alerts_still_go(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    notifier = other_notifier(server, chat_limit=(2, 60.0))
    try:
        outcomes = [notify(server, Alert(priority, f"{priority} {n}"), notifier) for n, priority
                    in enumerate([Priority.LOW, Priority.MEDIUM, Priority.LOW, Priority.MEDIUM,
                                  Priority.HIGH, Priority.CRITICAL])]
    finally:
        server.call(notifier.close())
    assert outcomes == [Outcome.QUEUED, Outcome.QUEUED, Outcome.RATE_LIMITED,
                        Outcome.RATE_LIMITED, Outcome.QUEUED, Outcome.QUEUED]
    # A dropped alert was never sent: its dedupe key stays free for when the chat has room.
    notifier = other_notifier(server, chat_limit=(0, 60.0))
    try:
        dropped = Alert(Priority.LOW, "Dropped", dedupe_key="dropped")
        assert notify(server, dropped, notifier) is Outcome.RATE_LIMITED
        assert notify(server, dropped, notifier) is Outcome.RATE_LIMITED  # not DUPLICATE
    finally:
        server.call(notifier.close())
    messages = sent(telegram, 4)
    titles = sorted(m["text"].split("<b>")[1].split("</b>")[0] for m in messages)
    assert titles == ["CRITICAL 5", "HIGH 4", "LOW 0", "MEDIUM 1"]


# --------------------------------------------------------------------------- failures


def test_a_429_waits_for_retry_after_then_delivers(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    telegram.fail_next("telegram", 429, retry_after=1)
    notify(server, Alert(Priority.HIGH, "Slow down"))
    [message] = sent(telegram, 1)
    assert "Slow down" in message["text"]
    first, second = settled(server)
    assert first.result == {"delivered": False, "retryAfter": 1, "requeuedAs": second.id}
    assert first.state is JobState.SUCCEEDED
    assert second.result["delivered"] is True
    assert second.payload["deferrals"] == 1
    assert first.started_at is not None
    assert second.started_at is not None
    assert (second.started_at - first.started_at).total_seconds() >= 1.0
    assert len(telegram.requests_to("telegram")) == 2


def test_a_server_error_is_retried_with_backoff(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    telegram.fail_next("telegram", 502)
    notify(server, Alert(Priority.HIGH, "Bumpy"))
    sent(telegram, 1)
    [job] = settled(server)
    assert (job.state, job.attempts) == (JobState.SUCCEEDED, 2)


@pytest.mark.parametrize(("status", "chat", "error"), [
    (None, "555000555", "chat not found"),  # a chat the bot cannot reach: 400
    (401, TELEGRAM_CHAT_ID, "rejected the bot token"),
    (403, TELEGRAM_CHAT_ID, "bot was blocked"),
])
def test_a_permanent_failure_is_not_retried_and_raises_no_alert_about_itself(
    server: LiveServer, fake_providers: FakeProviders, admin_user: User, status: int | None,
    chat: str, error: str,
) -> None:
    configure(server, admin_user, chatId=chat)
    if status:
        fake_providers.fail_next("telegram", status)
    notify(server, Alert(Priority.CRITICAL, "Doomed"))
    [job] = settled(server)
    assert (job.state, job.attempts) == (JobState.DEAD, 1)
    assert error in job.error
    assert TELEGRAM_TOKEN not in job.error
    integration = db(server, Integration.get(provider=Provider.TELEGRAM))
    assert integration.status == "FAILED"
    assert error in integration.last_error
    # A dead delivery job must not alert about itself (which would fail and alert again...).
    time.sleep(0.6)
    assert len(jobs(server)) == 1
    assert fake_providers.telegram_messages == []


def test_a_dead_job_raises_one_high_alert_per_kind(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    jobkinds.register_in_server(server.services.registry)
    dead = [server.call(server.services.jobs.enqueue("test.permanent", {})) for _ in range(2)]
    settled(server, "test.permanent")
    [message] = sent(telegram, 1)
    text = message["text"]
    assert "Job failed: test.permanent" in text
    assert f"Job {dead[0].id} (test.permanent)" in text
    assert "the input cannot be processed" in text
    assert text.startswith("⚠️")  # HIGH
    time.sleep(0.5)
    assert len(jobs(server)) == 1  # the second death was a duplicate within the window


def test_notify_never_raises_when_the_queue_fails(
    server: LiveServer, telegram: FakeProviders, monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Job:
        raise ConnectionError("database gone")

    monkeypatch.setattr(server.services.jobs, "enqueue", broken)
    alert = Alert(Priority.HIGH, "Lost", dedupe_key="lost")
    assert notify(server, alert) is Outcome.FAILED
    monkeypatch.undo()
    # Not sent, so not a duplicate either: the same alert goes once the queue works.
    assert notify(server, alert) is Outcome.QUEUED
    assert "Lost" in sent(telegram, 1)[0]["text"]


# --------------------------------------------------------------------------- health monitor


class FakeProbe:
    """check_dependencies' shape, with the database switched up or down by the test."""

    def __init__(self) -> None:
        self.database_up = True
        self.calls = 0

    async def __call__(self) -> dict[str, dict[str, Any]]:
        self.calls += 1
        database = ({"state": "up", "backend": "sqlite", "required": True, "latencyMs": 0.1}
                    if self.database_up else
                    {"state": "down", "backend": "sqlite", "required": True,
                     "error": "ConnectionRefusedError"})
        return {"database": database,
                "cache": {"state": "up", "backend": "memory", "required": True,
                          "latencyMs": 0.1}}


def test_the_health_monitor_alerts_on_degraded_and_recovered_even_without_the_database(
    server: LiveServer, telegram: FakeProviders, monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = FakeProbe()
    monitor = HealthMonitor(probe, server.services.notifier, interval=3600, confirm=2)
    server.call(monitor.tick())  # healthy: remembers the global Telegram
    assert telegram.telegram_messages == []

    async def database_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("database down")

    # From here the integration cannot be read, as when the database is really down.
    monkeypatch.setattr(server.services.integrations, "find", database_down)
    probe.database_up = False
    server.call(monitor.tick())
    assert not monitor.degraded
    assert telegram.telegram_messages == []
    server.call(monitor.tick())
    assert monitor.degraded
    [degraded] = sent(telegram, 1)
    assert degraded["text"].startswith("🚨")  # CRITICAL
    assert "degraded: database down (ConnectionRefusedError)" in degraded["text"]
    server.call(monitor.tick())
    assert len(telegram.telegram_messages) == 1  # still down: no repeat

    monkeypatch.undo()
    probe.database_up = True
    server.call(monitor.tick())
    assert not monitor.degraded
    recovered = sent(telegram, 2)[1]
    assert recovered["text"].startswith("⚠️")
    assert "recovered" in recovered["text"]
    assert jobs(server) == []  # sent directly, never through the database-backed queue


def test_a_blip_shorter_than_confirm_sends_nothing_and_the_loop_stops_promptly(
    server: LiveServer, telegram: FakeProviders,
) -> None:
    probe = FakeProbe()
    monitor = HealthMonitor(probe, server.services.notifier, interval=0.05, confirm=3)

    async def run_a_while() -> float:
        task = asyncio.create_task(monitor.run())
        await asyncio.sleep(0.12)
        probe.database_up = False
        await asyncio.sleep(0.07)  # about two checks: fewer than confirm
        probe.database_up = True
        await asyncio.sleep(0.12)
        monitor.stop()
        started = time.monotonic()
        await task
        return time.monotonic() - started

    assert server.call(run_a_while()) < 0.5
    assert probe.calls >= 3  # before, during and after the blip
    assert not monitor.degraded
    time.sleep(0.3)
    assert telegram.telegram_messages == []


# --------------------------------------------------------------------------- /status


def test_status_lists_global_integrations_as_optional(
    server: LiveServer, gql: GraphQLClient, telegram: FakeProviders, admin: dict[str, Any],
) -> None:
    response = gql.http.get("/status")
    assert response.status_code == 200
    body = response.json()
    influx = ["timeseries"] if server.settings.influxdb_url else []
    assert list(body["checks"]) == ["database", "cache", *influx, "telegram"]
    assert body["checks"]["telegram"] == {"state": "unknown", "provider": "TELEGRAM",
                                          "required": False, "status": "UNTESTED",
                                          "lastCheckedAt": None}
    # A failed integration is reported, and does not make the service unready.
    telegram.fail_next("telegram", 401)
    result = server.call(server.services.notifier.send_test(user_row(server), CLI_CLIENT))
    assert not result.delivered
    response = gql.http.get("/status")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    check = response.json()["checks"]["telegram"]
    assert (check["state"], check["status"]) == ("down", "FAILED")
    assert check["lastCheckedAt"] is not None
    # A user's own integration is theirs, not the instance's.
    make_member(gql, admin["accessToken"])
    configure(server, user_row(server, "member@example.com"), Scope.USER)
    db(server, Integration.filter(scope="global").delete())
    assert set(gql.http.get("/status").json()["checks"]) == {"database", "cache", *influx}


# --------------------------------------------------------------------------- test messages


def test_send_test_delivers_at_once_and_records_the_outcome(
    server: LiveServer, fake_providers: FakeProviders, admin_user: User,
) -> None:
    notifier = server.services.notifier
    with pytest.raises(IntegrationNotConfigured) as missing:
        server.call(notifier.send_test(admin_user, CLI_CLIENT))
    assert missing.value.providers == ["TELEGRAM"]

    configure(server, admin_user, alertsEnabled="false")
    result = server.call(notifier.send_test(admin_user, CLI_CLIENT))
    assert result.delivered
    assert TELEGRAM_CHAT_ID in result.message
    assert "Alerts are off" in result.message
    [message] = fake_providers.telegram_messages  # already there: not queued
    assert "Test notification" in message["text"]
    assert ADMIN_EMAIL in message["text"]
    assert jobs(server) == []
    integration = db(server, Integration.get(provider=Provider.TELEGRAM))
    assert integration.status == "CONNECTED"

    fake_providers.fail_next("telegram", 400)
    result = server.call(notifier.send_test(admin_user, CLI_CLIENT))
    assert not result.delivered
    assert "chat not found" in result.message
    assert "check chatId" in result.message

    audit = server.call(server.services.audit.page(10, None, "notification.test"))
    assert [e.details for e in audit.items] == [
        {"provider": "TELEGRAM", "scope": "GLOBAL", "delivered": False},
        {"provider": "TELEGRAM", "scope": "GLOBAL", "delivered": True},
    ]
    for _ in range(2):  # five tries a minute, the one that found nothing configured too
        server.call(notifier.send_test(admin_user, CLI_CLIENT))
    with pytest.raises(RateLimited):
        server.call(notifier.send_test(admin_user, CLI_CLIENT))


def test_send_test_notification_mutation(
    gql: GraphQLClient, admin: dict[str, Any], server: LiveServer, telegram: FakeProviders,
) -> None:
    result = gql.data(SEND_TEST, token=admin["accessToken"])["sendTestNotification"]
    assert result["delivered"] is True
    assert TELEGRAM_CHAT_ID in result["message"]
    assert len(telegram.telegram_messages) == 1
    # A member without their own Telegram uses the instance's.
    member = make_member(gql, admin["accessToken"])
    assert gql.data(SEND_TEST, token=member["accessToken"])["sendTestNotification"][
        "delivered"] is True
    assert gql.error(SEND_TEST)["extensions"]["code"] == "UNAUTHENTICATED"
    db(server, Integration.all().delete())
    error = gql.error(SEND_TEST, token=admin["accessToken"])
    assert error["extensions"]["code"] == "INTEGRATION_NOT_CONFIGURED"
    assert error["extensions"]["providers"] == ["TELEGRAM"]


# --------------------------------------------------------------------------- webhook


def secret_for(server: LiveServer) -> str:
    notifier = server.services.notifier
    config = server.call(notifier.webhook_config())
    assert config is not None
    secret: str = notifier.webhook_secret(config)
    return secret


def update(text: str, chat_id: str | int = TELEGRAM_CHAT_ID, **chat: Any) -> dict[str, Any]:
    return {"update_id": 10001, "message": {
        "message_id": 7, "date": 1_760_000_000, "text": text,
        "from": {"id": int(chat_id), "is_bot": False, "first_name": "Test"},
        "chat": {"id": int(chat_id), "type": "private", **chat}}}


@pytest.fixture
def hook(server: LiveServer, telegram: FakeProviders) -> Iterator[Callable[..., httpx.Response]]:
    secret = secret_for(server)
    client = httpx.Client(base_url=server.url, timeout=30)

    def post(body: Any, secret_token: str | None = secret, **kwargs: Any) -> httpx.Response:
        headers = {SECRET_HEADER: secret_token} if secret_token is not None else {}
        return client.post(WEBHOOK, json=body, headers=headers, **kwargs)

    yield post
    client.close()


def reply_to(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["method"] == "sendMessage"
    assert body["parse_mode"] == "HTML"
    assert body["chat_id"] == int(TELEGRAM_CHAT_ID)
    text: str = body["text"]
    assert len(text) <= 4096
    assert parse_problem(text, "HTML") is None, text
    return text


def test_the_webhook_secret_is_what_telegram_accepts(server: LiveServer,
                                                     telegram: FakeProviders) -> None:
    secret = secret_for(server)
    assert len(secret) <= 256
    assert secret.replace("-", "").replace("_", "").isalnum()
    assert TELEGRAM_TOKEN not in secret
    assert secret not in server.settings.jwt_secret


def test_the_webhook_refuses_a_missing_or_wrong_secret(
    server: LiveServer, hook: Callable[..., httpx.Response], admin_user: User,
) -> None:
    missing = hook(update("/status"), secret_token=None)
    wrong = hook(update("/status"), secret_token="not-the-secret")
    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "method" not in wrong.text
    secret = secret_for(server)
    # A changed bot token changes the secret: the old one stops working.
    configure(server, admin_user, botToken="123456789:" + "B" * 35)
    assert hook(update("/status"), secret_token=secret).status_code == 403
    # Nothing configured answers exactly like a wrong secret: the route reveals nothing.
    db(server, Integration.all().delete())
    unconfigured = hook(update("/status"), secret_token=secret)
    assert (unconfigured.status_code, unconfigured.text) == (403, wrong.text)
    assert httpx.get(f"{server.url}{WEBHOOK}").status_code == 404  # POST only


def test_the_webhook_answers_start_help_and_status(
    hook: Callable[..., httpx.Response],
) -> None:
    start = reply_to(hook(update("/start")))
    assert "Hello" in start
    assert "/status" in start
    assert "/help" in start
    help_ = reply_to(hook(update("/help")))
    assert "/start — introduction" in help_
    assert "/status — health" in help_
    status = reply_to(hook(update(f"/status@{TELEGRAM_BOT_USERNAME}")))
    assert "is ready" in status
    assert "database (" in status
    assert "cache (" in status
    assert "Integrations" in status
    assert "telegram: untested" in status


def test_unknown_commands_and_plain_text_get_the_help(
    hook: Callable[..., httpx.Response],
) -> None:
    unknown = reply_to(hook(update("/frobnicate <now>")))
    assert "I don't know /frobnicate" in unknown
    assert "/status — " in unknown
    text = reply_to(hook(update("hello bot")))
    assert "I don't know that" in text
    assert "/help — " in text


def test_the_webhook_ignores_other_chats_and_odd_updates(
    hook: Callable[..., httpx.Response],
) -> None:
    for body in (update("/status", chat_id=42), {"update_id": 1, "edited_message": {}},
                 {"update_id": 2, "message": {"text": "/status"}}, [1, 2]):
        response = hook(body)
        assert (response.status_code, response.content) == (200, b""), body
    assert hook(content=b"{nope", body=None).status_code == 400
    assert hook(content=b"x" * 300_000, body=None).status_code == 413


def test_a_channel_configured_by_name_is_matched_by_username(
    server: LiveServer, admin_user: User, hook: Callable[..., httpx.Response],
) -> None:
    configure(server, admin_user, chatId="@Home_Alerts")
    ours = hook(update("/help", chat_id=-100123, username="home_alerts"),
                secret_token=secret_for(server))
    assert ours.json()["chat_id"] == -100123
    theirs = hook(update("/help", chat_id=-100999, username="elsewhere"),
                  secret_token=secret_for(server))
    assert theirs.content == b""


def test_other_domains_add_commands(
    server: LiveServer, hook: Callable[..., httpx.Response],
) -> None:
    registry = server.services.notifier.commands

    async def balance(ctx: Any) -> str:
        return f"Balance for <b>{ctx.args}</b>: 42 €"

    async def broken(ctx: Any) -> str:
        raise RuntimeError("the domain failed")

    registry.register("/balance", "account balance", balance)
    registry.register("broken", "fails", broken)
    try:
        with pytest.raises(ValueError, match="already registered"):
            registry.register("balance", "again", balance)
        with pytest.raises(ValueError, match="a-z"):
            registry.register("Bad-Name", "no", balance)
        assert reply_to(hook(update("/BALANCE checking"))) == \
            "Balance for <b>checking</b>: 42 €"
        assert "/balance — account balance" in reply_to(hook(update("/help")))
        assert reply_to(hook(update("/broken"))).startswith("Sorry, /broken failed")
    finally:
        registry._commands.pop("balance", None)
        registry._commands.pop("broken", None)


# --------------------------------------------------------------------------- registration


def test_registering_the_webhook_gives_telegram_the_url_and_secret(
    server: LiveServer, telegram: FakeProviders, admin_user: User,
    hook: Callable[..., httpx.Response],
) -> None:
    with pytest.raises(BadUserInput, match="PUBLIC_URL"):
        server.call(server.services.notifier.register_webhook(admin_user, CLI_CLIENT))
    notifier = other_notifier(server, settings=dataclasses.replace(
        server.settings, public_url="https://nas.example.com"))
    try:
        info = server.call(notifier.register_webhook(admin_user, CLI_CLIENT))
        assert (info.url, info.bot_username) == (f"https://nas.example.com{WEBHOOK}",
                                                 TELEGRAM_BOT_USERNAME)
        registered = telegram.telegram_webhook
        assert registered is not None
        assert registered["url"] == info.url
        assert registered["allowed_updates"] == ["message"]
        # What Telegram will send back is what the route accepts.
        assert reply_to(hook(update("/help"), secret_token=registered["secret_token"]))
        assert server.call(notifier.unregister_webhook(admin_user, CLI_CLIENT)) is True
        assert telegram.telegram_webhook is None
    finally:
        server.call(notifier.close())
    plain = other_notifier(server, settings=dataclasses.replace(
        server.settings, public_url="http://nas.local:3001"))
    try:
        with pytest.raises(BadUserInput, match="HTTPS URL must be provided"):
            server.call(plain.register_webhook(admin_user, CLI_CLIENT))
    finally:
        server.call(plain.close())
    audit = server.call(server.services.audit.page(10, None, "telegram.webhook.registered"))
    assert [e.details for e in audit.items] == [
        {"url": f"https://nas.example.com{WEBHOOK}", "bot": TELEGRAM_BOT_USERNAME}]


def test_register_telegram_webhook_mutation(
    gql: GraphQLClient, admin: dict[str, Any], telegram: FakeProviders,
) -> None:
    error = gql.error(REGISTER, token=admin["accessToken"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "PUBLIC_URL" in error["message"]
    member = make_member(gql, admin["accessToken"])
    assert gql.error(REGISTER, token=member["accessToken"])["extensions"]["code"] == "FORBIDDEN"


# --------------------------------------------------------------------------- the token


def test_the_bot_token_never_reaches_a_response_a_job_or_a_log_line(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], telegram: FakeProviders,
    hook: Callable[..., httpx.Response], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = user_row(server)
    responses = [hook(update(text)).text for text in ("/start", "/status", "/nope")]
    responses.append(gql.http.get("/status").text)
    for status in (401, 403, 429, 500):
        telegram.fail_next("telegram", status, retry_after=1)
        result = server.call(server.services.notifier.send_test(user, CLI_CLIENT))
        responses.append(result.message)
    telegram.fail_next("telegram", 503)
    telegram.fail_next("telegram", 401)
    notify(server, Alert(Priority.HIGH, "Fails twice"))
    [job] = settled(server)
    assert job.state is JobState.DEAD
    responses += [job.error or "", json.dumps(job.payload)]
    # No Telegram reachable at all.
    unreachable = TelegramClient("http://127.0.0.1:1", 2)
    try:
        with pytest.raises(TelegramUnavailable, match="cannot be reached") as failure:
            server.call(unreachable.send_message(TELEGRAM_TOKEN, TELEGRAM_CHAT_ID, "hi"))
    finally:
        server.call(unreachable.close())
    responses.append(repr(failure.value))
    assert failure.value.__cause__ is None
    assert failure.value.__suppress_context__

    for text in responses:
        assert TELEGRAM_TOKEN not in text
        assert TELEGRAM_TOKEN.split(":")[1] not in text
    # Our own lines carry no token even unformatted; the HTTP client logs request URLs (the
    # token is in the path), which the service's formatter redacts as a last defence.
    # uvicorn.access lines are the fake Telegram server's (pytest's capture handler switches
    # uvicorn's access log back on); the service never logs through uvicorn.access.
    plain = logging.Formatter("%(message)s")
    ours = [r for r in caplog.records
            if not r.name.startswith(("httpx", "httpcore", "uvicorn.access"))]
    assert ours
    for record in ours:
        assert TELEGRAM_TOKEN not in plain.format(record), record.name
    formatter = JsonFormatter()
    for record in caplog.records:
        assert TELEGRAM_TOKEN not in formatter.format(record), record.name
