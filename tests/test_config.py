"""Settings: the variable names of the deployment this replaces, and production's refusals."""

from __future__ import annotations

import base64
import logging
import os
import stat
from pathlib import Path

import pytest

from ai_service.config import (
    ConfigError,
    ensure_development_secrets,
    load_settings,
    secret_strength,
)
from support.processes import embedded_env, run_cli

STRONG = "s" * 40
KEYRING = "k1:" + base64.b64encode(b"\x01" * 32).decode()


def test_defaults_are_the_embedded_default() -> None:
    settings = load_settings(environ={}, env_file=None)
    assert settings.env == "development"
    assert settings.port == 3001
    assert settings.database_url is None
    assert settings.uses_sqlite
    assert settings.sqlite_path == Path("data/ai-service.sqlite3")
    assert settings.redis_url is None
    assert settings.should_auto_migrate


def test_node_env_and_ai_service_env() -> None:
    assert load_settings(environ={"NODE_ENV": "development"}).env == "development"
    production = {"NODE_ENV": "production", "JWT_SECRET": STRONG, "INTEGRATION_CONFIG_KEY": KEYRING}
    assert load_settings(environ=production).is_production
    # AI_SERVICE_ENV wins over NODE_ENV.
    assert load_settings(environ={**production, "AI_SERVICE_ENV": "development"}).env == "development"
    with pytest.raises(ConfigError, match="production or development"):
        load_settings(environ={"AI_SERVICE_ENV": "staging"})


def test_database_url_forms() -> None:
    for scheme in ("postgresql", "postgres"):
        settings = load_settings(environ={"DATABASE_URL": f"{scheme}://u:p@db:5432/app"})
        assert settings.database_url == "postgres://u:p@db:5432/app"
        assert not settings.uses_sqlite
        assert not settings.should_auto_migrate
    composed = load_settings(environ={
        "POSTGRES_HOST": "db", "POSTGRES_PORT": "6543", "POSTGRES_DB": "money",
        "POSTGRES_USER": "svc", "POSTGRES_PASSWORD": "p@ss:w/rd"})
    assert composed.database_url == "postgres://svc:p%40ss%3Aw%2Frd@db:6543/money"
    with pytest.raises(ConfigError, match="DATABASE_URL must start with"):
        load_settings(environ={"DATABASE_URL": "mysql://x"})


def test_redis_url_forms() -> None:
    assert load_settings(environ={"REDIS_URL": "redis://cache:6379/2"}).redis_url == "redis://cache:6379/2"
    composed = load_settings(environ={"REDIS_HOST": "cache", "REDIS_PASSWORD": "se cret"})
    assert composed.redis_url == "redis://:se%20cret@cache:6379/0"
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings(environ={"REDIS_URL": "http://cache"})


def test_production_names_every_problem() -> None:
    with pytest.raises(ConfigError) as missing:
        load_settings(environ={"NODE_ENV": "production"})
    assert len(missing.value.problems) == 2
    assert "JWT_SECRET is missing" in missing.value.problems[0]
    assert "INTEGRATION_CONFIG_KEY is missing" in missing.value.problems[1]
    with pytest.raises(ConfigError) as weak:
        load_settings(environ={"NODE_ENV": "production", "JWT_SECRET": "short",
                               "INTEGRATION_CONFIG_KEY": "k1:" + base64.b64encode(b"x" * 16).decode()})
    assert weak.value.problems == [
        "JWT_SECRET is too weak: 5 bytes, at least 32 are required",
        "INTEGRATION_CONFIG_KEY is too weak: 16 bytes, at least 32 are required",
    ]
    assert "short" not in str(weak.value)  # the message never echoes a secret


def test_secret_strength() -> None:
    assert secret_strength(KEYRING) == 32
    assert secret_strength(KEYRING + ",old:" + base64.b64encode(b"y" * 20).decode()) == 20
    assert secret_strength("a" * 64) == 64  # a plain passphrase counts its bytes


def test_invalid_numbers_are_reported() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(environ={"PORT": "eighty", "DATABASE_POOL_SIZE": "0", "LOG_LEVEL": "loud",
                               "TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"})
    text = str(error.value)
    assert "PORT must be a whole number" in text
    assert "DATABASE_POOL_SIZE must be at least 1" in text
    assert "LOG_LEVEL must be one of" in text
    assert "'proxy.local' is not an IP address or network" in text


