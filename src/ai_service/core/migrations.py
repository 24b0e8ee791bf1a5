"""Schema migrations with Tortoise's built-in engine (see the README for why not aerich).

Migrations are operations (CreateModel, AddField, ...), not SQL, so one history in
`ai_service/migrations/` serves SQLite and PostgreSQL alike. Call these after `init_db`.
"""

from __future__ import annotations

from collections.abc import Callable

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor, MigrationTarget, PlanStep
from tortoise.migrations.writer import format_migration_name

from ai_service.core.db import APP_LABEL, MIGRATIONS_MODULE, MODEL_MODULES, connection

_APPS_CONFIG = {
    APP_LABEL: {
        "models": MODEL_MODULES,
        "default_connection": "default",
        "migrations": MIGRATIONS_MODULE,
    }
}


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection(), _APPS_CONFIG)


async def pending_migrations() -> list[str]:
    """Names of the migrations this database has not applied yet."""
    plan: list[PlanStep] = await _executor().plan()
    return [step.migration.name for step in plan if not step.backward]


async def apply_migrations(report: Callable[[str], object] | None = None) -> list[str]:
    """Apply every pending migration, each in its own transaction; returns their names."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(name)
            if report:
                report(f"applied {app_label}.{name}")

    await _executor().migrate(progress=progress)
    return applied


async def applied_migrations() -> list[str]:
    """Names of the migrations this database has applied, oldest first (empty: a new database).
    The last one is its schema revision."""
    executor = _executor()
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    keys = await executor.recorder.applied_migrations()
    return sorted(key.name for key in keys if key.app_label == APP_LABEL)


async def known_migrations() -> list[str]:
    """Every migration this version of the code ships, oldest first."""
    executor = _executor()
    await executor.loader.build_graph()
    return sorted(key.name for key in executor.loader.graph.nodes if key.app_label == APP_LABEL)


async def migrate_to(name: str, report: Callable[[str], object] | None = None) -> list[str]:
    """Migrate to `name`: forward, or back on an empty database (a restore loads there)."""
    applied: list[str] = []

    def progress(event: str, app_label: str, migration: str) -> None:
        if event == "apply_done":
            applied.append(migration)
            if report:
                report(f"applied {app_label}.{migration}")

    await _executor().migrate([MigrationTarget(APP_LABEL, name)], progress=progress)
    return applied


async def model_changes() -> list[str]:
    """Operations the models need beyond the migrations on disk; empty when they agree."""
    assert Tortoise.apps is not None
    writers = await MigrationAutodetector(Tortoise.apps, _APPS_CONFIG).changes()
    return [op.describe() if hasattr(op, "describe") else repr(op)
            for writer in writers for op in writer.operations]


async def make_migration(name: str | None = None) -> str | None:
    """Write a migration for the model changes; returns its path, or None if there are none."""
    assert Tortoise.apps is not None
    writers = await MigrationAutodetector(Tortoise.apps, _APPS_CONFIG).changes()
    if not writers:
        return None
    (writer,) = writers
    if name:
        writer.name = format_migration_name(int(writer.name.split("_", 1)[0]), name)
    return str(writer.write())
