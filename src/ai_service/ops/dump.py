"""A backend-agnostic dump of the relational database: one JSON-lines file per table.

Read with raw SQL, not through the models: a backup taken before migrations describes the
database as it is (its revision), not as the code's models expect it to be. Every table of the
models is read inside ONE transaction (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite: one read
transaction on a WAL snapshot), so the dump is consistent while the app keeps writing.

A table file is a header line `{"table", "columns", "types"}` and then one JSON array per row.
Values are normalised (timestamps as ISO 8601, decimals as strings, JSON as JSON, bytes as
base64) and converted back by the *target* column's type on restore, so a SQLite dump loads into
PostgreSQL and back.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from ai_service.core.db import APP_LABEL, connection, dialect

CHUNK_ROWS = 2_000
MIGRATIONS_TABLE = "tortoise_migrations"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def canonical_type(declared: str) -> str:
    """A column's declared type (SQLite) or data_type (PostgreSQL) as one small vocabulary."""
    t = declared.lower().strip()
    if t.startswith("timestamp") or t == "datetime":
        return "datetime"
    if t == "date":
        return "date"
    if t.startswith("time"):
        return "time"
    if t in ("json", "jsonb"):
        return "json"
    if t in ("boolean", "bool"):
        return "bool"
    if t.startswith(("numeric", "decimal")):
        return "decimal"
    if t in ("bytea", "blob"):
        return "bytes"
    if t == "uuid":
        return "uuid"
    if "int" in t:
        return "int"
    if t in ("real", "double precision", "float", "double") or t.startswith("float"):
        return "float"
    return "text"


def model_tables() -> list[tuple[str, str | None, set[str]]]:
    """(table, primary-key column or None, tables it references) for every model table and
    many-to-many table, ordered so that a table comes after the tables it references."""
    assert Tortoise.apps is not None
    found: dict[str, tuple[str | None, set[str]]] = {}
    for model in Tortoise.apps[APP_LABEL].values():
        meta = model._meta
        deps: set[str] = set()
        for name in meta.fk_fields | meta.o2o_fields:
            related = meta.fields_map[name].related_model
            deps.add(related._meta.db_table)
        found[meta.db_table] = (meta.db_pk_column, deps - {meta.db_table})
        for name in meta.m2m_fields:
            field = meta.fields_map[name]
            if getattr(field, "_generated", False):  # the reverse side of a relation
                continue
            related = field.related_model
            found.setdefault(field.through, (None, {meta.db_table,
                                                    related._meta.db_table}))
    order: list[str] = []
    remaining = dict(found)
    while remaining:
        ready = sorted(t for t, (_, deps) in remaining.items()
                       if not (deps & remaining.keys()))
        if not ready:  # a cycle between tables: keep going in name order
            ready = sorted(remaining)[:1]
        for table in ready:
            order.append(table)
            del remaining[table]
    return [(t, found[t][0], found[t][1]) for t in order]


def placeholder(index: int, db_dialect: str) -> str:
    return f"${index}" if db_dialect == "postgres" else "?"


async def existing_tables(conn: BaseDBAsyncClient) -> set[str]:
    if dialect() == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE'")
        return {str(r["table_name"]) for r in rows}
    rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r["name"]) for r in rows}


async def column_types(conn: BaseDBAsyncClient, table: str) -> dict[str, str]:
    """Column name → canonical type, in table order."""
    if dialect() == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = $1 ORDER BY ordinal_position", [table])
        return {str(r["column_name"]): canonical_type(str(r["data_type"])) for r in rows}
    rows = await conn.execute_query_dict(f"PRAGMA table_info({quote(table)})")
    return {str(r["name"]): canonical_type(str(r["type"] or "")) for r in rows}


