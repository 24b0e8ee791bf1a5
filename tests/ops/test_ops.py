"""Operations end to end: backup and restore (on this run's backend), check-config, /metrics and
the log file, through the real `ai-service` command and real servers."""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import json
import re
import secrets
import sqlite3
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, make_member
from support.backend import BACKEND
from support.docfiles import make_pdf, uploaded
from support.documents import CONTRACT, ingested, search
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.processes import embedded_env, free_port, run_cli, served
from support.waiting import wait_for

OPENAI_SECRET = "sk-proj-" + "Ops7Backup9Restore" * 3 + "1a2b"
# Claude, not OpenAI, in the round trip: an OpenAI key would make the restored instance embed
# documents through OpenAI (unreachable here), and search results could not be compared.
CLAUDE_SECRET = "sk-ant-api03-" + "Ops7Backup9Restore" * 3 + "3c4d"
SET = """mutation($p: IntegrationProvider!, $v: [IntegrationValueInput!]!) {
  setIntegration(provider: $p, values: $v) { provider configured } }"""


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _written(result: Any) -> Path:
    assert result.returncode == 0, result.stderr + result.stdout
    match = re.search(r"backup written: (\S+) \(", result.stdout)
    assert match, result.stdout
    return Path(match.group(1))


def _members(archive: Path, key: str | None = None) -> dict[str, bytes]:
    """Every file in an archive (decrypting it with `key`)."""
    from ai_service.ops.backup import _DecryptingReader, _key

    with archive.open("rb") as raw:
        source: Any = io.BufferedReader(_DecryptingReader(raw, _key(key))) if key else raw
        with tarfile.open(fileobj=source, mode="r|gz") as tar:
            out = {}
            for member in tar:
                if member.isfile():
                    extracted = tar.extractfile(member)
                    assert extracted is not None
                    out[member.name] = extracted.read()
            return out


def _fresh_target(backend_env: dict[str, str], data_dir: Path) -> tuple[dict[str, str], str | None]:
    """An empty instance on this run's backend: a new data dir, and a new PostgreSQL database."""
    if BACKEND == "services":
        from support.pgadmin import create_database

        url = create_database()
        return {**backend_env, "DATA_DIR": str(data_dir), "DATABASE_URL": url,
                "REDIS_KEY_PREFIX": f"ai-service-restore-{secrets.token_hex(4)}:"}, url
    return embedded_env(backend_env, data_dir), None


