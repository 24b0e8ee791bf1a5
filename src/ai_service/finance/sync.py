"""Bank sync: linking a bank through an open-banking provider and keeping its accounts current.

The flow: `connect` asks the provider for a consent link and remembers a PENDING connection
under a random `reference`; the bank sends the browser back to `/api/bank/callback`, which
completes the consent, creates (or, after a re-link, adopts) the accounts, queues the first
sync and redirects to where the user started. The sync job (`bank.sync`, one per connection at
a time through its dedupe key) fetches details once per consent, then transactions and
balances as the `QuotaPlanner` allows, over `plan_window`'s dates; pending transactions are
replaced within each window and paired with their booked successors by `match_pending`, so
nothing is stored twice. A 429 or a used-up quota reschedules the sync, it does not fail it.
`bank.sync_all` runs every `BANK_SYNC_INTERVAL_HOURS`, `bank.consent_reminders` daily.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ai_service.config import Settings
from ai_service.core.cache import Cache
from ai_service.core.errors import (
    AppError,
    BadUserInput,
    IntegrationNotConfigured,
    IntegrationUnavailable,
    NotFound,
)
from ai_service.core.jobs import Job, JobContext, JobQueue, JobRegistry, PermanentJobError
from ai_service.core.jobs.models import TERMINAL_STATES
from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking import (
    BankAccount,
    BankAuthFailed,
    BankError,
    BankProvider,
    BankRateLimited,
    BankRequestRejected,
    BankTransaction,
    Consent,
    ConsentExpired,
    ConsentRejected,
    ConsentStatus,
    Institution,
    QuotaPlanner,
    Scope,
    SyncWindow,
    bank_provider,
    current_balance,
    match_pending,
    plan_window,
)
from ai_service.finance.daily import refresh_days
from ai_service.finance.imports import ParsedFile, ParsedTransaction
from ai_service.finance.ingest import fingerprint, ingest, row_key
from ai_service.finance.models import (
    Account,
    AccountSource,
    AccountType,
    Transaction,
    TransactionStatus,
)
from ai_service.finance.money import from_units, to_units
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import IntegrationService
from ai_service.notifications.service import Alert, Notifier, Priority
from ai_service.tagging.models import TaggedKind, TagLink
from ai_service.users.models import User

log = logging.getLogger(__name__)

SYNC = "bank.sync"
SYNC_ALL = "bank.sync_all"
REMINDERS = "bank.consent_reminders"
CALLBACK_PATH = "/api/bank/callback"
RELINK_PATH = "/api/bank/relink"
BANK_PROVIDERS = (Provider.GOCARDLESS, Provider.ENABLE_BANKING)
UNKNOWN_CURRENCY = "XXX"  # ISO 4217 "no currency": until the bank tells the account's
SYNC_ATTEMPTS = 4
_NAMESPACES = {Provider.GOCARDLESS: "gocardless", Provider.ENABLE_BANKING: "enablebanking"}
_LABELS = {Provider.GOCARDLESS: "GoCardless", Provider.ENABLE_BANKING: "Enable Banking"}
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


@dataclass(frozen=True)
class _Stored:
    """A stored pending row as `match_pending` reads it."""

    row: Transaction
    provider_id: str
    account_id: str
    amount: Decimal
    currency: str
    booking_date: date
    description: str
    counterparty_name: str | None


def _now() -> datetime:
    return datetime.now(UTC)


def bank_provider_name(value: str) -> Provider:
    try:
        provider = Provider(str(value).upper())
    except ValueError:
        provider = None
    if provider not in BANK_PROVIDERS:
        raise BadUserInput(f"{value} is not a bank provider (GOCARDLESS or ENABLE_BANKING)",
                           field="provider")
    assert provider is not None
    return provider


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_redirect(url: str, allowed_origin: str) -> str:
    """A relative path of this app, or an address on its own origin: never an open redirect."""
    url = (url or "").strip()
    problem = "redirectUrl must be a path of this app (/…) or an address on " + allowed_origin
    if not url or len(url) > 2000 or any(ord(c) < 33 or c == "\\" for c in url):
        raise BadUserInput(problem, field="redirectUrl")
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        if not url.startswith("/") or url.startswith("//"):
            raise BadUserInput(problem, field="redirectUrl")
        return url
    if parts.scheme not in ("http", "https") or parts.username or parts.password \
            or origin(url) != allowed_origin.lower():
        raise BadUserInput(problem, field="redirectUrl")
    return url


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def _when(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment.strftime('%b %Y')}"


class BankSyncService:
    def __init__(self, settings: Settings, cache: Cache, jobs: JobQueue,
                 integrations: IntegrationService, notifier: Notifier) -> None:
        self.settings = settings
        self.cache = cache
        self.jobs = jobs
        self.integrations = integrations
        self.notifier = notifier
        self._planners = {p: QuotaPlanner(cache, ns) for p, ns in _NAMESPACES.items()}

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(SYNC, self._sync_job, max_attempts=SYNC_ATTEMPTS, timeout=1800)
        registry.register(SYNC_ALL, self._sync_all_job, max_attempts=3)
        registry.register(REMINDERS, self._reminders_job, max_attempts=3)
        if self.settings.bank_sync_interval_hours > 0:
            registry.every(SYNC_ALL, timedelta(hours=self.settings.bank_sync_interval_hours))
        registry.every(REMINDERS, timedelta(days=1))

    def planner(self, provider: str) -> QuotaPlanner:
        return self._planners[Provider(provider)]

    async def _provider(self, provider: Provider, user_id: int,
                        http: httpx.AsyncClient) -> BankProvider:
        config = await self.integrations.resolve(provider, user_id)
        return bank_provider(provider, config, self.settings, self.cache, http,
                             quota=self._planners[provider])

    # -- linking ---------------------------------------------------------------------------

    async def institutions(self, user: User, provider: str, country: str) -> list[Institution]:
        name = bank_provider_name(provider)
        country = (country or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise BadUserInput("country is a two-letter ISO 3166 code, e.g. DE", field="country")
        async with httpx.AsyncClient() as http:
            bank = await self._provider(name, user.id, http)
            return sorted(await bank.institutions(country), key=lambda i: i.name.lower())

    async def connect(self, user: User, provider: str, institution_id: str, redirect_url: str,
                      *, base_url: str) -> tuple[BankConnection, str]:
        """A PENDING connection and the bank's consent URL to send the browser to."""
        name = bank_provider_name(provider)
        public = self.settings.public_url or base_url.rstrip("/")
        return_url = check_redirect(redirect_url, origin(public))
        institution_id = (institution_id or "").strip()
        if not institution_id or len(institution_id) > 200:
            raise BadUserInput("institutionId is required", field="institutionId")
        return await self._start(user.id, name, institution_id, return_url,
                                 public.rstrip("/") + CALLBACK_PATH)

    async def _start(self, owner_id: int, provider: Provider, institution_id: str,
                     return_url: str | None, callback_url: str) -> tuple[BankConnection, str]:
        reference = secrets.token_urlsafe(24)
        async with httpx.AsyncClient() as http:
            bank = await self._provider(provider, owner_id, http)
            institution = await self._institution(bank, provider, institution_id)
            link = await bank.start_consent(institution_id, callback_url, reference)
        connection = await BankConnection.create(
            owner_id=owner_id, provider=provider.value, institution_id=institution_id,
            institution_name=(institution.name if institution else institution_id)[:200],
            reference=reference, provider_ref=link.provider_ref, return_url=return_url,
            callback_url=callback_url,
            max_history_days=institution.max_history_days if institution else None,
            consent_expires_at=link.consent_expires_at)
        return connection, link.url

    @staticmethod
    async def _institution(bank: BankProvider, provider: Provider,
                           institution_id: str) -> Institution | None:
        if provider is Provider.GOCARDLESS:
            found: Institution = await bank.institution(institution_id)  # type: ignore[attr-defined]
            return found
        country = institution_id.partition(":")[0]
        if len(country) != 2:
            raise BadUserInput("An Enable Banking institutionId is COUNTRY:Name, e.g. "
                               "FI:Nordea", field="institutionId")
        return next((i for i in await bank.institutions(country) if i.id == institution_id),
                    None)

    async def complete(self, params: Mapping[str, str]) -> str:
        """The bank sent the browser back: finish the consent; returns where to send it next.
        Raises NotFound for a reference we never issued."""
        reference = params.get("state") or params.get("ref") or ""
        connection = await BankConnection.get_or_none(reference=reference[:64]) \
            if reference else None
        if connection is None:
            raise NotFound("This bank link is unknown; start linking the bank again")
        if connection.status is not ConnectionStatus.PENDING:  # a reload of the callback
            return self._back(connection)
        provider = Provider(connection.provider)
        linked = False
        try:
            async with httpx.AsyncClient() as http:
                bank = await self._provider(provider, connection.owner_id, http)
                consent = await bank.complete_consent(connection.provider_ref or "", params)
                status = _status_of(consent)
                values: dict[str, Any] = {"status": status, "last_error": None}
                if status is ConnectionStatus.LINKED:
                    values.update(provider_ref=consent.provider_ref,
                                  consent_expires_at=consent.consent_expires_at
                                  or connection.consent_expires_at, details_known=[])
                elif status is ConnectionStatus.REJECTED:
                    values["last_error"] = "The consent was cancelled at the bank"
                claimed = await BankConnection.filter(
                    id=connection.id, status=ConnectionStatus.PENDING).update(**values)
                if not claimed:  # another request completed it meanwhile
                    await connection.refresh_from_db()
                    return self._back(connection)
                await connection.refresh_from_db()
                if status is ConnectionStatus.LINKED:
                    await self._ensure_accounts(connection, bank, consent)
                    linked = True
        except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
            await BankConnection.filter(id=connection.id).update(
                status=ConnectionStatus.FAILED, last_error=exc.message)
            await connection.refresh_from_db()
            return self._back(connection)
        if linked:
            await self._retire_replaced(connection)
            await self.enqueue_sync(connection)
        return self._back(connection)

    def _back(self, connection: BankConnection) -> str:
        target = connection.return_url or "/"
        try:  # checked when stored; checked again before the browser is sent there
            base = self.settings.public_url or (origin(connection.callback_url)
                                                if connection.callback_url else "")
            target = check_redirect(target, origin(base) if base else "")
        except BadUserInput:
            target = "/"
        return with_query(target, bankConnection=str(connection.id),
                          bankStatus=connection.status.value)

    async def relink(self, connection_id: int, token: str) -> str:
        """The re-link link of a reminder: a new consent at the same bank; returns the bank's
        URL. The accounts move to the new connection once it is linked."""
        connection = await BankConnection.get_or_none(id=connection_id)
        if connection is None or not hmac.compare_digest(self.relink_token(connection),
                                                         token or ""):
            raise NotFound("This re-link link is not valid; link the bank again in the app")
        if connection.status not in (ConnectionStatus.LINKED, ConnectionStatus.EXPIRED):
            raise NotFound("This connection was disconnected; link the bank again in the app")
        callback = connection.callback_url or (self.settings.public_url or "") + CALLBACK_PATH
        _, url = await self._start(connection.owner_id, Provider(connection.provider),
                                   connection.institution_id, connection.return_url, callback)
        return url

    def relink_token(self, connection: BankConnection) -> str:
        return hmac.new(self.settings.jwt_secret.encode(),
                        f"bank-relink:{connection.id}:{connection.reference}".encode(),
                        hashlib.sha256).hexdigest()[:40]

    def relink_url(self, connection: BankConnection) -> str | None:
        base = self.settings.public_url or (origin(connection.callback_url)
                                            if connection.callback_url else None)
        if not base:
            return None
        return (f"{base.rstrip('/')}{RELINK_PATH}/{connection.id}"
                f"?token={self.relink_token(connection)}")

    async def _ensure_accounts(self, connection: BankConnection, bank: BankProvider,
                               consent: Consent) -> list[Account]:
        """An Account per account of the consent: existing ones kept, ones the user had
        linked before (same IBAN) adopted, new ones created."""
        existing = {a.provider_account_id: a for a in
                    await Account.filter(bank_connection_id=connection.id)}
        missing = [pid for pid in consent.account_ids if pid not in existing]
        if missing:
            described = {b.provider_account_id: b for b in await bank.accounts(consent)}
            known = list(connection.details_known or [])
            for pid in missing:
                about = described.get(pid)
                existing[pid] = await self._account_for(connection, pid, about)
                if about is not None and about.name and about.currency:
                    known.append(pid)
            connection.details_known = known
            await BankConnection.filter(id=connection.id).update(details_known=known)
        return [existing[pid] for pid in consent.account_ids if pid in existing]

    async def _account_for(self, connection: BankConnection, pid: str,
                           about: BankAccount | None) -> Account:
        source = AccountSource(connection.provider)
        iban = (about.iban or "").replace(" ", "").upper()[:34] or None if about else None
        if iban:
            adopted = await Account.filter(
                owner_id=connection.owner_id, iban=iban,
                source__in=[AccountSource.GOCARDLESS, AccountSource.ENABLE_BANKING],
            ).exclude(bank_connection_id=connection.id).order_by("id").first()
            if adopted is not None:
                adopted.provider_account_id = pid
                adopted.bank_connection_id = connection.id
                adopted.source = source
                adopted.archived = False
                await adopted.save(update_fields=["provider_account_id", "bank_connection_id",
                                                  "source", "archived", "updated_at"])
                return adopted
        product = (about.product or "") if about else ""
        name = (about.name if about else None) or product or _placeholder(connection, iban, pid)
        return await Account.create(
            owner_id=connection.owner_id, name=name[:100],
            institution=connection.institution_name[:100], iban=iban,
            currency=((about.currency if about else None) or UNKNOWN_CURRENCY).upper()[:3],
            type=AccountType.SAVINGS if "saving" in product.lower() else AccountType.CHECKING,
            source=source, provider_account_id=pid, bank_connection_id=connection.id)

    async def _retire_replaced(self, connection: BankConnection) -> None:
        """A re-link took over every account of an older connection: end that one."""
        older = await BankConnection.filter(
            owner_id=connection.owner_id, provider=connection.provider,
            institution_id=connection.institution_id,
            status__in=[ConnectionStatus.LINKED, ConnectionStatus.EXPIRED],
        ).exclude(id=connection.id)
        for old in older:
            if await Account.filter(bank_connection_id=old.id).exists():
                continue
            await BankConnection.filter(id=old.id).update(
                status=ConnectionStatus.REVOKED,
                last_error=f"Replaced by connection {connection.id}")
            try:
                async with httpx.AsyncClient() as http:
                    bank = await self._provider(Provider(old.provider), old.owner_id, http)
                    await bank.revoke(old.provider_ref or "")
            except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
                log.info("could not revoke a replaced bank consent: %s", exc.message)

    # -- reading -----------------------------------------------------------------------------

    async def connections(self, user: User) -> list[tuple[BankConnection, list[Account]]]:
        rows = await BankConnection.filter(owner_id=user.id).order_by("-created_at", "-id")
        accounts: dict[int, list[Account]] = {}
        for account in await Account.filter(owner_id=user.id,
                                            bank_connection_id__in=[r.id for r in rows]
                                            ).order_by("id"):
            accounts.setdefault(account.bank_connection_id or 0, []).append(account)
        return [(row, accounts.get(row.id, [])) for row in rows]

    async def connection(self, user: User, connection_id: int) -> BankConnection:
        found = await BankConnection.get_or_none(id=connection_id, owner_id=user.id)
        if found is None:
            raise NotFound("Bank connection not found")
        return found

    async def by_ids(self, ids: Sequence[int]) -> dict[int, BankConnection]:
        return {c.id: c for c in await BankConnection.filter(id__in=list(ids))}

    async def accounts_of(self, connection_ids: Sequence[int]) -> dict[int, list[Account]]:
        """The accounts each connection syncs, oldest first."""
        found: dict[int, list[Account]] = {}
        for account in await Account.filter(bank_connection_id__in=list(connection_ids)
                                            ).order_by("id"):
            found.setdefault(account.bank_connection_id or 0, []).append(account)
        return found

    async def next_sync_at(self, connection: BankConnection,
                           accounts: Sequence[Account]) -> datetime | None:
        """When a sync can next fetch transactions for every account: the quota planner's
        answer, or later when the bank pushed it out; None unless linked."""
        if connection.status is not ConnectionStatus.LINKED:
            return None
        now = _now()
        ids = [a.provider_account_id for a in accounts if a.provider_account_id]
        planned = await self.planner(connection.provider).next_sync_at(ids) or now
        pushed = connection.next_sync_at
        moment = max(planned, pushed) if pushed is not None else planned
        return max(moment, now)

    # -- syncing on request -------------------------------------------------------------------

    async def sync(self, user: User, connection_id: int) -> Job:
        connection = await self.connection(user, connection_id)
        if connection.status is not ConnectionStatus.LINKED:
            raise BadUserInput(f"This bank connection is {connection.status.value.lower()}; "
                               "link the bank again to sync it", field="connectionId")
        return await self.enqueue_sync(connection)

    async def enqueue_sync(self, connection: BankConnection, *, run_at: datetime | None = None,
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

    async def disconnect(self, user: User, connection_id: int) -> BankConnection:
        """Ends the consent at the provider; the accounts and their transactions stay."""
        connection = await self.connection(user, connection_id)
        problem = None
        if connection.provider_ref and connection.status in (
                ConnectionStatus.LINKED, ConnectionStatus.PENDING, ConnectionStatus.EXPIRED):
            try:
                async with httpx.AsyncClient() as http:
                    bank = await self._provider(Provider(connection.provider), user.id, http)
                    await bank.revoke(connection.provider_ref)
            except (BankError, IntegrationNotConfigured, IntegrationUnavailable) as exc:
                problem = f"Disconnected here, but the provider could not be told: {exc.message}"
        await BankConnection.filter(id=connection.id).update(
            status=ConnectionStatus.REVOKED, last_error=problem, next_sync_at=None)
        await connection.refresh_from_db()
        return connection

    # -- the sync job -------------------------------------------------------------------------

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
            await self.enqueue_sync(connection, run_at=exc.retry_at, next_generation=True)
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
            dedupe_seconds=7 * 86400, link=self.relink_url(connection)))
        return {"status": status.value, "reason": message}

    async def _sync(self, connection: BankConnection, ctx: JobContext) -> dict[str, Any]:
        provider = Provider(connection.provider)
        planner = self._planners[provider]
        today = _now().date()
        async with httpx.AsyncClient() as http:
            bank = await self._provider(provider, connection.owner_id, http)
            consent = await bank.consent(connection.provider_ref or "")
            if consent.status in _GONE:
                return await self._consent_gone(
                    connection, _GONE[consent.status],
                    f"{_LABELS[provider]}: the access to this bank "
                    f"{_ENDED[consent.status]}; link the bank again to keep syncing")
            if consent.consent_expires_at and \
                    consent.consent_expires_at != connection.consent_expires_at:
                connection.consent_expires_at = consent.consent_expires_at
                await BankConnection.filter(id=connection.id).update(
                    consent_expires_at=consent.consent_expires_at)
            accounts = await self._ensure_accounts(connection, bank, consent)
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
            await self.enqueue_sync(connection, run_at=retry_at, next_generation=True)
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
            changed |= _apply_details(account, details,
                                      _placeholder(connection, account.iban, pid))
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
        candidates = [_Stored(row, row.provider_id or "", account.provider_account_id or "",
                              from_units(row.amount_units), row.currency, row.booking_date,
                              row.description, row.counterparty_name) for row in stored]
        matches = match_pending(candidates, fresh)
        matched = {m.pending.row.id for m in matches}
        stale = [row.id for row in stored if row.id not in matched
                 and (window.date_from is None or row.booking_date >= window.date_from)]
        if matches or stale:
            async with in_transaction() as db:
                for match in matches:
                    await _settle(account, match.pending.row, match.booked, db)
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

    # -- scheduled ------------------------------------------------------------------------------

    async def _sync_all_job(self, ctx: JobContext) -> dict[str, Any]:
        return {"queued": await self.sync_all()}

    async def sync_all(self) -> int:
        queued = 0
        for connection in await BankConnection.filter(status=ConnectionStatus.LINKED):
            await self.enqueue_sync(connection)
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
                f"{_LABELS[Provider(connection.provider)]} ends on {ends}. Link the bank again "
                "before then to keep its accounts syncing.",
                dedupe_key=f"bank-consent-reminder:{connection.id}:{threshold}",
                dedupe_seconds=2 * 86400, user_id=connection.owner_id,
                link=self.relink_url(connection)))
            sent += 1
        return sent


