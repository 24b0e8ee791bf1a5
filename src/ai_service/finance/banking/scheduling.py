"""What runs on a schedule, and when a connection can next sync: `bank.sync_all` queues every
linked connection's sync each BANK_SYNC_INTERVAL_HOURS; `bank.consent_reminders` daily sends a
re-link link before a consent lapses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ai_service.config import Settings
from ai_service.core.jobs import JobContext, JobRegistry
from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking.access import LABELS, BankAccess
from ai_service.finance.banking.syncing import BankSyncing
from ai_service.finance.banking.urls import BankUrls
from ai_service.finance.models import Account
from ai_service.integrations.providers import Provider
from ai_service.notifications.service import Alert, Notifier, Priority

SYNC_ALL = "bank.sync_all"
REMINDERS = "bank.consent_reminders"


def _now() -> datetime:
    return datetime.now(UTC)


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment.strftime('%b %Y')}"


class BankScheduling:
    def __init__(self, settings: Settings, access: BankAccess, syncing: BankSyncing,
                 notifier: Notifier, urls: BankUrls) -> None:
        self.settings = settings
        self.access = access
        self.syncing = syncing
        self.notifier = notifier
        self.urls = urls

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(SYNC_ALL, self._sync_all_job, max_attempts=3)
        registry.register(REMINDERS, self._reminders_job, max_attempts=3)
        if self.settings.bank_sync_interval_hours > 0:
            registry.every(SYNC_ALL, timedelta(hours=self.settings.bank_sync_interval_hours))
        registry.every(REMINDERS, timedelta(days=1))

    async def next_sync_at(self, connection: BankConnection,
                           accounts: Sequence[Account]) -> datetime | None:
        """When a sync can next fetch transactions for every account: the quota planner's
        answer, or later when the bank pushed it out; None unless linked."""
        if connection.status is not ConnectionStatus.LINKED:
            return None
        now = _now()
        ids = [a.provider_account_id for a in accounts if a.provider_account_id]
        planned = await self.access.planner(connection.provider).next_sync_at(ids) or now
        pushed = connection.next_sync_at
        moment = max(planned, pushed) if pushed is not None else planned
        return max(moment, now)

    async def _sync_all_job(self, ctx: JobContext) -> dict[str, Any]:
        return {"queued": await self.sync_all()}

    async def sync_all(self) -> int:
        queued = 0
        for connection in await BankConnection.filter(status=ConnectionStatus.LINKED):
            await self.syncing.enqueue(connection)
            queued += 1
        return queued

    async def _reminders_job(self, ctx: JobContext) -> dict[str, Any]:
        return {"reminded": await self.send_reminders()}

    async def send_reminders(self, now: datetime | None = None) -> int:
        """A reminder with a re-link link when a consent lapses within one of
        BANK_CONSENT_REMINDER_DAYS (7 and 1 by default): once per threshold."""
        now = now or _now()
        thresholds = sorted(self.settings.bank_consent_reminder_days)
        if not thresholds:
            return 0
        sent = 0
        for connection in await BankConnection.filter(
                status=ConnectionStatus.LINKED, consent_expires_at__isnull=False,
                consent_expires_at__lte=now + timedelta(days=max(thresholds))):
            assert connection.consent_expires_at is not None
            left = connection.consent_expires_at - now
            if left <= timedelta(0):
                continue  # already lapsed: the next sync finds out and says so
            days = max(1, -(-int(left.total_seconds()) // 86400))  # whole days, rounded up
            threshold = next(t for t in thresholds if days <= t)
            if connection.reminded_days is not None and connection.reminded_days <= threshold:
                continue
            updated = await BankConnection.filter(
                id=connection.id, reminded_days=connection.reminded_days).update(
                reminded_days=threshold)
            if not updated:
                continue  # another worker sent it
            ends = _when(connection.consent_expires_at)
            await self.notifier.notify(Alert(
                Priority.MEDIUM,
                f"{connection.institution_name}: access ends in {days} day"
                f"{'' if days == 1 else 's'}",
                f"The consent to read {connection.institution_name} through "
                f"{LABELS[Provider(connection.provider)]} ends on {ends}. Link the bank again "
                "before then to keep its accounts syncing.",
                dedupe_key=f"bank-consent-reminder:{connection.id}:{threshold}",
                dedupe_seconds=2 * 86400, user_id=connection.owner_id,
                link=self.urls.relink(connection)))
            sent += 1
        return sent