def test_backup_wipe_restore_compares_every_table_and_file(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], backend_env: dict[str, str],
    tmp_path: Path,
) -> None:
    from ai_service.core.jobs.models import Job
    from ai_service.platform.ai.models import AiUsage

    # Data in many shapes: users, sessions, audit events, a sealed secret, JSON, decimals.
    token = admin["accessToken"]
    make_member(gql, token)
    gql.data(SET, {"p": "ANTHROPIC", "v": [{"key": "apiKey", "value": CLAUDE_SECRET}]},
             token=token)
    # A real document, ingested, and what searching it finds.
    document = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    assert ingested(gql, token, document["id"])["status"] == "READY"
    found = [(h["document"]["title"], h["page"], h["text"])
             for h in search(gql, token, "termination notice")]
    assert found

    async def rows() -> None:
        await AiUsage.create(provider="OPENAI", model="gpt-test", operation="complete",
                             input_tokens=123, output_tokens=45, latency_ms=678,
                             cost_usd=Decimal("0.012345"), succeeded=False, error="boom")
        await Job.create(kind="ops.test.never", payload={"a": [1, {"b": "ü"}], "n": None},
                         run_at=datetime(2999, 1, 1, tzinfo=UTC))

    server.call(rows)
    documents = Path(backend_env["DATA_DIR"]) / "documents"
    files = {"a/invoice.pdf": secrets.token_bytes(70_000), "b/c/notes.txt": "héllo\n".encode()}
    for name, content in files.items():
        (documents / name).parent.mkdir(parents=True, exist_ok=True)
        (documents / name).write_bytes(content)
    key = _key()
    try:
        source_env = {**backend_env, "BACKUP_DIR": str(tmp_path / "backups"),
                      "BACKUP_ENCRYPTION_KEY": key}
        backup = run_cli(source_env, "backup")
        archive = _written(backup)
        assert archive.name.endswith(".tar.gz.enc")
        assert re.search(r"\(\d+(\.\d)? (B|KiB|MiB), \d+\.\d\d s, encrypted\)", backup.stdout)
    finally:
        import shutil

        shutil.rmtree(documents, ignore_errors=True)
    before = _members(archive, key)
    manifest = json.loads(before["manifest.json"])
    assert manifest["backend"] == ("postgres" if BACKEND == "services" else "sqlite")
    assert manifest["schema_revision"] == manifest["migrations"][-1]
    assert manifest["tables"]["users"] == 2
    assert manifest["tables"]["ai_usage"] == 1
    for name, content in files.items():
        assert before[f"documents/{name}"] == content
        assert manifest["files"][f"documents/{name}"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert CLAUDE_SECRET.encode() not in b"".join(before.values())  # sealed, never plain
    assert CLAUDE_SECRET.encode() not in archive.read_bytes()

    target, database_url = _fresh_target(backend_env, tmp_path / "restored")
    try:
        refused = run_cli(target, "restore", str(archive))
        assert refused.returncode == 1
        assert "BACKUP_ENCRYPTION_KEY" in refused.stderr
        wrong = run_cli({**target, "BACKUP_ENCRYPTION_KEY": _key()}, "restore", str(archive))
        assert wrong.returncode == 1
        assert "not the key this backup was made with" in wrong.stderr

        restored = run_cli({**target, "BACKUP_ENCRYPTION_KEY": key}, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr + restored.stdout
        assert "verified" in restored.stdout
        # The two files written above, and the PDF.
        assert re.search(r"restored \d+ rows in \d+ tables and 3 files", restored.stdout)
        for name, content in files.items():
            assert (tmp_path / "restored/documents" / name).read_bytes() == content

        # Every table, row for row: the restored instance dumps exactly what was backed up.
        after = _members(_written(run_cli({**target, "BACKUP_DIR": str(tmp_path / "again")},
                                          "backup")))
        tables = sorted(n for n in before if n.startswith("database/"))
        assert tables == sorted(n for n in after if n.startswith("database/"))
        assert len(tables) >= 10
        # The restore queued one job of its own: rebuilding the vectors, which no backup holds
        # while the server has the local vector folder open.
        assert "queued documents.reindex" in restored.stdout
        rebuild = [line for line in after["database/jobs.jsonl"].splitlines(keepends=True)
                   if b'"documents.reindex"' in line]
        assert len(rebuild) == 1
        after["database/jobs.jsonl"] = after["database/jobs.jsonl"].replace(rebuild[0], b"")
        for name in tables:
            assert after[name] == before[name], name
        counts = json.loads(after["manifest.json"])["tables"]
        assert counts == {**manifest["tables"], "jobs": manifest["tables"]["jobs"] + 1}

        again = run_cli({**target, "BACKUP_ENCRYPTION_KEY": key}, "restore", str(archive))
        assert again.returncode == 1
        assert "empty instance" in again.stderr

        # And the app works on it: the same people sign in, the sealed key still opens.
        with served(target) as url:
            client = GraphQLClient(url)
            login = client.login(ADMIN_EMAIL, "correct horse battery staple")
            listed = client.data("{ integrations { provider configured } }",
                                 token=login["accessToken"])["integrations"]
            assert {"provider": "ANTHROPIC", "configured": True} in listed
            assert client.login("member@example.com", "member password 123")
            # The vectors were rebuilt by the reindex job: search finds the same passages.
            admin_token = login["accessToken"]
            assert ingested(client, admin_token, document["id"])["status"] == "READY"
            again = wait_for(lambda: [(h["document"]["title"], h["page"], h["text"])
                                      for h in search(client, admin_token, "termination notice")
                                      ] == found or None, 60, "the same search results")
            assert again
            client.http.close()
    finally:
        if database_url:
            from support.pgadmin import drop_database

            drop_database(database_url)


def _small_archive(backend_env: dict[str, str], tmp_path: Path) -> Path:
    env = embedded_env(backend_env, tmp_path / "src", BACKUP_DIR=str(tmp_path / "bk"))
    assert run_cli(env, "migrate").returncode == 0
    assert run_cli(env, "create-admin", "--email", "x@example.com",
                   stdin="a long enough password\n").returncode == 0
    return _written(run_cli(env, "backup"))


def _rewrite(archive: Path, target: Path, change: dict[str, bytes]) -> Path:
    members = _members(archive)
    members.update(change)
    with tarfile.open(target, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return target


def test_restore_verifies_before_it_writes(backend_env: dict[str, str], tmp_path: Path) -> None:
    archive = _small_archive(backend_env, tmp_path)
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    target = embedded_env(backend_env, tmp_path / "target")

    users = members["database/users.jsonl"].replace(b"x@example.com", b"y@example.com")
    damaged = run_cli(target, "restore",
                      str(_rewrite(archive, tmp_path / "damaged.tar.gz", {"database/users.jsonl": users})))
    assert damaged.returncode == 1
    assert "does not match its checksum" in damaged.stderr

    newer = orjson.dumps({**manifest, "schema_revision": "9999_from_the_future",
                          "version": "99.0.0"})
    future = run_cli(target, "restore",
                     str(_rewrite(archive, tmp_path / "newer.tar.gz", {"manifest.json": newer})))
    assert future.returncode == 1
    assert "newer than this ai-service" in future.stderr

    smuggled = run_cli(target, "restore", str(_rewrite(
        archive, tmp_path / "extra.tar.gz", {"database/evil.jsonl": b"{}\n"})))
    assert smuggled.returncode == 1
    assert "not in the manifest" in smuggled.stderr
    # Nothing was written by any of them.
    assert not (tmp_path / "target" / "ai-service.sqlite3").exists() or not sqlite3.connect(
        tmp_path / "target" / "ai-service.sqlite3").execute(
        "SELECT name FROM sqlite_master WHERE name = 'users'").fetchall()


def test_retention_keeps_daily_and_weekly(tmp_path: Path) -> None:
    from ai_service.ops.backup import apply_retention

    names = [f"ai-service-202611{d:02d}T0{h}0000Z.tar.gz" for d in range(1, 26) for h in (1, 3)]
    names += ["ai-service-20261125T050000Z-pre-migrate.tar.gz.enc", "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    deleted = apply_retention(tmp_path, keep_daily=3, keep_weekly=2)
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert "notes.txt" in kept
    assert "ai-service-20261125T050000Z-pre-migrate.tar.gz.enc" in kept
    assert "ai-service-20261124T030000Z.tar.gz" in kept
    assert "ai-service-20261123T030000Z.tar.gz" in kept
    assert "ai-service-20261122T030000Z.tar.gz" in kept  # the newest of ISO week 47
    assert len(kept) == 5
    assert len(deleted) == len(names) - 5


@pytest.mark.embedded_only
def _table_of(model_name: str) -> str:
    from ai_service.core.db import MODEL_MODULES

    for name in MODEL_MODULES:
        model = getattr(importlib.import_module(name), model_name, None)
        if model is not None:
            return str(model._meta.db_table)
    raise LookupError(model_name)


def test_production_backs_up_before_migrating(backend_env: dict[str, str], tmp_path: Path) -> None:
    env = embedded_env(backend_env, tmp_path, AI_SERVICE_ENV="production",
                       BACKUP_DIR=str(tmp_path / "bk"))
    assert run_cli(env, "migrate").returncode == 0
    assert not (tmp_path / "bk").exists()  # an empty database: nothing to keep
    assert run_cli(env, "create-admin", "--email", "x@example.com",
                   stdin="a long enough password\n").returncode == 0
    # Pretend the last migration is new: forget it and drop what it created.
    import ai_service.migrations

    shipped = Path(ai_service.migrations.__file__).parent.glob("0*.py")
    *earlier, last = sorted(p.stem for p in shipped)
    module = importlib.import_module(f"ai_service.migrations.{last}")
    created = [op.options["table"] for op in module.Migration.operations
               if getattr(op, "options", None) and "table" in op.options]
    # Columns it added to older tables go too (a foreign key to a table it created).
    added = [(_table_of(op.model_name), getattr(op.field, "source_field", None) or op.name)
             for op in module.Migration.operations if type(op).__name__ == "AddField"]
    indexed = [(_table_of(op.model_name), list(op.index.fields))
               for op in module.Migration.operations if type(op).__name__ == "AddIndex"]
    with sqlite3.connect(tmp_path / "ai-service.sqlite3") as db:
        assert db.execute("SELECT max(name) FROM tortoise_migrations").fetchone() == (last,)
        db.execute("DELETE FROM tortoise_migrations WHERE name = ?", [last])
        for table, columns in indexed:  # indexes it added to older tables
            for (name, sql) in db.execute("SELECT name, sql FROM sqlite_master WHERE "
                                          "type = 'index' AND tbl_name = ?", [table]):
                if sql and all(column in sql for column in columns):
                    db.execute(f'DROP INDEX "{name}"')
        for table, column in added:
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        for table in reversed(created):
            db.execute(f"DROP TABLE {table}")
    migrated = run_cli(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "taking a backup before 1 migration(s)" in migrated.stdout
    (archive,) = (tmp_path / "bk").glob("*-pre-migrate.tar.gz")
    manifest = json.loads(_members(archive)["manifest.json"])
    assert manifest["schema_revision"] == earlier[-1]
    assert created or added  # the migration made something to undo
    for table in created:
        assert f"database/{table}.jsonl" not in manifest["files"]
    assert manifest["tables"]["users"] == 1


def test_check_config_names_what_to_fix(backend_env: dict[str, str], tmp_path: Path) -> None:
    closed = free_port()
    env = {**embedded_env(backend_env, tmp_path / "d"), "AI_SERVICE_ENV": "production",
           "JWT_SECRET": "CHANGE_ME", "INTEGRATION_CONFIG_KEY": ""}
    weak = run_cli(env, "check-config")
    assert weak.returncode == 1
    assert "FAIL  JWT_SECRET is too weak" in weak.stdout
    assert "FAIL  INTEGRATION_CONFIG_KEY is missing" in weak.stdout

    unreachable = {**env, "JWT_SECRET": secrets.token_urlsafe(48),
                   "INTEGRATION_CONFIG_KEY": "k1:" + _key(),
                   "DATABASE_URL": f"postgresql://u:TopSecretPw@127.0.0.1:{closed}/x",
                   "REDIS_URL": f"redis://:TopSecretPw@127.0.0.1:{closed}/0",
                   "INFLUXDB_URL": f"http://127.0.0.1:{closed}",
                   "BACKUP_DIR": "/proc/ai-service-backups"}
    down = run_cli(unreachable, "check-config")
    assert down.returncode == 1
    assert re.search(rf"FAIL  database: PostgreSQL at 127.0.0.1:{closed} is unreachable .*DATABASE_URL", down.stdout)
    assert re.search(r"FAIL  cache: Redis at .* is unreachable .*REDIS_URL", down.stdout)
    assert re.search(r"FAIL  market data: InfluxDB .* INFLUXDB_URL", down.stdout)
    assert "FAIL  BACKUP_DIR: /proc/ai-service-backups is not writable" in down.stdout
    assert "WARN  BACKUP_ENCRYPTION_KEY" in down.stdout
    assert "TopSecretPw" not in down.stdout + down.stderr

    good = {**backend_env, "AI_SERVICE_ENV": "production", "DATA_DIR": str(tmp_path / "ok"),
            "BACKUP_ENCRYPTION_KEY": _key(), "PUBLIC_URL": "https://ai.example.org"}
    fine = run_cli(good, "check-config")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "configuration OK" in fine.stdout
    # The embedded default works in production too, with a warning to use PostgreSQL.
    assert re.search(r"^(OK  |WARN)  database: .* answers; schema up to date" if BACKEND == "services"
                     else r"^WARN  database: SQLite .*PostgreSQL", fine.stdout, re.M), fine.stdout


def test_metrics_are_closed_by_default(server: LiveServer) -> None:
    assert httpx.get(f"{server.url}/metrics").status_code == 404


def test_metrics_with_a_token(backend_env: dict[str, str], tmp_path: Path) -> None:
    token = secrets.token_urlsafe(32)
    env = embedded_env(backend_env, tmp_path, METRICS_TOKEN=token)
    assert run_cli(env, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "ai-service.sqlite3") as db:
        db.execute("INSERT INTO ai_usage (provider, model, operation, purpose, input_tokens, "
                   "output_tokens, latency_ms, cost_usd, succeeded, created_at) VALUES "
                   "('ANTHROPIC', 'claude-x', 'complete', '', 1000, 250, 5, '0.01', 1, "
                   "'2026-11-25 10:00:00+00:00')")
    with served(env) as url:
        assert httpx.get(f"{url}/metrics").status_code == 401
        assert httpx.get(f"{url}/metrics", headers={"authorization": "Bearer nope"}).status_code == 401
        client = GraphQLClient(url)
        for _ in range(3):
            client.data("query Setup { needsSetup }")
        client.error("query Me { me { id } }")
        client.error("{ nope }")
        client.http.close()
        scraped = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {token}"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert 'ai_service_graphql_operations_total{operation="Setup",type="query"} 3.0' in text
    assert 'ai_service_graphql_operation_duration_seconds_count{operation="Setup"} 3.0' in text
    assert 'ai_service_graphql_errors_total{code="UNAUTHENTICATED"} 1.0' in text
    assert 'ai_service_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1.0' in text
    assert 'ai_service_ai_tokens_total{direction="input",model="claude-x",provider="ANTHROPIC"} 1000.0' in text
    assert 'ai_service_ai_calls_total{model="claude-x",provider="ANTHROPIC",result="ok"} 1.0' in text
    assert re.search(r'ai_service_jobs\{kind="[^"]*",state="QUEUED"\}', text)
    assert "process_resident_memory_bytes" in text


def test_operation_names_cannot_grow_the_metrics_without_bound() -> None:
    from ai_service.core.metrics import MAX_OPERATION_NAMES, Metrics

    metrics = Metrics()
    labels = {metrics.operation_label(f"Op{i}") for i in range(MAX_OPERATION_NAMES + 50)}
    assert len(labels) == MAX_OPERATION_NAMES + 1
    assert "other" in labels
    assert metrics.operation_label("weird name; DROP") == "other"
    assert metrics.operation_label(None) == "anonymous"


def test_logs_go_to_a_rotating_file_without_secrets(
    backend_env: dict[str, str], tmp_path: Path, fake_providers: Any
) -> None:
    env = embedded_env(backend_env, tmp_path, LOG_LEVEL="INFO", LOG_FILE_MAX_BYTES="8192",
                       LOG_FILE_BACKUPS="2", **fake_providers.env())
    with served(env) as url:
        client = GraphQLClient(url)
        admin = client.data("""mutation($e: String!, $p: String!) { createFirstAdmin(email: $e,
            password: $p, fullName: "A") { accessToken } }""",
                            {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD})["createFirstAdmin"]
        client.data(SET, {"p": "OPENAI", "v": [{"key": "apiKey", "value": OPENAI_SECRET}]},
                    token=admin["accessToken"])
        client.post("mutation { testIntegration(provider: OPENAI) { status } }",
                    token=admin["accessToken"])
        with httpx.Client(timeout=30) as http:
            for _ in range(80):  # enough access lines to rotate an 8 KiB file twice
                http.get(f"{url}/health?padding={'x' * 200}")
        client.http.close()
    logs = sorted((tmp_path / "logs").iterdir())
    assert [p.name for p in logs] == ["ai-service.log", "ai-service.log.1", "ai-service.log.2"]
    text = "".join(p.read_text() for p in logs)
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(line.get("logger") == "ai_service.access" for line in lines)
    for secret in (OPENAI_SECRET, ADMIN_PASSWORD, env["JWT_SECRET"],
                   env["INTEGRATION_CONFIG_KEY"].split(":", 1)[1]):
        assert secret not in text
