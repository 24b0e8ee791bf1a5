"""One frozen Settings object, read once from the environment and an optional `.env` file.

The variable names of the Express deployment this service replaces are accepted as they are
(`NODE_ENV`, `POSTGRES_*`, `REDIS_*`, ...), so an existing `.env.production` keeps working.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from dotenv import dotenv_values

log = logging.getLogger(__name__)

MIN_SECRET_BYTES = 32
_KEYRING_ENTRY = re.compile(r"^[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9+/_=-]+$")
# A source checkout serves ./web/dist; an installed wheel (the Docker image) carries the build
# inside the package as ai_service/web_dist.
_CHECKOUT_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
_PACKAGED_WEB_DIST = Path(__file__).resolve().parent / "web_dist"
DEFAULT_WEB_DIST = (
    _PACKAGED_WEB_DIST
    if _PACKAGED_WEB_DIST.is_dir() and not _CHECKOUT_WEB_DIST.is_dir()
    else _CHECKOUT_WEB_DIST
)
_Getter = Callable[..., str | None]


class ConfigError(Exception):
    """The configuration cannot be used; `problems` names each thing to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True, slots=True)
class Settings:
    env: Literal["production", "development"] = "development"
    host: str = "127.0.0.1"
    port: int = 3001
    data_dir: Path = Path("data")
    # None means the embedded default: SQLite in data_dir.
    database_url: str | None = None
    db_pool_min: int = 1
    db_pool_max: int = 10
    # None means the in-process cache, rate limiter and pub/sub.
    redis_url: str | None = None
    redis_prefix: str = "ai-service:"
    jwt_secret: str = field(default="", repr=False)
    integration_config_key: str = field(default="", repr=False)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    influxdb_url: str | None = None
    influxdb_database: str = "ai_service"
    influxdb_retention_policy: str | None = None
    influxdb_user: str | None = None
    influxdb_password: str | None = field(default=None, repr=False)
    # InfluxDB 2/3 through their v1-compatible API: `Authorization: Token …`.
    influxdb_token: str | None = field(default=None, repr=False)
    qdrant_url: str | None = None
    qdrant_api_key: str | None = field(default=None, repr=False)
    cors_origins: tuple[str, ...] = ()
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); the client is
    # the first address from the right that is not one of them.
    trusted_proxies: tuple[str, ...] = ()
    max_request_bytes: int = 1_048_576
    # Multipart uploads (documents, market data, bank files) have their own, larger limit.
    max_upload_bytes: int = 52_428_800
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    login_max_failures: int = 5
    login_window_seconds: int = 900
    # Argon2id cost: libsodium's "interactive" profile (64 MiB, 2 passes) suits a small NAS.
    password_opslimit: int = 2
    password_memlimit: int = 67_108_864
    graphql_max_depth: int = 12
    graphql_max_aliases: int = 30
    graphql_max_tokens: int = 5_000
    graphql_max_cost: int = 20_000
    graphiql_enabled: bool = True
    worker_in_process: bool = True
    worker_concurrency: int = 2
    job_lease_seconds: float = 60.0
    job_poll_seconds: float = 2.0
    job_retention_days: int = 30
    auto_migrate: bool | None = None
    # Where the app is reached from outside (https://nas.example.com): links in Telegram
    # messages, the bot's webhook, bank consent callbacks.
    public_url: str | None = None
    # Completion goes to this provider first and falls back to the other one.
    ai_preference: Literal["ANTHROPIC", "OPENAI"] = "ANTHROPIC"
    integration_timeout_seconds: float = 15.0
    # API base URLs, for a proxy, an OpenAI-compatible server or a local Telegram Bot API server.
    openai_base_url: str | None = None
    anthropic_base_url: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    gocardless_api_url: str = "https://bankaccountdata.gocardless.com"
    enable_banking_api_url: str = "https://api.enablebanking.com"
    # Bank sync: every linked bank is synced this often (0: only on request), and a reminder
    # goes out this many days before a consent lapses.
    bank_sync_interval_hours: int = 12
    bank_consent_reminder_days: tuple[int, ...] = (7, 1)
    web_dist_dir: Path = DEFAULT_WEB_DIST
    version: str | None = None
    commit: str | None = None
    commit_short: str | None = None
    build_date: str | None = None
    # Logs: stdout always; a size-rotated file in log_dir (None: data_dir/logs) for the
    # long-running commands (serve, worker) unless LOG_FILE=false.
    log_dir: Path | None = None
    log_file: bool = True
    log_file_max_bytes: int = 10_485_760
    log_file_backups: int = 5
    # Backups: where archives go (None: data_dir/backups), the key that encrypts them, how
    # often the job queue takes one (off, hourly, daily, weekly) and how many are kept.
    backup_dir: Path | None = None
    backup_encryption_key: str = field(default="", repr=False)
    backup_schedule: Literal["off", "hourly", "daily", "weekly"] = "off"
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    # /metrics: 404 unless a bearer token is set or the caller is in metrics_allow.
    metrics_token: str = field(default="", repr=False)
    metrics_allow: tuple[str, ...] = ()
    # Names of secrets created in data_dir at this start (development only), for the start-up log.
    generated_secrets: tuple[str, ...] = ()

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url is None or self.database_url.startswith("sqlite://")

    @property
    def sqlite_path(self) -> Path:
        if self.database_url and self.database_url.startswith("sqlite://"):
            return Path(self.database_url.removeprefix("sqlite://"))
        return self.data_dir / "ai-service.sqlite3"

    @property
    def should_auto_migrate(self) -> bool:
        """Pending migrations are applied at `serve` only on the embedded default, unless told."""
        return self.uses_sqlite if self.auto_migrate is None else self.auto_migrate

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"

    @property
    def logs_path(self) -> Path:
        return self.log_dir or self.data_dir / "logs"

    @property
    def backups_path(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    @property
    def documents_path(self) -> Path:
        return self.data_dir / "documents"

    @property
    def metrics_enabled(self) -> bool:
        return bool(self.metrics_token or self.metrics_allow)


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | os.PathLike[str] | None = None
) -> Settings:
    """Read the settings; the process environment wins over the `.env` file."""
    env = dict(os.environ if environ is None else environ)
    file_name = env_file or env.get("AI_SERVICE_ENV_FILE") or ".env"
    file_values = {
        k: v for k, v in dotenv_values(file_name).items() if v is not None
    } if Path(file_name).is_file() else {}
    if env_file and not Path(env_file).is_file():
        raise ConfigError([f"env file {env_file} does not exist"])
    values = {**file_values, **env}
    return _parse(values)