def test_env_file_and_environment_precedence(tmp_path: Path) -> None:
    env_file = tmp_path / ".env.production"
    env_file.write_text(f"NODE_ENV=production\nPORT=4000\nJWT_SECRET={STRONG}\n"
                        f"INTEGRATION_CONFIG_KEY={KEYRING}\nLOG_LEVEL=warn\n")
    settings = load_settings(environ={"PORT": "5000"}, env_file=env_file)
    assert settings.is_production
    assert settings.port == 5000  # the environment wins
    assert settings.log_level == "WARNING"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={}, env_file=tmp_path / "missing.env")


def test_development_creates_its_secrets_once(tmp_path: Path) -> None:
    settings = ensure_development_secrets(load_settings(environ={"DATA_DIR": str(tmp_path)}))
    assert set(settings.generated_secrets) == {"JWT_SECRET", "INTEGRATION_CONFIG_KEY"}
    assert secret_strength(settings.jwt_secret) >= 32
    assert secret_strength(settings.integration_config_key) == 32
    for name in ("jwt_secret", "integration_config_key"):
        mode = stat.S_IMODE(os.stat(tmp_path / "secrets" / name).st_mode)
        assert mode == 0o600
    again = ensure_development_secrets(load_settings(environ={"DATA_DIR": str(tmp_path)}))
    assert again.generated_secrets == ()
    assert (again.jwt_secret, again.integration_config_key) == (
        settings.jwt_secret, settings.integration_config_key)


def test_an_empty_or_truncated_key_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "jwt_secret").write_text("")
    (tmp_path / "secrets" / "integration_config_key").write_text("k1:c2hvcnQ=\n")
    settings = ensure_development_secrets(load_settings(environ={"DATA_DIR": str(tmp_path)}))
    assert set(settings.generated_secrets) == {"JWT_SECRET", "INTEGRATION_CONFIG_KEY"}
    assert secret_strength(settings.jwt_secret) >= 32
    assert (tmp_path / "secrets" / "jwt_secret").read_text().strip() == settings.jwt_secret
    assert list((tmp_path / "secrets").glob(".*tmp")) == []


def test_development_warns_about_a_weak_secret(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    with caplog.at_level(logging.WARNING, logger="ai_service.config"):
        ensure_development_secrets(load_settings(environ={"DATA_DIR": str(tmp_path), "JWT_SECRET": "changeme"}))
    assert "JWT_SECRET is weaker than 32 bytes" in caplog.text
    assert "changeme" not in caplog.text


def test_production_never_generates_secrets(tmp_path: Path) -> None:
    settings = load_settings(environ={"NODE_ENV": "production", "DATA_DIR": str(tmp_path),
                                      "JWT_SECRET": STRONG, "INTEGRATION_CONFIG_KEY": KEYRING})
    assert ensure_development_secrets(settings) is settings
    assert not (tmp_path / "secrets").exists()


def test_serve_refuses_production_without_keys(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "NODE_ENV": "production", "DATA_DIR": str(tmp_path)}
    result = run_cli(env, "serve")
    assert result.returncode == 2
    assert "JWT_SECRET is missing" in result.stderr
    assert "INTEGRATION_CONFIG_KEY is missing" in result.stderr


def test_development_start_logs_the_secrets_it_created(
    backend_env: dict[str, str], tmp_path: Path
) -> None:
    env = embedded_env(backend_env, tmp_path, LOG_LEVEL="INFO")
    del env["JWT_SECRET"], env["INTEGRATION_CONFIG_KEY"]
    result = run_cli(env, "migrate")
    assert result.returncode == 0, result.stderr
    assert "generated JWT_SECRET" in result.stdout
    assert "generated INTEGRATION_CONFIG_KEY" in result.stdout
    assert (tmp_path / "secrets" / "jwt_secret").read_text().strip() not in result.stdout
    again = run_cli(env, "migrate")
    assert "generated" not in again.stdout  # once, then reused


def test_logs_never_carry_the_secrets(caplog: pytest.LogCaptureFixture) -> None:
    from ai_service.core.logging import JsonFormatter, redact

    redact(STRONG)
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "token was %s", (STRONG,), None)
    assert STRONG not in JsonFormatter().format(record)
    assert "[redacted]" in JsonFormatter().format(record)
