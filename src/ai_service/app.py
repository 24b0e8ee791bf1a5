"""The Starlette app: `/graphql` (HTTP + WebSocket), health routes, GraphiQL and the web app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from ai_service.config import Settings, ensure_development_secrets, load_settings
from ai_service.core import web
from ai_service.core.http import RequestContextMiddleware
from ai_service.core.metrics import metrics_endpoint
from ai_service.core.migrations import apply_migrations, pending_migrations
from ai_service.graphql.schema import build_schema
from ai_service.graphql.view import GraphQLView
from ai_service.notifications.monitor import HealthMonitor
from ai_service.routes import health
from ai_service.routes.bank import bank_callback, bank_relink
from ai_service.routes.documents import download_document
from ai_service.routes.telegram import telegram_webhook
from ai_service.services import BANK_ROUTES, open_services

log = logging.getLogger("ai_service")


class StartupError(RuntimeError):
    pass


async def prepare_database(settings: Settings) -> None:
    """Embedded default: apply pending migrations. Otherwise refuse to serve an old schema.
    In production a database that holds data is backed up before it is migrated."""
    from ai_service.ops.backup import BackupError, backup_before_migrating

    pending = await pending_migrations()
    if not pending:
        return
    if settings.should_auto_migrate:
        try:
            await backup_before_migrating(settings, pending, report=log.info)
        except BackupError as exc:
            raise StartupError(str(exc)) from exc
        for name in await apply_migrations():
            log.info("applied migration %s", name)
        return
    raise StartupError(
        f"The database has {len(pending)} pending migration(s): {', '.join(pending)}. "
        "Back it up, then run `ai-service migrate` (or set AUTO_MIGRATE=true)."
    )


def create_app(settings: Settings | None = None, extra_routes: list[BaseRoute] | None = None
               ) -> Starlette:
    settings = ensure_development_secrets(settings or load_settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = await open_services(settings)
        worker = services.worker()
        worker_task: asyncio.Task[None] | None = None
        monitor_task: asyncio.Task[None] | None = None
        monitor = HealthMonitor(
            lambda: services.health.run(informational=False), services.notifier)
        try:
            await prepare_database(settings)
            app.state.services = services
            if settings.worker_in_process:
                worker_task = asyncio.create_task(worker.run(), name="job-worker")
            monitor_task = asyncio.create_task(monitor.run(), name="health-monitor")
            if not await services.users.any_exist():
                log.warning("no users yet: create the first administrator with "
                            "`ai-service create-admin --email you@example.com` or the "
                            "createFirstAdmin mutation")
            yield
        finally:
            if monitor_task is not None:
                monitor.stop()
                await monitor_task
            if worker_task is not None:
                worker.stop()
                await worker_task
            await services.close()

    view = GraphQLView(build_schema(settings), settings)
    routes: list[BaseRoute] = [
        Route("/health", health.health, methods=["GET", "HEAD"]),
        Route("/status", health.status, methods=["GET", "HEAD"]),
        Route("/api/version", health.version, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        # Route, not Mount: a Mount would redirect /graphql to /graphql/.
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/graphiql", web.graphiql, methods=["GET", "HEAD"]),
        Route("/graphiql/{path:path}", web.graphiql_asset, methods=["GET", "HEAD"]),
        Route("/api/telegram/webhook", telegram_webhook, methods=["POST"]),
        Route("/api/documents/{id}/file", download_document, methods=["GET", "HEAD"]),
        Route(BANK_ROUTES.callback, bank_callback, methods=["GET"]),
        Route(BANK_ROUTES.relink, bank_relink, methods=["GET"]),
        *(extra_routes or []),
        Route("/{path:path}", web.spa, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
    ]
    middleware = [Middleware(RequestContextMiddleware)]
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"], allow_headers=["authorization", "content-type"],
            max_age=600,
        ))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    app.state.started_at = time.monotonic()
    return app