def _parse(v: Mapping[str, str]) -> Settings:
    problems: list[str] = []

    def get(*names: str) -> str | None:
        for name in names:
            value = v.get(name, "").strip()
            if value:
                return value
        return None

    def integer(name: str, default: int, minimum: int = 0) -> int:
        raw = get(name)
        if raw is None:
            return default
        try:
            number = int(raw)
        except ValueError:
            problems.append(f"{name} must be a whole number, got {raw!r}")
            return default
        if number < minimum:
            problems.append(f"{name} must be at least {minimum}, got {number}")
        return number

    def number(name: str, default: float) -> float:
        raw = get(name)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            problems.append(f"{name} must be a number, got {raw!r}")
            return default

    def flag(name: str, default: bool | None) -> bool | None:
        raw = get(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        problems.append(f"{name} must be true or false, got {raw!r}")
        return default

    raw_env = (get("AI_SERVICE_ENV", "NODE_ENV") or "development").lower()
    env: Literal["production", "development"]
    if raw_env in {"production", "prod"}:
        env = "production"
    elif raw_env in {"development", "dev", "test"}:
        env = "development"
    else:
        problems.append(
            f"AI_SERVICE_ENV/NODE_ENV must be production or development, got {raw_env!r}"
        )
        env = "development"

    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level == "WARN":
        log_level = "WARNING"
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        problems.append(f"LOG_LEVEL must be one of debug, info, warning, error, got {log_level!r}")
        log_level = "INFO"
    log_format = (get("LOG_FORMAT") or "json").lower()
    if log_format not in {"json", "text"}:
        problems.append(f"LOG_FORMAT must be json or text, got {log_format!r}")
        log_format = "json"

    port = integer("PORT", 3001, minimum=1)
    if port > 65535:
        problems.append(f"PORT must be at most 65535, got {port}")

    settings = Settings(
        env=env,
        host=get("HOST") or "127.0.0.1",
        port=port,
        data_dir=Path(get("DATA_DIR") or "data"),
        database_url=_database_url(get, problems),
        db_pool_min=integer("DATABASE_POOL_MIN", 1, minimum=1),
        db_pool_max=integer("DATABASE_POOL_SIZE", 10, minimum=1),
        redis_url=_redis_url(get, problems),
        redis_prefix=get("REDIS_KEY_PREFIX") or "ai-service:",
        jwt_secret=get("JWT_SECRET") or "",
        integration_config_key=get("INTEGRATION_CONFIG_KEY") or "",
        log_level=log_level,
        log_format=log_format,  # type: ignore[arg-type]
        influxdb_url=get("INFLUXDB_URL"),
        influxdb_database=get("INFLUXDB_DATABASE", "INFLUXDB_DB") or "ai_service",
        influxdb_retention_policy=get("INFLUXDB_RETENTION_POLICY"),
        influxdb_user=get("INFLUXDB_USER", "INFLUXDB_USERNAME"),
        influxdb_password=get("INFLUXDB_PASSWORD"),
        influxdb_token=get("INFLUXDB_TOKEN"),
        qdrant_url=get("QDRANT_URL"),
        qdrant_api_key=get("QDRANT_API_KEY"),
        cors_origins=tuple(o.strip().rstrip("/") for o in (get("CORS_ORIGINS") or "").split(",")
                           if o.strip()),
        trusted_proxies=_networks(get("TRUSTED_PROXIES"), problems),
        max_request_bytes=integer("MAX_REQUEST_BYTES", 1_048_576, minimum=1024),
        max_upload_bytes=integer("MAX_UPLOAD_BYTES", 52_428_800, minimum=1024),
        access_token_minutes=integer("ACCESS_TOKEN_MINUTES", 15, minimum=1),
        refresh_token_days=integer("REFRESH_TOKEN_DAYS", 30, minimum=1),
        login_max_failures=integer("LOGIN_MAX_FAILURES", 5, minimum=1),
        login_window_seconds=integer("LOGIN_WINDOW_SECONDS", 900, minimum=1),
        password_opslimit=integer("PASSWORD_HASH_OPSLIMIT", 2, minimum=1),
        password_memlimit=integer("PASSWORD_HASH_MEMLIMIT", 67_108_864, minimum=8192),
        graphql_max_depth=integer("GRAPHQL_MAX_DEPTH", 12, minimum=2),
        graphql_max_aliases=integer("GRAPHQL_MAX_ALIASES", 30, minimum=1),
        graphql_max_tokens=integer("GRAPHQL_MAX_TOKENS", 5_000, minimum=100),
        graphql_max_cost=integer("GRAPHQL_MAX_COST", 20_000, minimum=10),
        graphiql_enabled=bool(flag("GRAPHIQL_ENABLED", True)),
        worker_in_process=bool(flag("WORKER_IN_PROCESS", True)),
        worker_concurrency=integer("WORKER_CONCURRENCY", 2, minimum=1),
        job_lease_seconds=number("JOB_LEASE_SECONDS", 60.0),
        job_poll_seconds=number("JOB_POLL_SECONDS", 2.0),
        job_retention_days=integer("JOB_RETENTION_DAYS", 30, minimum=1),
        auto_migrate=flag("AUTO_MIGRATE", None),
        public_url=_http_url(get, "PUBLIC_URL", problems),
        ai_preference=_choice(get, "AI_COMPLETION_PROVIDER", ("ANTHROPIC", "OPENAI"),
                              problems),  # type: ignore[arg-type]
        integration_timeout_seconds=number("INTEGRATION_TIMEOUT_SECONDS", 15.0),
        openai_base_url=_http_url(get, "OPENAI_BASE_URL", problems),
        anthropic_base_url=_http_url(get, "ANTHROPIC_BASE_URL", problems),
        telegram_api_url=_http_url(get, "TELEGRAM_API_URL", problems)
        or "https://api.telegram.org",
        gocardless_api_url=_http_url(get, "GOCARDLESS_API_URL", problems)
        or "https://bankaccountdata.gocardless.com",
        enable_banking_api_url=_http_url(get, "ENABLE_BANKING_API_URL", problems)
        or "https://api.enablebanking.com",
        bank_sync_interval_hours=integer("BANK_SYNC_INTERVAL_HOURS", 12, minimum=0),
        bank_consent_reminder_days=_days_list(get, "BANK_CONSENT_REMINDER_DAYS", (7, 1),
                                              problems),
        web_dist_dir=Path(get("WEB_DIST_DIR") or DEFAULT_WEB_DIST),
        version=get("VERSION", "APP_VERSION"),
        commit=get("COMMIT", "GIT_COMMIT"),
        commit_short=get("COMMIT_SHORT"),
        build_date=get("BUILD_DATE"),
        log_dir=Path(raw) if (raw := get("LOG_DIR")) else None,
        log_file=bool(flag("LOG_FILE", True)),
        log_file_max_bytes=integer("LOG_FILE_MAX_BYTES", 10_485_760, minimum=4096),
        log_file_backups=integer("LOG_FILE_BACKUPS", 5, minimum=1),
        backup_dir=Path(raw) if (raw := get("BACKUP_DIR")) else None,
        backup_encryption_key=get("BACKUP_ENCRYPTION_KEY") or "",
        backup_schedule=_choice(  # type: ignore[arg-type]
            get, "BACKUP_SCHEDULE", ("OFF", "HOURLY", "DAILY", "WEEKLY"), problems,
            default="DAILY" if env == "production" else "OFF").lower(),
        backup_keep_daily=integer("BACKUP_KEEP_DAILY", 7, minimum=0),
        backup_keep_weekly=integer("BACKUP_KEEP_WEEKLY", 4, minimum=0),
        metrics_token=get("METRICS_TOKEN") or "",
        metrics_allow=_networks(get("METRICS_ALLOW"), problems, "METRICS_ALLOW"),
    )
    if settings.db_pool_min > settings.db_pool_max:
        problems.append("DATABASE_POOL_MIN must not exceed DATABASE_POOL_SIZE")
    if settings.is_production:
        problems += _secret_problems(settings)
    if settings.backup_encryption_key and (
        strength := secret_strength(settings.backup_encryption_key)
    ) < MIN_SECRET_BYTES:
        problems.append(f"BACKUP_ENCRYPTION_KEY is too weak: {strength} bytes, at least "
                        f"{MIN_SECRET_BYTES} are required")
    if problems:
        raise ConfigError(problems)
    return settings


def _database_url(get: _Getter, problems: list[str]) -> str | None:
    url = get("DATABASE_URL")
    if url:
        if url.startswith(("postgresql://", "postgres://")):
            # Tortoise names the asyncpg backend "postgres".
            return "postgres://" + url.split("://", 1)[1]
        if url.startswith("sqlite://"):
            return url
        problems.append("DATABASE_URL must start with postgresql://, postgres:// or sqlite://")
        return None
    host = get("POSTGRES_HOST")
    if not host:
        return None
    user = quote(get("POSTGRES_USER") or "postgres", safe="")
    password = get("POSTGRES_PASSWORD")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    port = get("POSTGRES_PORT") or "5432"
    database = quote(get("POSTGRES_DB") or "ai_service", safe="")
    return f"postgres://{auth}@{host}:{port}/{database}"


def _networks(raw: str | None, problems: list[str], name: str = "TRUSTED_PROXIES"
              ) -> tuple[str, ...]:
    entries = tuple(e.strip() for e in (raw or "").split(",") if e.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(f"{name}: {entry!r} is not an IP address or network")
    return entries


def _http_url(get: _Getter, name: str, problems: list[str]) -> str | None:
    url = get(name)
    if url is None:
        return None
    if not url.startswith(("http://", "https://")):
        problems.append(f"{name} must start with http:// or https://")
        return None
    return url.rstrip("/")


def _choice(get: _Getter, name: str, choices: tuple[str, ...], problems: list[str],
            default: str | None = None) -> str:
    fallback = default or choices[0]
    value = (get(name) or fallback).upper()
    if value not in choices:
        problems.append(f"{name} must be one of {', '.join(c.lower() for c in choices)}")
        return fallback
    return value


def _days_list(get: _Getter, name: str, default: tuple[int, ...], problems: list[str]
               ) -> tuple[int, ...]:
    raw = get(name)
    if raw is None:
        return default
    try:
        days = sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
    except ValueError:
        problems.append(f"{name} must be whole numbers of days separated by commas, got {raw!r}")
        return default
    if any(d < 1 for d in days):
        problems.append(f"{name} must list days of at least 1, got {raw!r}")
        return default
    return tuple(days)


def _redis_url(get: _Getter, problems: list[str]) -> str | None:
    url = get("REDIS_URL")
    if url:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            problems.append("REDIS_URL must start with redis://, rediss:// or unix://")
            return None
        return url
    host = get("REDIS_HOST")
    if not host:
        return None
    password = get("REDIS_PASSWORD")
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{host}:{get('REDIS_PORT') or '6379'}/{get('REDIS_DB') or '0'}"


def secret_strength(value: str) -> int:
    """Bytes of key material: a keyring (`id:base64,...`) counts its weakest key."""
    entries = [e.strip() for e in value.split(",") if e.strip()]
    if entries and all(_KEYRING_ENTRY.match(e) for e in entries):
        try:
            return min(len(_b64decode(e.split(":", 1)[1])) for e in entries)
        except (binascii.Error, ValueError):
            pass
    return len(value.encode())


def _b64decode(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    if "-" in text or "_" in text:
        return base64.urlsafe_b64decode(padded)
    return base64.b64decode(padded, validate=True)


def _secret_problems(settings: Settings) -> list[str]:
    problems = []
    for name, value in (("JWT_SECRET", settings.jwt_secret),
                        ("INTEGRATION_CONFIG_KEY", settings.integration_config_key)):
        if not value:
            problems.append(f"{name} is missing: production needs at least {MIN_SECRET_BYTES} "
                            "random bytes (e.g. `openssl rand -base64 48`)")
        elif (strength := secret_strength(value)) < MIN_SECRET_BYTES:
            problems.append(f"{name} is too weak: {strength} bytes, at least {MIN_SECRET_BYTES} "
                            "are required")
    return problems


def _read_secret(path: Path) -> str | None:
    """A stored key, or None when there is none worth using (missing, empty, truncated)."""
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        return None
    return value if secret_strength(value) >= MIN_SECRET_BYTES else None


def ensure_development_secrets(settings: Settings) -> Settings:
    """Development creates the secrets it lacks, once, in data_dir/secrets (0600)."""
    if settings.is_production:
        return settings
    generated: list[str] = []
    values: dict[str, str] = {}
    makers: dict[str, Callable[[], str]] = {
        "jwt_secret": lambda: secrets.token_urlsafe(48),
        "integration_config_key": lambda: "k1:"
        + base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    for attr, make in makers.items():
        if given := getattr(settings, attr):
            if secret_strength(given) < MIN_SECRET_BYTES:
                log.warning("%s is weaker than %d bytes: production would refuse it",
                            attr.upper(), MIN_SECRET_BYTES)
            continue
        path = settings.secrets_dir / attr
        if (stored := _read_secret(path)) is not None:
            values[attr] = stored
            continue
        settings.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written to a private temporary file, then linked into place: the key appears whole
        # or not at all, and of two processes starting at once the first one wins.
        temporary = path.with_name(f".{attr}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(make() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():  # present but unusable (empty, truncated): replace it
            path.unlink()
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process just wrote one: use theirs
            pass
        finally:
            temporary.unlink()
        stored = _read_secret(path)
        if stored is None:
            raise ConfigError([f"could not create {path}"])
        values[attr] = stored
        generated.append(attr.upper())
        log.warning("generated %s in %s (development only: production must set it)",
                    attr.upper(), settings.secrets_dir)
    if not values:
        return settings
    return replace(
        settings,
        generated_secrets=tuple(generated),
        jwt_secret=values.get("jwt_secret", settings.jwt_secret),
        integration_config_key=values.get(
            "integration_config_key", settings.integration_config_key
        ),
    )
