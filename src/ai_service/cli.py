"""The `ai-service` command: serve, worker, migrate, create-admin, users, backup, restore,
check-config, export-schema, version."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ai_service.config import ConfigError, Settings, ensure_development_secrets, load_settings
from ai_service.core.logging import configure_logging

T = TypeVar("T")


def _settings(ctx: click.Context, log_file: str | None = None) -> Settings:
    """The settings, logging configured; `log_file` names this command's file in the logs
    directory (long-running commands only: one writer per file keeps rotation safe)."""
    try:
        settings = load_settings(env_file=ctx.obj.get("env_file"))
    except ConfigError as exc:
        click.echo(f"ai-service: {exc}", err=True)
        ctx.exit(2)
    path = settings.logs_path / log_file if log_file and settings.log_file else None
    configure_logging(settings.log_level, settings.log_format, file=path,
                      max_bytes=settings.log_file_max_bytes, backups=settings.log_file_backups)
    return ensure_development_secrets(settings)


def _run(
    settings: Settings, work: Callable[[Any], Awaitable[T]], *, check_schema: bool = True
) -> T:
    """Open the services, refuse an unmigrated database, run `work`, close everything."""
    from ai_service.core.migrations import pending_migrations
    from ai_service.services import open_services

    async def main() -> T:
        try:
            services = await open_services(settings)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        try:
            if check_schema and (pending := await pending_migrations()):
                raise click.ClickException(
                    f"the database has {len(pending)} pending migration(s): "
                    "run `ai-service migrate`"
                )
            return await work(services)
        finally:
            await services.close()

    return asyncio.run(main())


def _read_password(password_stdin: bool, confirm: bool = True) -> str:
    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError("no password on standard input")
        return password
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=confirm))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--env-file", type=click.Path(dir_okay=False), help="Read settings from this file "
              "instead of ./.env (the environment still wins).")
@click.pass_context
def main(ctx: click.Context, env_file: str | None) -> None:
    """ai-service: money, trading ideas and documents behind one GraphQL endpoint."""
    ctx.ensure_object(dict)
    ctx.obj["env_file"] = env_file


@main.command()
@click.option("--host", help="Interface to listen on (default HOST or 127.0.0.1).")
@click.option("--port", type=int, help="Port (default PORT or 3001).")
@click.option("--no-worker", is_flag=True, help="Do not run jobs in this process.")
@click.option("--migrate", "migrate_first", is_flag=True,
              help="Apply pending migrations first on any database (production: after a backup).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, no_worker: bool,
          migrate_first: bool) -> None:
    """Serve the API, GraphiQL and the web app. Applies pending migrations on the embedded
    default (or with --migrate); refuses to start on another database that has pending ones."""
    import uvicorn

    from ai_service.app import StartupError, create_app, prepare_database

    settings = _settings(ctx, log_file="ai-service.log")
    settings = dataclasses.replace(
        settings, host=host or settings.host, port=port or settings.port,
        worker_in_process=settings.worker_in_process and not no_worker,
        auto_migrate=True if migrate_first else settings.auto_migrate,
    )

    async def check(services: Any) -> bool:
        try:
            await prepare_database(settings)
        except StartupError as exc:
            raise click.ClickException(str(exc)) from exc
        return bool(await services.users.any_exist())

    has_users = _run(settings, check, check_schema=False)
    shown_host = "localhost" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    url = f"http://{shown_host}:{settings.port}"
    database = "SQLite " + str(settings.sqlite_path) if settings.uses_sqlite else "PostgreSQL"
    cache = "Redis" if settings.redis_url else "in-process cache"
    click.echo(f"ai-service ({settings.env}; {database}; {cache})", err=True)
    click.echo(f"Serving on {url}  ·  GraphiQL: {url}/graphql", err=True)
    if not has_users:
        click.echo("No users yet. Create the first administrator:\n"
                   "  ai-service create-admin --email you@example.com", err=True)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        ws="websockets-sansio",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies) or None,
    )


@main.command()
@click.option("--concurrency", type=int, help="Jobs run at once (default WORKER_CONCURRENCY).")
@click.option("--until-idle", is_flag=True, help="Run the jobs that are due, then exit.")
@click.pass_context
def worker(ctx: click.Context, concurrency: int | None, until_idle: bool) -> None:
    """Run background jobs in this process (any number of workers may share PostgreSQL)."""
    settings = _settings(ctx, log_file=None if until_idle else "worker.log")
    if concurrency:
        settings = dataclasses.replace(settings, worker_concurrency=concurrency)

    async def work(services: Any) -> None:
        runner = services.worker()
        if until_idle:
            await runner.run_until_idle()
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        await runner.run()

    _run(settings, work)


@main.command()
@click.option("--check", is_flag=True, help="Only report pending migrations; exit 1 if any.")
@click.pass_context
def migrate(ctx: click.Context, check: bool) -> None:
    """Apply pending database migrations (take a backup first in production)."""
    from ai_service.core.migrations import apply_migrations, pending_migrations

    settings = _settings(ctx)

    async def work(_: Any) -> list[str]:
        from ai_service.ops.backup import BackupError, backup_before_migrating

        pending = await pending_migrations()
        if check:
            return pending
        try:
            await backup_before_migrating(settings, pending, report=click.echo)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        return await apply_migrations(report=lambda line: click.echo(line))

    names = _run(settings, work, check_schema=False)
    if check:
        for name in names:
            click.echo(f"pending {name}")
        if names:
            ctx.exit(1)
        click.echo("database is up to date")
    elif not names:
        click.echo("database is up to date")


@main.command("makemigrations")
@click.option("--name", help="A short name for the migration.")
@click.option("--check", is_flag=True, help="Exit 1 if the models need a migration.")
def makemigrations(name: str | None, check: bool) -> None:
    """(Developers) Write a migration for model changes. Review it before committing."""
    from tortoise import Tortoise

    from ai_service.core import db, migrations

    async def work() -> str | list[str] | None:
        config = db.tortoise_config(Settings(database_url="sqlite://:memory:"))
        await Tortoise.init(config=config)
        try:
            return await (migrations.model_changes() if check else migrations.make_migration(name))
        finally:
            await Tortoise.close_connections()

    result = asyncio.run(work())
    if check:
        if result:
            click.echo("models need a migration:\n  " + "\n  ".join(result), err=True)
            sys.exit(1)
        click.echo("models and migrations agree")
    else:
        click.echo(f"wrote {result}" if result else "no changes")


@main.command("create-admin")
@click.option("--email", required=True, help="The administrator's email (their login).")
@click.option("--full-name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (automatic when it is not a terminal).")
@click.pass_context
def create_admin(ctx: click.Context, email: str, full_name: str, password_stdin: bool) -> None:
    """Create an administrator. The password is asked for, never taken as an argument."""
    from ai_service.core.client import CLI_CLIENT
    from ai_service.core.errors import AppError
    from ai_service.users.models import Role

    settings = _settings(ctx)
    password = _read_password(password_stdin)

    async def work(services: Any) -> Any:
        try:
            return await services.users.create(
                email, password, full_name, Role.ADMIN, actor=None, client=CLI_CLIENT
            )
        except AppError as exc:
            raise click.ClickException(exc.message) from exc

    user = _run(settings, work)
    click.echo(f"created administrator {user.email} (id {user.id})")


@main.group()
def users() -> None:
    """List users, reset a password."""


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Every user with role, state and last login."""
    from ai_service.users.models import User

    settings = _settings(ctx)

    async def work(_: Any) -> list[Any]:
        return list(await User.all().order_by("id"))

    rows = _run(settings, work)
    click.echo(f"{'ID':>5}  {'EMAIL':<40} {'ROLE':<7} {'ACTIVE':<6} LAST LOGIN")
    for user in rows:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
        click.echo(f"{user.id:>5}  {user.email:<40} {user.role:<7} "
                   f"{'yes' if user.is_active else 'no':<6} {last}")


