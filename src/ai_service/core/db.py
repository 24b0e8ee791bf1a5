"""The relational database: PostgreSQL (asyncpg) in production, SQLite in the data dir by default.

Every domain's models live in one Tortoise app, `ai_service`, whose migrations are the modules
in `ai_service.migrations`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection

from ai_service.config import Settings
from ai_service.core.logging import request_id_var

APP_LABEL = "ai_service"
MODEL_MODULES = [
    "ai_service.users.models",
    "ai_service.audit.models",
    "ai_service.core.jobs.models",
    "ai_service.integrations.models",
    "ai_service.platform.ai.models",
    "ai_service.platform.market.models",
    "ai_service.trading.models",
    "ai_service.tagging.models",
    "ai_service.finance.models",
    "ai_service.finance.bank_models",
    "ai_service.documents.models",
]
MIGRATIONS_MODULE = "ai_service.migrations"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    if settings.uses_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            # WAL is Tortoise's default; busy_timeout lets a separate worker process wait its
            # turn for the write lock instead of failing with "database is locked". A 64 MiB
            # page cache (SQLite's default is 2 MiB, filled only as pages are read): with a
            # million transactions, a 100k-row import otherwise rereads and spills index pages
            # (a third of its time).
            "credentials": {"file_path": str(path), "busy_timeout": 5000,
                            "cache_size": -64 * 1024},
        }
    else:
        assert settings.database_url
        connection = {
            "engine": "tortoise.backends.asyncpg",
            "credentials": _postgres_credentials(settings),
        }
    return {
        "connections": {"default": connection},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _postgres_credentials(settings: Settings) -> dict[str, Any]:
    from tortoise.backends.base.config_generator import expand_db_url

    assert settings.database_url
    credentials: dict[str, Any] = expand_db_url(settings.database_url)["credentials"]
    credentials["minsize"] = settings.db_pool_min
    credentials["maxsize"] = settings.db_pool_max
    credentials.setdefault("application_name", "ai-service")
    return credentials


async def init_db(settings: Settings) -> None:
    # The global fallback lets the worker task and the request tasks share one context.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()


def connection() -> BaseDBAsyncClient:
    return get_connection("default")


def dialect() -> str:
    return str(connection().capabilities.dialect)


_PLACEHOLDER = re.compile(r"\?")


def portable(query: str) -> str:
    """Hand-written SQL uses `?` placeholders; asyncpg wants `$1, $2, ...`."""
    if dialect() != "postgres":
        return query
    counter = iter(range(1, 100_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", query)


async def fetch(query: str, params: Sequence[Any] = (),
                client: BaseDBAsyncClient | None = None) -> Sequence[Any]:
    """Rows of a portable query (see `portable`), as tuples or records."""
    _, rows = await (client or connection()).execute_query(portable(query), list(params))
    return rows


async def execute(query: str, params: Sequence[Any] = (),
                  client: BaseDBAsyncClient | None = None) -> int:
    """Runs a portable statement; returns the number of rows it changed."""
    count, _ = await (client or connection()).execute_query(portable(query), list(params))
    return int(count)


async def ping() -> None:
    await connection().execute_query("SELECT 1")


class StatementCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends on behalf of HTTP requests, by listening to its
    per-statement DEBUG log. Statements of the job worker (no request id) are left out."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        request_id = request_id_var.get()
        if request_id is None or request_id.startswith("job-"):
            return
        with self._lock:
            args = record.args
            self.statements.append(str(args[0] if isinstance(args, tuple) and args else record.msg))

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        with self._lock:
            self.statements.clear()


@contextlib.contextmanager
def count_statements() -> Iterator[StatementCounter]:
    """`with count_statements() as c: ...; c.count` — works across threads (test servers)."""
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate
