"""The real app served by uvicorn over TCP, and the reset between tests."""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import uvicorn

from ai_service.app import create_app
from ai_service.config import Settings

T = TypeVar("T")


class LiveServer:
    """uvicorn serving the app on a free port, in a thread with its own event loop."""

    def __init__(self, settings: Settings, extra_routes: list[Any] | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings, extra_routes=extra_routes)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_config=None,
                                access_log=False, lifespan="on", ws="websockets-sansio",
                                server_header=False)
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.error: BaseException | None = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as exc:
            self.error = exc

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if self.error or not self.thread.is_alive():
                raise RuntimeError(f"server failed to start: {self.error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in 30 s")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        return self

    def call(self, work: Callable[[], Awaitable[T]] | Awaitable[T], timeout: float = 30) -> T:
        """Run a coroutine on the server's loop (where its database connections live)."""
        coroutine = work() if callable(work) else work
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    @property
    def services(self) -> Any:
        return self.app.state.services

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


async def reset_state(services: Any) -> None:
    """Empty every table and the cache between tests."""
    from ai_service.core import db

    tables = ["refresh_tokens", "auth_sessions", "audit_events", "jobs", "integrations",
              "ai_usage", "signals", "backtests", "optimizations", "strategies", "market_bars",
              "tag_links", "category_suggestions", "transaction_days", "transactions",
              "import_batches", "rules",
              "categories", "clients", "accounts", "bank_connections", "tags", "document_chunks",
              "documents", "users"]
    connection = db.connection()
    if db.dialect() == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        for table in tables:
            await connection.execute_script(f"DELETE FROM {table}")
        await connection.execute_script("DELETE FROM sqlite_sequence")
    await services.cache.clear()
    await services.vectors.drop_all()
    shutil.rmtree(services.settings.data_dir / "documents", ignore_errors=True)
