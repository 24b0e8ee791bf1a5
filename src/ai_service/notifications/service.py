"""Alerts to Telegram: deduplicated, rate-limited per chat, delivered by a durable job.

Who receives an alert is the Telegram integration that applies to its user (their own, else the
instance's global one); alerts without a user go to the global one. Nothing configured, or
alertsEnabled off, means the alert is dropped quietly: notifications are optional.

A job's payload holds the user and the text, never the bot token: the job opens the integration
when it runs, so a token changed meanwhile is the one used, and the token never sits in the jobs
table.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ai_service.audit.service import AuditLog
from ai_service.config import Settings
from ai_service.core.cache import Cache
from ai_service.core.client import ClientInfo
from ai_service.core.errors import BadUserInput, Forbidden, IntegrationUnavailable, RateLimited
from ai_service.core.jobs import Job, JobContext, JobQueue, JobRegistry, PermanentJobError
from ai_service.core.ratelimit import RateLimiter
from ai_service.integrations.models import GLOBAL_SCOPE
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import CheckResult, IntegrationConfig, IntegrationService
from ai_service.notifications.commands import CommandRegistry, register_builtin
from ai_service.notifications.telegram import (
    MAX_MESSAGE_LENGTH,
    TelegramClient,
    TelegramError,
    TelegramRateLimited,
    TelegramRejected,
    TelegramUnauthorized,
    fit,
)
from ai_service.users.models import User

log = logging.getLogger(__name__)

DELIVER_KIND = "notifications.telegram"
WEBHOOK_PATH = "/api/telegram/webhook"
MAX_DEFERRALS = 5  # 429s in a row before a message is given up
_CONFIG_TIMEOUT = 5.0  # reading the integration when the database may be down


class Priority(StrEnum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


_ICONS = {Priority.CRITICAL: "🚨", Priority.HIGH: "⚠️", Priority.MEDIUM: "🔔",
          Priority.LOW: "💬"}
_JOB_PRIORITY = {Priority.CRITICAL: 30, Priority.HIGH: 20, Priority.MEDIUM: 10, Priority.LOW: 0}
_URGENT = frozenset({Priority.CRITICAL, Priority.HIGH})  # never dropped by the rate limit


@dataclass(frozen=True)
class Alert:
    priority: Priority
    title: str
    body: str = ""
    dedupe_key: str | None = None  # the same key within the dedupe window is sent once
    user_id: int | None = None  # None: a system alert, for the global Telegram
    link: str | None = None  # absolute, or a path under PUBLIC_URL
    dedupe_seconds: float | None = None  # None: the notifier's default window


class Outcome(StrEnum):
    QUEUED = "QUEUED"
    NOT_CONFIGURED = "NOT_CONFIGURED"
    DISABLED = "DISABLED"  # alertsEnabled is false
    DUPLICATE = "DUPLICATE"
    RATE_LIMITED = "RATE_LIMITED"
    FAILED = "FAILED"  # could not be queued (database, cache or key trouble); logged


@dataclass(frozen=True)
class SentTest:
    delivered: bool
    message: str


@dataclass(frozen=True)
class WebhookInfo:
    url: str
    bot_username: str | None


def _alerts_on(config: IntegrationConfig) -> bool:
    return config.flag("alertsEnabled")


def _scope_name(config: IntegrationConfig) -> str:
    return "GLOBAL" if config.scope == GLOBAL_SCOPE else "USER"


class Notifier:
    def __init__(
        self,
        settings: Settings,
        cache: Cache,
        jobs: JobQueue,
        integrations: IntegrationService,
        audit: AuditLog,
        *,
        telegram: TelegramClient | None = None,
        chat_limit: tuple[int, float] = (20, 60.0),  # Telegram allows ~20 a minute in a group
        dedupe_seconds: float = 3600.0,
    ) -> None:
        self._settings = settings
        self._cache = cache
        self._jobs = jobs
        self._integrations = integrations
        self._audit = audit
        self.telegram = telegram or TelegramClient(settings.telegram_api_url,
                                                   settings.integration_timeout_seconds)
        self._chat_limiter = RateLimiter(cache, chat_limit[0], chat_limit[1], "telegram-chat")
        self._test_limiter = RateLimiter(cache, 5, 60, "telegram-test")
        self.dedupe_seconds = dedupe_seconds
        self.commands = CommandRegistry()
        register_builtin(self.commands)
        # The last global Telegram read from the database: alerts about the database being down
        # cannot read it there.
        self._last_global: IntegrationConfig | None = None

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(DELIVER_KIND, self._deliver, max_attempts=5, timeout=60.0)

    async def close(self) -> None:
        await self.telegram.close()

    # -- raising alerts ----------------------------------------------------------------------

    async def notify(self, alert: Alert) -> Outcome:
        """Queue an alert for delivery. Never raises: a notification must not fail the work
        that raised it."""
        try:
            return await self._notify(alert)
        except IntegrationUnavailable as exc:
            log.warning("alert not sent: %s", exc.message, extra={"title": alert.title[:80]})
        except Exception:
            log.warning("alert could not be queued", exc_info=True,
                        extra={"title": alert.title[:80]})
        return Outcome.FAILED

    async def _notify(self, alert: Alert) -> Outcome:
        config = await self._find(alert.user_id)
        if config is None:
            log.debug("alert skipped: Telegram is not configured", extra={"title": alert.title})
            return Outcome.NOT_CONFIGURED
        if not _alerts_on(config):
            log.debug("alert skipped: alerts are off", extra={"title": alert.title})
            return Outcome.DISABLED
        dedupe = None
        if alert.dedupe_key is not None:
            digest = hashlib.sha256(alert.dedupe_key.encode()).hexdigest()[:32]
            dedupe = f"notify:dedupe:{alert.user_id or 'system'}:{digest}"
            window = alert.dedupe_seconds or self.dedupe_seconds
            count, _ = await self._cache.incr(dedupe, window)
            if count > 1:
                log.debug("alert skipped: duplicate", extra={"title": alert.title})
                return Outcome.DUPLICATE
        try:
            refusal = await self._chat_limiter.attempt(_chat_subject(config))
            if refusal is not None and alert.priority not in _URGENT:
                log.info("alert dropped: the chat's rate limit is reached",
                         extra={"title": alert.title[:80], "priority": alert.priority.value})
                if dedupe is not None:  # never sent: raised again later, it may go
                    await self._cache.delete(dedupe)
                return Outcome.RATE_LIMITED
            await self._jobs.enqueue(
                DELIVER_KIND,
                {"userId": alert.user_id, "text": self.render(alert),
                 "priority": alert.priority.value},
                owner_id=alert.user_id, priority=_JOB_PRIORITY[alert.priority],
            )
        except Exception:
            if dedupe is not None:  # not sent: the same alert may try again
                await self._cache.delete(dedupe)
            raise
        return Outcome.QUEUED

    async def job_died(self, job: Job) -> None:
        """A JobQueue on_dead listener: one HIGH alert per job kind and dedupe window. Never for
        the delivery job itself, which would alert about failing to alert, forever."""
        if job.kind == DELIVER_KIND:
            return
        error = (job.error or "no error recorded").strip()
        await self.notify(Alert(
            Priority.HIGH, f"Job failed: {job.kind}",
            f"Job {job.id} ({job.kind}) failed for good after {job.attempts} attempt(s):\n"
            f"{error[:500]}",
            dedupe_key=f"job-dead:{job.kind}",
        ))

    def render(self, alert: Alert) -> str:
        """The alert as Telegram HTML within the message length limit."""
        head = f"{_ICONS[alert.priority]} <b>{fit(alert.title, 256)}</b>"
        tail = ""
        url = self._absolute(alert.link)
        if url:
            tail = f'\n\n<a href="{html.escape(url, quote=True)}">Open</a>'
        if not alert.body:
            return head + tail
        budget = MAX_MESSAGE_LENGTH - len(head) - len(tail) - 1
        if len(tail) > MAX_MESSAGE_LENGTH // 2:  # an absurd link is not worth the body
            tail, budget = "", MAX_MESSAGE_LENGTH - len(head) - 1
        return f"{head}\n{fit(alert.body, budget)}{tail}"

    def _absolute(self, link: str | None) -> str | None:
        if not link:
            return None
        if link.startswith(("https://", "http://")):
            return link
        if link.startswith("/") and self._settings.public_url:
            return self._settings.public_url + link
        return None  # a path without PUBLIC_URL would not open anywhere

    # -- the delivery job --------------------------------------------------------------------

    async def _deliver(self, ctx: JobContext) -> dict[str, Any]:
        payload = ctx.payload
        user_id = payload.get("userId")
        try:
            config = await self._find(user_id)
        except IntegrationUnavailable as exc:
            raise PermanentJobError(exc.message) from None
        if config is None:
            return {"delivered": False, "reason": "Telegram is not configured"}
        if not _alerts_on(config):
            return {"delivered": False, "reason": "alerts are off"}
        try:
            await self.telegram.send_message(config["botToken"], config["chatId"],
                                             payload["text"])
        except TelegramRateLimited as exc:
            # The worker's backoff does not know Telegram's retry_after: queue the message
            # again for when Telegram accepts it, without holding a worker slot meanwhile.
            deferrals = int(payload.get("deferrals", 0)) + 1
            if deferrals > MAX_DEFERRALS:
                raise PermanentJobError(f"{exc} — gave up after {MAX_DEFERRALS} waits"
                                        ) from None
            again = await self._jobs.enqueue(
                DELIVER_KIND, {**payload, "deferrals": deferrals}, owner_id=ctx.job.owner_id,
                priority=ctx.job.priority,
                run_at=datetime.now(UTC) + timedelta(seconds=exc.retry_after),
            )
            return {"delivered": False, "retryAfter": exc.retry_after, "requeuedAs": again.id}
        except TelegramError as exc:
            message = config.scrub(str(exc))
            if exc.permanent:
                if isinstance(exc, TelegramUnauthorized | TelegramRejected):
                    await self._integrations.record_check(config.id,
                                                          CheckResult(False, message))
                raise PermanentJobError(message) from None
            raise DeliveryFailed(message) from None
        return {"delivered": True, "scope": _scope_name(config)}

    # -- sent at once ------------------------------------------------------------------------

    async def send_test(self, user: User, client: ClientInfo) -> SentTest:
        """Send a test message to the user's Telegram now (not queued), and keep the outcome as
        the integration's status. Raises IntegrationNotConfigured when there is none."""
        if refusal := await self._test_limiter.attempt(f"user:{user.id}"):
            raise RateLimited(f"Too many test notifications; try again in "
                              f"{refusal.retry_after}s", retry_after=refusal.retry_after)
        config = await self._integrations.resolve(Provider.TELEGRAM, user.id)
        text = (f"🔔 <b>Test notification</b>\nSent from ai-service by "
                f"{fit(user.email, 200)}. Alerts will arrive in this chat.")
        try:
            await self.telegram.send_message(config["botToken"], config["chatId"], text)
        except TelegramError as exc:
            delivered, message = False, _advice(exc, config)
        else:
            delivered = True
            message = f"Sent to Telegram chat {config['chatId']}."
            if not _alerts_on(config):
                message += " Alerts are off (alertsEnabled=false): only tests are sent."
        await self._integrations.record_check(
            config.id, CheckResult(delivered, None if delivered else message))
        await self._audit.record(
            "notification.test", client, actor_id=user.id, actor_email=user.email,
            target_type="integration", target_id=config.id,
            details={"provider": Provider.TELEGRAM.value, "scope": _scope_name(config),
                     "delivered": delivered},
        )
        return SentTest(delivered, message)

    async def send_direct(self, alert: Alert) -> bool:
        """Send a system alert now, bypassing the database-backed queue and the cache: for the
        health monitor, whose alerts matter most when those are down. Falls back to the global
        Telegram last read when the database cannot be read."""
        try:
            config = await asyncio.wait_for(self._find(None), _CONFIG_TIMEOUT)
        except Exception as exc:
            log.info("using the remembered Telegram settings (%s)", type(exc).__name__)
            config = self._last_global
        if config is None or not _alerts_on(config):
            return False
        try:
            await self.telegram.send_message(config["botToken"], config["chatId"],
                                             self.render(alert))
        except TelegramError as exc:
            log.warning("alert not delivered: %s", config.scrub(str(exc)),
                        extra={"title": alert.title[:80]})
            return False
        return True

    async def refresh_global(self) -> None:
        """Read the global Telegram again, so send_direct has it if the database goes down."""
        await asyncio.wait_for(self._find(None), _CONFIG_TIMEOUT)

    # -- the bot's webhook -------------------------------------------------------------------

    def webhook_secret(self, config: IntegrationConfig) -> str:
        """The secret_token Telegram sends back with every update: derived, not stored, so it
        changes with the bot token (and with JWT_SECRET). 43 characters of [A-Za-z0-9_-]."""
        digest = hmac.new(self._settings.jwt_secret.encode(),
                          b"telegram-webhook:" + config["botToken"].encode(),
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    async def webhook_config(self) -> IntegrationConfig | None:
        """The global Telegram, whose bot the webhook serves; None when there is none usable."""
        try:
            return await self._find(None)
        except IntegrationUnavailable as exc:
            log.warning("Telegram webhook refused: %s", exc.message)
            return None

    async def register_webhook(self, user: User, client: ClientInfo) -> WebhookInfo:
        if not user.is_admin:
            raise Forbidden("This requires the administrator role")
        public_url = self._settings.public_url
        if not public_url:
            raise BadUserInput(
                "Set PUBLIC_URL to the https:// address Telegram can reach this service at, "
                "then restart; the webhook is PUBLIC_URL + " + WEBHOOK_PATH, field="PUBLIC_URL")
        config = await self._integrations.resolve(Provider.TELEGRAM, None)
        url = public_url + WEBHOOK_PATH
        token = config["botToken"]
        try:
            me = await self.telegram.get_me(token)
            await self.telegram.set_webhook(token, url, self.webhook_secret(config))
        except TelegramRejected as exc:
            raise BadUserInput(config.scrub(str(exc)), field="PUBLIC_URL") from None
        except TelegramError as exc:
            raise IntegrationUnavailable(_advice(exc, config),
                                         provider=Provider.TELEGRAM.value) from None
        username = me.get("username")
        username = username if isinstance(username, str) else None
        await self._audit.record(
            "telegram.webhook.registered", client, actor_id=user.id, actor_email=user.email,
            target_type="integration", target_id=config.id,
            details={"url": url, "bot": username},
        )
        return WebhookInfo(url, username)

    async def unregister_webhook(self, user: User, client: ClientInfo) -> bool:
        if not user.is_admin:
            raise Forbidden("This requires the administrator role")
        config = await self._integrations.resolve(Provider.TELEGRAM, None)
        try:
            await self.telegram.delete_webhook(config["botToken"])
        except TelegramError as exc:
            raise IntegrationUnavailable(_advice(exc, config),
                                         provider=Provider.TELEGRAM.value) from None
        await self._audit.record(
            "telegram.webhook.deleted", client, actor_id=user.id, actor_email=user.email,
            target_type="integration", target_id=config.id,
        )
        return True

    # -- helpers -----------------------------------------------------------------------------

    async def _find(self, user_id: int | None) -> IntegrationConfig | None:
        config = await self._integrations.find(Provider.TELEGRAM, user_id)
        if user_id is None:
            self._last_global = config  # None too: a removed integration stops the alerts
        return config


class DeliveryFailed(Exception):
    """A delivery that may work later (network, 5xx): the worker retries it with backoff."""


def _chat_subject(config: IntegrationConfig) -> str:
    # Per bot and chat, as Telegram counts; the bot id is the token's public part.
    return f"{config['botToken'].split(':', 1)[0]}:{config['chatId']}"


def _advice(exc: TelegramError, config: IntegrationConfig) -> str:
    message = config.scrub(str(exc))
    if isinstance(exc, TelegramUnauthorized):
        return f"{message}: check botToken (from @BotFather)"
    if isinstance(exc, TelegramRejected):
        return (f"{message}: check chatId, and that the bot is in that chat (send it /start "
                "first)")
    return message
