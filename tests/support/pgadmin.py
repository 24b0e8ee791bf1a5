"""Scratch PostgreSQL databases for the tests and the benchmarks: each run creates its own
through an admin connection (TEST_DATABASE_URL) and drops it afterwards, so nothing that
already lives on the server is touched."""

from __future__ import annotations

import asyncio
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/test"


def admin_database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_ADMIN_URL).replace(
        "postgresql://", "postgres://", 1
    )


async def _admin(sql: str) -> None:
    import asyncpg

    url = admin_database_url()
    try:
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}") from exc
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(prefix: str = "ai_service_test") -> str:
    """A fresh, empty database; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    return urlunsplit(urlsplit(admin_database_url())._replace(path=f"/{name}"))


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
