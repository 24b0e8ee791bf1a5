"""Syncing a linked bank connection: the `bank.sync` job, one per connection at a time through
its dedupe key. It reads the consent (a lapsed one ends the connection and says so), then for
each account fetches details once per consent, and transactions and balances as the
`QuotaPlanner` allows, over `plan_window`'s dates. Pending transactions are replaced within each
window and paired with their booked successors by `match_pending`, so nothing is stored twice;
everything new goes through `ingest`. A 429 or a used-up quota reschedules the sync, it does
not fail it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ai_service.core.errors import (
    AppError,
    BadUserInput,
    IntegrationNotConfigured,
    IntegrationUnavailable,
)
from ai_service.core.jobs import Job, JobContext, JobQueue, JobRegistry, PermanentJobError
from ai_service.core.jobs.models import TERMINAL_STATES
from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking.access import BankAccess
from ai_service.finance.banking.accounts import (
    UNKNOWN_CURRENCY,
    apply_details,
    ensure_accounts,
    placeholder,
)
from ai_service.finance.banking.errors import (
    BankAuthFailed,
    BankError,
    BankRateLimited,
    BankRequestRejected,
    ConsentExpired,
    ConsentRejected,
)
from ai_service.finance.banking.provider import (
    BankProvider,
    BankTransaction,
    ConsentStatus,
    current_balance,
)
from ai_service.finance.banking.quota import QuotaPlanner, Scope
from ai_service.finance.banking.urls import BankUrls
from ai_service.finance.banking.window import SyncWindow, plan_window
from ai_service.finance.daily import refresh_days
from ai_service.finance.imports import ParsedFile, ParsedTransaction
from ai_service.finance.ingest import ingest
from ai_service.finance.matching import match_pending
from ai_service.finance.models import Account, Transaction, TransactionStatus
from ai_service.finance.money import to_units
from ai_service.finance.pending import Stored, settle
from ai_service.notifications.service import Alert, Notifier, Priority
from ai_service.tagging.models import TaggedKind, TagLink

SYNC = "bank.sync"
SYNC_ATTEMPTS = 4
_GONE = {ConsentStatus.EXPIRED: ConnectionStatus.EXPIRED,
         ConsentStatus.REVOKED: ConnectionStatus.REVOKED,
         ConsentStatus.REJECTED: ConnectionStatus.REJECTED}
_ENDED = {ConsentStatus.EXPIRED: "has expired", ConsentStatus.REVOKED: "was revoked",
          ConsentStatus.REJECTED: "was refused"}


class SyncFailed(AppError):
    """The bank answered, but what it sent cannot be stored as it is."""

    code = "INTEGRATION_UNAVAILABLE"


@dataclass
class AccountReport:
    name: str
    inserted: int = 0
    pending: int = 0  # of the inserted, still pending
    settled: int = 0  # stored pending ones now booked
    fetched: list[str] = field(default_factory=list)  # scopes called
    deferred: dict[str, datetime] = field(default_factory=dict)  # scope → allowed again at


def _now() -> datetime:
    return datetime.now(UTC)


class BankSyncing:
    def __init__(self, access: BankAccess, jobs: JobQueue, notifier: Notifier,
                 urls: BankUrls) -> None:
        self.access = access
        self.jobs = jobs
        self.notifier = notifier
        self.urls = urls

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(SYNC, self._sync_job, max_attempts=SYNC_ATTEMPTS, timeout=1800)

    async def sync(self, connection: BankConnection) -> Job:
        """A sync the user asked for."""
        if connection.status is not ConnectionStatus.LINKED:
            raise BadUserInput(f"This bank connection is {connection.status.value.lower()}; "
                               "link the bank again to sync it", field="connectionId")
        return await self.enqueue(connection)

    async def enqueue(self, connection: BankConnection, *, run_at: datetime | None = None,
                      next_generation: bool = False) -> Job:
        """The connection's queued or running sync, else a new one: one at a time."""
        for _ in range(5):
            if next_generation:
                await self._bump(connection)
                next_generation = False
            job = await self.jobs.enqueue(
                SYNC, {"connectionId": connection.id}, owner_id=connection.owner_id,
                dedupe_key=f"{SYNC}:{connection.id}:{connection.sync_generation}",
                run_at=run_at)
            if job.state not in TERMINAL_STATES:
                return job
            await self._bump(connection)
        raise SyncFailed("Could not queue the bank sync; try again")

    @staticmethod
    async def _bump(connection: BankConnection) -> None:
        await BankConnection.filter(id=connection.id,
                                    sync_generation=connection.sync_generation).update(
            sync_generation=F("sync_generation") + 1)
        await connection.refresh_from_db(fields=["sync_generation"])

    async def _sync_job(self, ctx: JobContext) -> dict[str, Any]:
        connection = await BankConnection.get_or_none(id=int(ctx.payload["connectionId"]))
        if connection is None:
            return {"skipped": "the connection no longer exists"}
        if connection.status is not ConnectionStatus.LINKED:
            return {"skipped": f"the connection is {connection.status.value}"}
        try:
            return await self._sync(connection, ctx)
        except ConsentExpired as exc:
            return await self._consent_gone(connection, ConnectionStatus.EXPIRED, exc.message)
        except ConsentRejected as exc:
            return await self._consent_gone(connection, ConnectionStatus.REJECTED, exc.message)
        except BankRateLimited as exc:
            await self.enqueue(connection, run_at=exc.retry_at, next_generation=True)
            await BankConnection.filter(id=connection.id).update(
                next_sync_at=exc.retry_at, last_error=exc.message)
            return {"rescheduled": exc.retry_at.isoformat(), "reason": exc.message}
        except (BankAuthFailed, BankRequestRejected, SyncFailed, IntegrationNotConfigured,
                IntegrationUnavailable) as exc:
            await self._failed(connection, exc.message)
            raise PermanentJobError(exc.message) from None
        except BankError as exc:  # unreachable, the bank's own trouble: try again later
            await BankConnection.filter(id=connection.id).update(last_error=exc.message)
            if ctx.job.attempts >= ctx.job.max_attempts:
                await self._failed(connection, exc.message)
            raise

    async def _failed(self, connection: BankConnection, message: str) -> None:
        await BankConnection.filter(id=connection.id).update(last_error=message)
        await self.notifier.notify(Alert(
            Priority.HIGH, f"Bank sync failed: {connection.institution_name}", message,
            dedupe_key=f"bank-sync-failed:{connection.id}:{message}",
            user_id=connection.owner_id))

    async def _consent_gone(self, connection: BankConnection, status: ConnectionStatus,
                            message: str) -> dict[str, Any]:
        await BankConnection.filter(id=connection.id).update(
            status=status, last_error=message, next_sync_at=None)
        await self.notifier.notify(Alert(
            Priority.HIGH, f"{connection.institution_name}: link the bank again",
            f"{message}. Until then its accounts no longer sync.",
            dedupe_key=f"bank-consent-gone:{connection.id}", user_id=connection.owner_id,
            dedupe_seconds=7 * 86400, link=self.urls.relink(connection)))
        return {"status": status.value, "reason": message}

    async def _sync(self, connection: BankConnection, ctx: JobContext) -> dict[str, Any]:
        planner = self.access.planner(connection.provider)
        today = _now().date()
        async with self.access.open(connection.provider, connection.owner_id) as bank:
            consent = await bank.consent(connection.provider_ref or "")
            if consent.status in _GONE:
                return await self._consent_gone(
                    connection, _GONE[consent.status],
                    f"{bank.label}: the access to this bank "
                    f"{_ENDED[consent.status]}; link the bank again to keep syncing")
            if consent.consent_expires_at and \
                    consent.consent_expires_at != connection.consent_expires_at:
                connection.consent_expires_at = consent.consent_expires_at
                await BankConnection.filter(id=connection.id).update(
                    consent_expires_at=consent.consent_expires_at)
            accounts = await ensure_accounts(connection, bank, consent)
            reports: list[AccountReport] = []
            for index, account in enumerate(accounts):
                await ctx.progress(index / max(1, len(accounts)), f"syncing {account.name}")
                report = AccountReport(account.name)
                reports.append(report)
                try:
                    await self._sync_account(connection, bank, planner, account, today, report)
                except BankRateLimited as exc:
                    report.deferred[exc.scope or Scope.TRANSACTIONS.value] = exc.retry_at
        now = _now()
        waits = [r.deferred[Scope.TRANSACTIONS.value] for r in reports
                 if Scope.TRANSACTIONS.value in r.deferred]
        retry_at = max(waits) if waits else None
        planned = await planner.next_sync_at([a.provider_account_id for a in accounts
                                              if a.provider_account_id])
        pushed = max(filter(None, (retry_at, planned)), default=None)
        note = None
        if retry_at is not None:
            note = (f"The bank allows no more transaction requests for now; the next sync is "
                    f"at {retry_at.astimezone(UTC):%d %b %H:%M} UTC")
        await BankConnection.filter(id=connection.id).update(
            last_synced_at=now, last_error=note,
            next_sync_at=pushed if pushed is not None and pushed > now else None)
        if retry_at is not None:
            await self.enqueue(connection, run_at=retry_at, next_generation=True)
        inserted = sum(r.inserted for r in reports)
        if inserted:
            lines = [f"{r.name}: {r.inserted} new" + (f" ({r.pending} pending)" if r.pending
                                                      else "")
                     for r in reports if r.inserted]
            await self.notifier.notify(Alert(
                Priority.LOW,
                f"{connection.institution_name}: {inserted} new transaction"
                f"{'' if inserted == 1 else 's'}", "\n".join(lines),
                dedupe_key=f"bank-sync-done:{connection.id}:{ctx.job.id}",
                user_id=connection.owner_id))
        return {"inserted": inserted, "settled": sum(r.settled for r in reports),
                "accounts": [{"name": r.name, "inserted": r.inserted, "pending": r.pending,
                              "settled": r.settled, "fetched": r.fetched,
                              "deferred": {k: v.isoformat() for k, v in r.deferred.items()}}
                             for r in reports],
                "rescheduled": retry_at.isoformat() if retry_at else None}

    async def _sync_account(self, connection: BankConnection, bank: BankProvider,
                            planner: QuotaPlanner, account: Account, today: date,
                            report: AccountReport) -> None:
        pid = account.provider_account_id or ""
        plan = await planner.plan(pid, details_known=pid in (connection.details_known or []))
        report.deferred.update({scope.value: at for scope, at in plan.deferred.items()})
        changed: set[str] = set()
        if Scope.DETAILS in plan.fetch:  # first: the currency the transactions are stored in
            details = await bank.account_details(pid)
            report.fetched.append(Scope.DETAILS.value)
            changed |= apply_details(account, details,
                                     placeholder(connection, account.iban, pid))
            connection.details_known = [*(connection.details_known or []), pid]
            await BankConnection.filter(id=connection.id).update(
                details_known=connection.details_known)
        if Scope.TRANSACTIONS in plan.fetch:
            last = await Transaction.filter(account_id=account.id,
                                            status=TransactionStatus.BOOKED
                                            ).order_by("-booking_date").first()
            window = plan_window(today=today, last_booked=last.booking_date if last else None,
                                 max_history_days=connection.max_history_days)
            fetched = await bank.transactions(pid, window.date_from, window.date_to)
            report.fetched.append(Scope.TRANSACTIONS.value)
            if account.currency == UNKNOWN_CURRENCY and fetched and fetched[0].currency:
                account.currency = fetched[0].currency.upper()[:3]
                await Account.filter(id=account.id).update(currency=account.currency)
            await self._store(connection, account, fetched, window, report)
            account.last_synced_at = _now()
            changed.add("last_synced_at")
        if Scope.BALANCES in plan.fetch:
            balance = current_balance(await bank.balances(pid))
            report.fetched.append(Scope.BALANCES.value)
            if balance is not None and (account.currency in (UNKNOWN_CURRENCY,
                                                             balance.currency.upper())):
                account.currency = balance.currency.upper()[:3]
                account.balance_units = to_units(balance.amount)
                account.balance_at = datetime.combine(balance.reference_date, time(),
                                                      tzinfo=UTC) \
                    if balance.reference_date else _now()
                changed |= {"currency", "balance_units", "balance_at"}
        if changed:
            await account.save(update_fields=[*sorted(changed), "updated_at"])

    async def _store(self, connection: BankConnection, account: Account,
                     fetched: Sequence[BankTransaction], window: SyncWindow,
                     report: AccountReport) -> None:
        """Pending rows the bank no longer reports are replaced within the window; those that
        were booked become their booked successor (keeping category, tags and client); then
        everything new goes through `ingest` (dedupe by id or fingerprint, rules)."""
        booked = [t for t in fetched if t.status.value == TransactionStatus.BOOKED.value]
        pending_ids = {t.provider_id for t in fetched
                       if t.status.value == TransactionStatus.PENDING.value}
        known: set[str] = set()
        if booked:  # the ids stored over the answer's dates (a settled row has its booked date)
            known = {str(p) for p in await Transaction.filter(
                account_id=account.id, provider_id__isnull=False,
                booking_date__gte=min(t.booking_date for t in booked),
            ).values_list("provider_id", flat=True)}
        fresh = [t for t in booked if t.provider_id not in known]
        stored = [row for row in await Transaction.filter(account_id=account.id,
                                                          status=TransactionStatus.PENDING)
                  if row.provider_id not in pending_ids]
        candidates = [Stored.of(row, account.provider_account_id or "") for row in stored]
        matches = match_pending(candidates, fresh)
        matched = {m.pending.row.id for m in matches}
        stale = [row.id for row in stored if row.id not in matched
                 and (window.date_from is None or row.booking_date >= window.date_from)]
        if matches or stale:
            async with in_transaction() as db:
                for match in matches:
                    await settle(account, match.pending.row, _parsed(0, match.booked), db)
                if stale:
                    await Transaction.filter(id__in=stale).using_db(db).delete()
                    await TagLink.filter(entity_type=TaggedKind.TRANSACTION,
                                         entity_id__in=stale).using_db(db).delete()
                touched = [row.booking_date for row in stored] + [
                    m.booked.booking_date for m in matches]
                await refresh_days(account.id, min(touched), max(touched), db)
            report.settled += len(matches)
        settled_ids = {m.booked.provider_id for m in matches}
        rows = [_parsed(i + 1, t) for i, t in enumerate(fetched)
                if t.provider_id not in settled_ids]
        result = await ingest(account, ParsedFile(rows=rows), source=connection.provider)
        if result.rejected:
            first = result.errors[0].message if result.errors else "unknown reason"
            raise SyncFailed(f"{connection.institution_name}: a transaction of {account.name} "
                             f"cannot be stored ({first}); nothing from it was saved")
        report.inserted += result.inserted
        if result.inserted:
            report.pending += await Transaction.filter(
                import_batch_id=result.batch_id, status=TransactionStatus.PENDING).count()


def _parsed(row: int, t: BankTransaction) -> ParsedTransaction:
    return ParsedTransaction(
        row=row, booking_date=t.booking_date, amount=t.amount, description=t.description,
        value_date=t.value_date, currency=t.currency or None,
        counterparty_name=t.counterparty_name, counterparty_iban=t.counterparty_iban,
        reference=t.reference, provider_id=t.provider_id,
        status=TransactionStatus(t.status.value), raw=dict(t.raw))
