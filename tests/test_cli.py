"""The `ai-service` command, run as a real subprocess against this run's database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.accounts import ADMIN_EMAIL
from support.graphql_client import LOGIN, GraphQLClient
from support.live_server import LiveServer
from support.processes import embedded_env, run_cli

COMMANDS = [
    ["serve"], ["worker"], ["migrate"], ["makemigrations"], ["create-admin"], ["users"],
    ["users", "list"], ["users", "reset-password"], ["export-schema"], ["version"],
    ["backup"], ["restore"], ["check-config"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(backend_env: dict[str, str], command: list[str]) -> None:
    result = run_cli(backend_env, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: python -m ai_service" in result.stdout


def test_create_admin_reads_the_password_from_stdin(
    server: LiveServer, gql: GraphQLClient, backend_env: dict[str, str]
) -> None:
    result = run_cli(backend_env, "create-admin", "--email", "Root@Example.com", "--full-name", "Root",
                     "--password-stdin", stdin="a very long admin password\n")
    assert result.returncode == 0, result.stderr
    assert "created administrator root@example.com" in result.stdout
    assert "a very long admin password" not in result.stdout + result.stderr
    payload = gql.login("root@example.com", "a very long admin password")
    assert payload["user"]["role"] == "ADMIN"
    assert gql.data("{ needsSetup }")["needsSetup"] is False
    # The same email again is a clear error, not a traceback.
    again = run_cli(backend_env, "create-admin", "--email", "root@example.com", stdin="another long password\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_create_admin_refuses_a_short_password(server: LiveServer, backend_env: dict[str, str]) -> None:
    result = run_cli(backend_env, "create-admin", "--email", "x@example.com", stdin="short\n")
    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr


def test_users_list_and_reset_password(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], backend_env: dict[str, str]
) -> None:
    listed = run_cli(backend_env, "users", "list")
    assert listed.returncode == 0, listed.stderr
    assert ADMIN_EMAIL in listed.stdout
    assert "ADMIN" in listed.stdout

    reset = run_cli(backend_env, "users", "reset-password", "--email", ADMIN_EMAIL,
                    stdin="the password after reset\n")
    assert reset.returncode == 0, reset.stderr
    assert gql.error("{ me { id } }", token=admin["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.login(ADMIN_EMAIL, "the password after reset")
    unknown = run_cli(backend_env, "users", "reset-password", "--email", "ghost@example.com",
                      stdin="the password after reset\n")
    assert unknown.returncode == 1
    assert "no user with email" in unknown.stderr
    actions = [e["node"]["action"] for e in gql.data(
        "{ auditLog(first: 20) { edges { node { action } } } }",
        token=gql.login(ADMIN_EMAIL, "the password after reset")["accessToken"])["auditLog"]["edges"]]
    assert "user.password_reset" in actions
    assert gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": "correct horse battery staple"})


def test_export_schema(backend_env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "schema.graphql"
    written = run_cli(backend_env, "export-schema", "--output", str(target))
    assert written.returncode == 0, written.stderr
    assert "type Query" in target.read_text()
    assert run_cli(backend_env, "export-schema", "--output", str(target), "--check").returncode == 0
    target.write_text(target.read_text() + "\n# edited\n")
    stale = run_cli(backend_env, "export-schema", "--output", str(target), "--check")
    assert stale.returncode == 1
    assert "out of date" in stale.stderr


def test_version(backend_env: dict[str, str]) -> None:
    result = run_cli({**backend_env, "VERSION": "9.9.9", "COMMIT": "abcdef0123"}, "version")
    assert result.stdout.strip().startswith("ai-service 9.9.9 (abcdef0")


def test_models_and_migrations_agree(backend_env: dict[str, str]) -> None:
    result = run_cli(backend_env, "makemigrations", "--check")
    assert result.returncode == 0, result.stderr
    assert "agree" in result.stdout


def test_worker_until_idle_runs_the_due_jobs(backend_env: dict[str, str], tmp_path: Path) -> None:
    import sqlite3

    env = embedded_env(backend_env, tmp_path)
    assert run_cli(env, "migrate").returncode == 0
    result = run_cli(env, "worker", "--until-idle")  # the periodic clean-ups are due at once
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "ai-service.sqlite3") as db:
        rows = db.execute("SELECT kind, state FROM jobs ORDER BY kind").fetchall()
    assert rows == [("bank.consent_reminders", "SUCCEEDED"), ("bank.sync_all", "SUCCEEDED"),
                    ("jobs.purge_finished", "SUCCEEDED"), ("trading.signals", "SUCCEEDED"),
                    ("users.purge_sessions", "SUCCEEDED")]


def test_worker_refuses_an_unmigrated_database(backend_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(embedded_env(backend_env, tmp_path), "worker", "--until-idle")
    assert result.returncode == 1
    assert "ai-service migrate" in result.stderr


def test_create_admin_prompts_for_the_password_on_a_terminal(
    server: LiveServer, gql: GraphQLClient, backend_env: dict[str, str]
) -> None:
    import os
    import subprocess
    import sys

    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_service", "create-admin", "--email", "tty@example.com"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=backend_env, close_fds=True,
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        while marker not in output:
            chunk = os.read(controller, 1024)
            assert chunk, output
            output += chunk

    try:
        read_until(b"Password:")
        os.write(controller, b"typed on a terminal\n")
        read_until(b"Repeat for confirmation:")
        os.write(controller, b"typed on a terminal\n")
        assert process.wait(60) == 0, output
    finally:
        os.close(controller)
        process.kill()
    assert b"typed on a terminal" not in output  # not echoed
    assert gql.login("tty@example.com", "typed on a terminal")["user"]["role"] == "ADMIN"