def _status_of(consent: Consent) -> ConnectionStatus:
    return {ConsentStatus.LINKED: ConnectionStatus.LINKED,
            ConsentStatus.PENDING: ConnectionStatus.PENDING,
            ConsentStatus.EXPIRED: ConnectionStatus.EXPIRED,
            ConsentStatus.REJECTED: ConnectionStatus.REJECTED,
            ConsentStatus.REVOKED: ConnectionStatus.REVOKED}[consent.status]


def _placeholder(connection: BankConnection, iban: str | None, pid: str) -> str:
    """An account's name until the bank says it."""
    return f"{connection.institution_name} {('…' + iban[-4:]) if iban else pid[:8]}"[:100]


def _apply_details(account: Account, details: BankAccount, placeholder: str) -> set[str]:
    changed = set()
    if details.currency and account.currency == UNKNOWN_CURRENCY:
        account.currency = details.currency.upper()[:3]
        changed.add("currency")
    if details.name and account.name == placeholder:  # never over the user's own name
        account.name = details.name[:100]
        changed.add("name")
    if details.iban and not account.iban:
        account.iban = details.iban.replace(" ", "").upper()[:34]
        changed.add("iban")
    return changed


def _parsed(row: int, t: BankTransaction) -> ParsedTransaction:
    return ParsedTransaction(
        row=row, booking_date=t.booking_date, amount=t.amount, description=t.description,
        value_date=t.value_date, currency=t.currency or None,
        counterparty_name=t.counterparty_name, counterparty_iban=t.counterparty_iban,
        reference=t.reference, provider_id=t.provider_id,
        status=TransactionStatus(t.status.value), raw=dict(t.raw))


async def _settle(account: Account, row: Transaction, booked: BankTransaction, db: Any) -> None:
    """The stored pending row becomes the booked transaction, keeping its id (and so its
    category, tags and client)."""
    parsed = _parsed(0, booked)
    units = to_units(booked.amount)
    taken = {str(p) for p in await Transaction.filter(
        account_id=account.id, booking_date=booked.booking_date,
    ).using_db(db).exclude(id=row.id).values_list("fingerprint", flat=True)}
    occurrence = 0
    key = row_key(parsed, units)
    while (print_ := fingerprint(account.id, key, occurrence)) in taken:
        occurrence += 1
    await Transaction.filter(id=row.id).using_db(db).update(
        status=TransactionStatus.BOOKED, provider_id=booked.provider_id[:200],
        booking_date=booked.booking_date, value_date=booked.value_date,
        description=booked.description[:1000],
        counterparty_name=(booked.counterparty_name or row.counterparty_name or None),
        counterparty_iban=(booked.counterparty_iban or row.counterparty_iban),
        reference=(booked.reference or row.reference), fingerprint=print_,
        raw_payload=dict(booked.raw) or None, updated_at=_now())
