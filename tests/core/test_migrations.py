"""The migrations, applied from zero, build exactly what the models describe, on both databases.

Each side is built in a subprocess: Tortoise's state is global to a process, and this process
already serves the test app.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.pgadmin import create_database, drop_database
from support.processes import embedded_env, run_cli, served

GENERATE = """
import asyncio, sys
from tortoise import Tortoise
from ai_service.config import Settings
from ai_service.core.db import tortoise_config

async def main():
    url = sys.argv[1]
    settings = Settings(database_url=url)
    await Tortoise.init(config=tortoise_config(settings))
    await Tortoise.generate_schemas(safe=False)
    await Tortoise.close_connections()

asyncio.run(main())
"""

TABLES = ["users", "auth_sessions", "refresh_tokens", "audit_events", "jobs"]


def assert_up_to_date(env: dict[str, str]) -> None:
    check = run_cli(env, "migrate", "--check")
    assert check.returncode == 0, check.stdout
    assert "up to date" in check.stdout


def generate_from_models(database_url: str) -> None:
    result = subprocess.run([sys.executable, "-c", GENERATE, database_url], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- SQLite


def sqlite_schema(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as db:
        schema: dict[str, Any] = {}
        for table in TABLES:
            columns = sorted((r[1], r[2], r[3], r[5]) for r in db.execute(f"PRAGMA table_info({table})"))
            indexes = sorted(
                (bool(unique), tuple(c[2] for c in db.execute(f"PRAGMA index_info('{name}')")))
                for _, name, unique, *_ in db.execute(f"PRAGMA index_list({table})")
            )
            foreign = sorted((r[2], r[3], r[4], r[6]) for r in db.execute(f"PRAGMA foreign_key_list({table})"))
            schema[table] = {"columns": columns, "indexes": indexes, "foreign_keys": foreign}
    return schema


@pytest.mark.embedded_only
def test_sqlite_migrations_build_the_same_tables_as_the_models(
    backend_env: dict[str, str], tmp_path: Path
) -> None:
    migrated_dir = tmp_path / "migrated"
    result = run_cli(embedded_env(backend_env, migrated_dir), "migrate")
    assert result.returncode == 0, result.stderr
    assert "applied ai_service.0001_initial" in result.stdout
    generated = tmp_path / "generated.sqlite3"
    generate_from_models(f"sqlite://{generated}")

    migrated_schema = sqlite_schema(migrated_dir / "ai-service.sqlite3")
    assert migrated_schema == sqlite_schema(generated)
    assert all(migrated_schema[t]["columns"] for t in TABLES)
    assert_up_to_date(embedded_env(backend_env, migrated_dir))


@pytest.mark.embedded_only
def test_serve_applies_pending_migrations_on_the_embedded_default(
    backend_env: dict[str, str], tmp_path: Path
) -> None:
    with served(embedded_env(backend_env, tmp_path)) as url:
        assert httpx.post(f"{url}/graphql", json={"query": "{ needsSetup }"}).json() == {
            "data": {"needsSetup": True}}
    assert "users" in sqlite_schema(tmp_path / "ai-service.sqlite3")


# --------------------------------------------------------------------------- PostgreSQL


async def postgres_schema(url: str) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        columns = await conn.fetch(
            """SELECT table_name, column_name, data_type, is_nullable, character_maximum_length,
                      column_default
               FROM information_schema.columns WHERE table_schema = 'public'
               AND table_name = ANY($1::text[]) ORDER BY table_name, column_name""", TABLES)
        indexes = await conn.fetch(
            """SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'
               AND tablename = ANY($1::text[]) ORDER BY tablename, indexdef""", TABLES)
        constraints = await conn.fetch(
            """SELECT rel.relname AS table_name, con.contype, pg_get_constraintdef(con.oid) AS def
               FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
               WHERE rel.relname = ANY($1::text[]) ORDER BY 1, 2, 3""", TABLES)
    finally:
        await conn.close()
    return {"columns": [tuple(r) for r in columns], "indexes": [tuple(r) for r in indexes],
            "constraints": [tuple(r) for r in constraints]}


@pytest.fixture
def fresh_postgres() -> Any:
    created: list[str] = []

    def make() -> str:
        created.append(create_database())
        return created[-1]

    yield make
    for url in created:
        drop_database(url)


@pytest.mark.services_only
def test_postgres_migrations_build_exactly_the_models(
    backend_env: dict[str, str], fresh_postgres: Any
) -> None:
    migrated, generated = fresh_postgres(), fresh_postgres()
    result = run_cli({**backend_env, "DATABASE_URL": migrated}, "migrate")
    assert result.returncode == 0, result.stderr
    generate_from_models(generated)
    migrated_schema = asyncio.run(postgres_schema(migrated))
    assert migrated_schema == asyncio.run(postgres_schema(generated))
    assert len(migrated_schema["columns"]) > 40
    assert_up_to_date({**backend_env, "DATABASE_URL": migrated})


@pytest.mark.services_only
def test_serve_refuses_a_postgres_database_with_pending_migrations(
    backend_env: dict[str, str], fresh_postgres: Any
) -> None:
    env = {**backend_env, "DATABASE_URL": fresh_postgres()}
    refused = run_cli(env, "serve", "--port", "1")
    assert refused.returncode == 1
    assert "pending migration" in refused.stderr
    assert "ai-service migrate" in refused.stderr
    check = run_cli(env, "migrate", "--check")
    assert check.returncode == 1
    assert "pending 0001_initial" in check.stdout
    assert run_cli(env, "migrate").returncode == 0
    with served(env) as url:
        assert httpx.get(f"{url}/status").json()["checks"]["database"]["backend"] == "postgres"