def to_json(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return orjson.loads(value) if isinstance(value, str | bytes) else value
    if isinstance(value, datetime):
        return value.isoformat()
    if kind == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if kind == "bool":
        return bool(value)
    return value


def from_json(value: Any, kind: str, db_dialect: str) -> Any:
    """A dumped value as the target column (and driver) wants it."""
    if value is None:
        return None
    postgres = db_dialect == "postgres"
    if kind == "json":
        return orjson.dumps(value).decode()
    if kind == "datetime":
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    if kind == "date":
        return date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "time":
        return time.fromisoformat(value) if isinstance(value, str) else value
    if kind == "decimal":
        return Decimal(str(value)) if postgres else str(value)
    if kind == "bool":
        return bool(value) if postgres else int(bool(value))
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "uuid":
        return uuid.UUID(str(value)) if postgres else str(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


async def _applied(conn: BaseDBAsyncClient, tables: set[str]) -> list[str]:
    if MIGRATIONS_TABLE not in tables:
        return []
    rows = await conn.execute_query_dict(
        f"SELECT name FROM {quote(MIGRATIONS_TABLE)} WHERE app = "  # noqa: S608 - constant
        f"{placeholder(1, dialect())}", [APP_LABEL])
    return sorted(str(r["name"]) for r in rows)


async def dump_database(target: Path, on_file: Callable[[Path, str, int], None]
                        ) -> tuple[list[str], dict[str, int]]:
    """Write `<table>.jsonl` for every model table present into `target`; returns the applied
    migrations (the revision is the last) and the row count per table. `on_file(path, sha256,
    size)` is called for each file written."""
    counts: dict[str, int] = {}
    db_dialect = dialect()
    async with in_transaction("default") as conn:
        if db_dialect == "postgres":
            await conn.execute_script(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        tables = await existing_tables(conn)
        applied = await _applied(conn, tables)
        for table, pk, _ in model_tables():
            if table not in tables:  # added by a migration this database has not run yet
                continue
            types = await column_types(conn, table)
            path = target / f"{table}.jsonl"
            counts[table] = await _dump_table(conn, table, pk, types, path, on_file)
    return applied, counts


async def _dump_table(conn: BaseDBAsyncClient, table: str, pk: str | None,
                      types: dict[str, str], path: Path,
                      on_file: Callable[[Path, str, int], None]) -> int:
    columns = list(types)
    kinds = [types[c] for c in columns]
    select = ", ".join(quote(c) for c in columns)
    digest = hashlib.sha256()
    size = 0
    count = 0
    with path.open("wb") as out:

        def emit(line: bytes) -> None:
            nonlocal size
            out.write(line)
            digest.update(line)
            size += len(line)

        emit(orjson.dumps({"table": table, "columns": columns, "types": types}) + b"\n")
        async for row in _rows(conn, table, pk, select, columns):
            emit(orjson.dumps([to_json(row[c], k) for c, k in zip(columns, kinds, strict=True)])
                 + b"\n")
            count += 1
    on_file(path, digest.hexdigest(), size)
    return count


async def _rows(conn: BaseDBAsyncClient, table: str, pk: str | None, select: str,
                columns: list[str]) -> AsyncIterator[dict[str, Any]]:
    """The rows in primary-key pages (keyset: each page is an index range), or without a
    single primary key in one ordered read."""
    if pk is None:
        order = ", ".join(quote(c) for c in columns)
        for row in await conn.execute_query_dict(
                f"SELECT {select} FROM {quote(table)} ORDER BY {order}"):  # noqa: S608
            yield row
        return
    last: Any = None
    while True:
        where = "" if last is None else f" WHERE {quote(pk)} > {placeholder(1, dialect())}"
        rows = await conn.execute_query_dict(
            f"SELECT {select} FROM {quote(table)}{where} "  # noqa: S608 - quoted names
            f"ORDER BY {quote(pk)} LIMIT {CHUNK_ROWS}", [] if last is None else [last])
        for row in rows:
            yield row
        if len(rows) < CHUNK_ROWS:
            return
        last = rows[-1][pk]


async def table_rows(conn: BaseDBAsyncClient | None = None) -> dict[str, int]:
    """Rows per model table present (0 everywhere: an empty instance)."""
    conn = conn or connection()
    tables = await existing_tables(conn)
    counts = {}
    for table, _, _ in model_tables():
        if table in tables:
            rows = await conn.execute_query_dict(
                f"SELECT COUNT(*) AS n FROM {quote(table)}")  # noqa: S608 - quoted name
            counts[table] = int(rows[0]["n"])
    return counts


async def load_table(path: Path) -> int:
    """Insert a dumped table into the database (its table exists at the same revision)."""
    db_dialect = dialect()
    conn = connection()
    with path.open("rb") as source:
        header = orjson.loads(source.readline())
        table: str = header["table"]
        columns: list[str] = header["columns"]
        target_types = await column_types(conn, table)
        missing = [c for c in columns if c not in target_types]
        if missing:
            raise ValueError(f"table {table} has no column(s) {', '.join(missing)} here")
        kinds = [target_types[c] for c in columns]
        marks = ", ".join(placeholder(i + 1, db_dialect) for i in range(len(columns)))
        sql = (f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
               f"VALUES ({marks})")
        count = 0
        batch: list[list[Any]] = []
        async with in_transaction("default") as tx:
            for line in source:
                values = orjson.loads(line)
                batch.append([from_json(v, k, db_dialect)
                              for v, k in zip(values, kinds, strict=True)])
                if len(batch) >= CHUNK_ROWS:
                    await tx.execute_many(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                await tx.execute_many(sql, batch)
                count += len(batch)
    return count


async def reset_sequences() -> None:
    """PostgreSQL: move every serial/identity sequence past the restored ids."""
    if dialect() != "postgres":
        return  # SQLite's AUTOINCREMENT follows the largest rowid inserted
    conn = connection()
    tables = await existing_tables(conn)
    for table, pk, _ in model_tables():
        if not pk or table not in tables:
            continue
        rows = await conn.execute_query_dict(
            "SELECT pg_get_serial_sequence($1, $2) AS seq", [quote(table), pk])
        sequence = rows[0]["seq"] if rows else None
        if sequence:
            column, name = quote(pk), quote(table)
            sql = f"SELECT setval($1, COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {name}"  # noqa: S608, E501 - quoted names
            await conn.execute_query(sql, [sequence])