@users.command("reset-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@click.pass_context
def users_reset_password(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set a new password and sign the user out everywhere."""
    from ai_service.core.client import CLI_CLIENT
    from ai_service.core.errors import AppError

    settings = _settings(ctx)
    password = _read_password(password_stdin)

    async def work(services: Any) -> None:
        user = await services.users.by_email(email)
        if user is None:
            raise click.ClickException(f"no user with email {email}")
        try:
            await services.users.reset_password(user.id, password, actor=None, client=CLI_CLIENT)
        except AppError as exc:
            raise click.ClickException(exc.message) from exc

    _run(settings, work)
    click.echo(f"password reset for {email}; their sessions are signed out")


@main.command("rotate-key")
@click.pass_context
def rotate_key(ctx: click.Context) -> None:
    """Re-seal every integration secret under the first key of INTEGRATION_CONFIG_KEY.

    Put the new key first (`k2:NEW,k1:OLD`), run this, then remove the old key. One transaction:
    either every secret moves or none does; running it again re-seals nothing."""
    from ai_service.core.errors import AppError

    settings = _settings(ctx)

    async def work(services: Any) -> Any:
        try:
            return await services.integrations.rotate()
        except AppError as exc:
            raise click.ClickException(exc.message) from exc

    report = _run(settings, work)
    click.echo(f"re-sealed {report.resealed} secret(s) in {report.integrations} integration(s) "
               f"under key '{report.primary}'")


@main.command()
@click.option("--no-retention", is_flag=True,
              help="Keep every archive (default: apply BACKUP_KEEP_DAILY / BACKUP_KEEP_WEEKLY).")
@click.pass_context
def backup(ctx: click.Context, no_retention: bool) -> None:
    """Write a backup archive into BACKUP_DIR: the database (a consistent dump), the documents,
    the vectors or what rebuilds them, and a manifest with checksums; encrypted when
    BACKUP_ENCRYPTION_KEY is set. Prints its path, size and duration."""
    from ai_service.ops.backup import create_backup, run_backup

    settings = _settings(ctx)

    async def work(_: Any) -> Any:
        if no_retention:
            return await create_backup(settings, report=click.echo)
        return await run_backup(settings, report=click.echo)

    result = _run(settings, work)
    for path in result.deleted:
        click.echo(f"deleted {path.name} (retention)")
    click.echo(f"backup written: {result.path} ({_size(result.size)}, {result.seconds:.2f} s"
               f"{', encrypted' if result.manifest['encrypted'] else ''})")


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def restore(ctx: click.Context, archive: Path) -> None:
    """Restore ARCHIVE into an empty instance (stop ai-service first). Checksums and versions
    are verified before anything is written; a backup of a newer schema is refused."""
    from ai_service.ops.backup import BackupError, restore_backup

    settings = _settings(ctx)

    async def work(services: Any) -> Any:
        try:
            return await restore_backup(settings, archive, jobs=services.jobs,
                                        registry=services.registry, report=click.echo)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc

    result = _run(settings, work, check_schema=False)
    click.echo(f"restored {sum(result.tables.values())} rows in {len(result.tables)} tables and "
               f"{result.files} files in {result.seconds:.2f} s")


@main.command("check-config")
@click.option("--offline", is_flag=True, help="Check the settings only; do not connect.")
@click.pass_context
def check_config(ctx: click.Context, offline: bool) -> None:
    """Check a (production) configuration: secrets, reachable services, writable directories.
    Prints what to fix; exit 1 when anything must be fixed."""
    from ai_service.ops.check import run_checks

    try:
        settings = load_settings(env_file=ctx.obj.get("env_file"))
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(f"FAIL  {problem}")
        click.echo(f"{len(exc.problems)} problem(s) to fix")
        ctx.exit(1)
    results = asyncio.run(run_checks(settings, online=not offline))
    failures = 0
    for result in results:
        click.echo(f"{result.status:<5} {result.name}: {result.message}")
        failures += result.status == "FAIL"
    click.echo(f"{failures} problem(s) to fix" if failures else "configuration OK")
    if failures:
        ctx.exit(1)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


@main.command("export-schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("schema.graphql"), show_default=True)
@click.option("--check", is_flag=True, help="Exit 1 if the file differs from the code.")
def export_schema(output: Path, check: bool) -> None:
    """Write the GraphQL schema (SDL) that clients are typed from."""
    from ai_service.graphql.schema import schema_sdl

    sdl = schema_sdl()
    if check:
        if not output.is_file() or output.read_text() != sdl:
            click.echo(f"{output} is out of date: run `ai-service export-schema`", err=True)
            sys.exit(1)
        click.echo(f"{output} is up to date")
        return
    output.write_text(sdl)
    click.echo(f"wrote {output}")


@main.command()
@click.pass_context
def version(ctx: click.Context) -> None:
    """Version, commit and build date."""
    from ai_service.routes.health import version_info

    try:
        settings = load_settings(env_file=ctx.obj.get("env_file"))
    except ConfigError:
        settings = Settings()
    info = version_info(settings)
    click.echo(f"ai-service {info['version']}"
               + (f" ({info['commitShort']}, built {info['buildDate']})" if info["commit"] else ""))
