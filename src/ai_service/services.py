"""The composition root: builds the services once per process, for the web app, the worker and
the CLI alike, and wires the seams between packages (the vault as the AI gateway's credentials,
health probes, bot commands, metrics sources, job kinds) so that no package imports another
merely to reach it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ai_service import __version__
from ai_service.audit.service import AuditLog
from ai_service.config import ConfigError, Settings
from ai_service.core import db
from ai_service.core.cache import Cache, PubSub, create_cache
from ai_service.core.crypto import Keyring, KeyringError
from ai_service.core.health import HealthChecks
from ai_service.core.jobs import JobContext, JobQueue, JobRegistry, Worker
from ai_service.core.logging import redact
from ai_service.core.metrics import METRICS
from ai_service.core.ratelimit import RateLimiter
from ai_service.core.security import AccessTokens, PasswordHasher
from ai_service.documents import jobs as document_jobs
from ai_service.documents.service import DocumentService
from ai_service.finance.banking.service import BankSyncService
from ai_service.finance.banking.urls import BankRoutes
from ai_service.finance.service import FinanceService
from ai_service.finance.suggestions import SuggestionService
from ai_service.integrations.checks import make_checker
from ai_service.integrations.health import integration_checks
from ai_service.integrations.service import IntegrationService
from ai_service.notifications.commands import status_command
from ai_service.notifications.service import Notifier
from ai_service.ops.backup import register_backup_jobs
from ai_service.platform.ai import LLMGateway
from ai_service.platform.ai.metrics import ai_metrics
from ai_service.platform.market import MarketStore, create_market_store
from ai_service.platform.vectors import VectorStore
from ai_service.tagging.service import TagService
from ai_service.trading.runs import TradingRuns
from ai_service.trading.service import TradingService
from ai_service.trading.signals import SignalService
from ai_service.users.auth import AuthService
from ai_service.users.jobs import PURGE_SESSIONS, purge_sessions
from ai_service.users.service import UserService

PURGE_JOBS = "jobs.purge_finished"
# Served by routes/bank.py (app.py mounts them here); bank sync hands these addresses out, also
# from the worker, which never loads the routes.
BANK_ROUTES = BankRoutes(callback="/api/bank/callback", relink="/api/bank/relink/{id}")


@dataclass
class Services:
    settings: Settings
    cache: Cache
    pubsub: PubSub
    jobs: JobQueue
    registry: JobRegistry
    audit: AuditLog
    users: UserService
    auth: AuthService
    integrations: IntegrationService
    llm: LLMGateway
    notifier: Notifier
    market: MarketStore
    trading: TradingService
    runs: TradingRuns
    signals: SignalService
    tags: TagService
    finance: FinanceService
    suggestions: SuggestionService
    banking: BankSyncService
    vectors: VectorStore
    documents: DocumentService
    health: HealthChecks

    def worker(self) -> Worker:
        return Worker(
            self.jobs, self.registry, self.pubsub,
            concurrency=self.settings.worker_concurrency,
            poll_seconds=self.settings.job_poll_seconds,
        )

    async def close(self) -> None:
        await self.market.close()
        await self.vectors.close()
        await self.notifier.close()
        await self.llm.close()
        await self.pubsub.close()
        await self.cache.close()  # the same Redis client may be both: closing twice is harmless
        await db.close_db()


async def open_services(settings: Settings) -> Services:
    """Connect to the database and cache; the caller applies or checks migrations."""
    redact(settings.jwt_secret, settings.integration_config_key)
    if settings.qdrant_api_key:
        redact(settings.qdrant_api_key)
    try:
        keyring = Keyring.parse(settings.integration_config_key)
    except KeyringError as exc:
        raise ConfigError([str(exc)]) from None
    await db.init_db(settings)
    cache, pubsub = create_cache(settings)
    window = settings.login_window_seconds
    limiter = RateLimiter(cache, settings.login_max_failures, window, "login")
    hasher = PasswordHasher(settings.password_opslimit, settings.password_memlimit)
    audit = AuditLog()
    registry = JobRegistry()
    jobs = JobQueue(pubsub, settings.job_lease_seconds, registry)
    _register_housekeeping(registry, settings, jobs)
    integrations = IntegrationService(
        keyring, audit, make_checker(settings), RateLimiter(cache, 10, 60, "integration-test")
    )
    notifier = Notifier(settings, cache, jobs, integrations, audit)
    notifier.register_jobs(registry)
    jobs.on_dead.append(notifier.job_died)
    market = create_market_store(settings)
    trading = TradingService(market, jobs)
    runs = TradingRuns(trading, jobs)
    runs.register_jobs(registry)
    signals = SignalService(trading, notifier)
    signals.register_jobs(registry)
    tags = TagService()
    finance = FinanceService(tags)
    llm = LLMGateway(integrations, settings)
    # Opened on first use: CLI commands never lock the local vector folder.
    vectors = VectorStore(settings.qdrant_url, settings.data_dir / "qdrant",
                          settings.qdrant_api_key)
    documents = DocumentService(settings, jobs, llm, vectors, tags)
    document_jobs.register(registry, documents)
    banking = BankSyncService(settings, cache, jobs, integrations, notifier, BANK_ROUTES)
    banking.register_jobs(registry)
    health = _health_checks(settings, cache, market)
    notifier.commands.register("status", "health of the service and its integrations",
                               status_command(health.run, settings.version or __version__))
    METRICS.add_source(ai_metrics)
    return Services(
        settings=settings,
        cache=cache,
        pubsub=pubsub,
        jobs=jobs,
        registry=registry,
        audit=audit,
        users=UserService(hasher, audit, RateLimiter(cache, settings.login_max_failures, window,
                                                     "password")),
        auth=AuthService(
            hasher,
            AccessTokens(settings.jwt_secret, timedelta(minutes=settings.access_token_minutes)),
            limiter,
            audit,
            timedelta(days=settings.refresh_token_days),
        ),
        integrations=integrations,
        llm=llm,
        notifier=notifier,
        market=market,
        trading=trading,
        runs=runs,
        signals=signals,
        tags=tags,
        finance=finance,
        suggestions=SuggestionService(finance, llm),
        banking=banking,
        vectors=vectors,
        documents=documents,
        health=health,
    )


def _health_checks(settings: Settings, cache: Cache, market: MarketStore) -> HealthChecks:
    health = HealthChecks()
    health.require("database", db.ping, "sqlite" if settings.uses_sqlite else "postgres")
    health.require("cache", cache.ping, "redis" if settings.redis_url else "memory")
    if settings.influxdb_url:  # on the embedded default the market store is the database
        health.require("timeseries", market.ping, "influxdb")
    health.inform(integration_checks, needs="database")
    return health


def _register_housekeeping(registry: JobRegistry, settings: Settings, jobs: JobQueue) -> None:
    async def purge_jobs(ctx: JobContext) -> dict[str, Any]:
        return {"deleted": await jobs.purge_finished(timedelta(days=settings.job_retention_days))}

    registry.register(PURGE_SESSIONS, purge_sessions, max_attempts=3)
    registry.register(PURGE_JOBS, purge_jobs, max_attempts=3)
    registry.every(PURGE_SESSIONS, timedelta(hours=6))
    registry.every(PURGE_JOBS, timedelta(days=1))
    register_backup_jobs(registry, settings)  # BACKUP_SCHEDULE
