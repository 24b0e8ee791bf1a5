"""Test harness: the real app served by uvicorn over TCP, on the backend this run is for.

AI_SERVICE_TEST_BACKEND=embedded (default): SQLite in a temporary data dir, in-process cache.
AI_SERVICE_TEST_BACKEND=services: a fresh PostgreSQL database created from TEST_DATABASE_URL
and Redis at TEST_REDIS_URL under a private key prefix. Unreachable services fail the run.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from ai_service.app import create_app
from ai_service.config import Settings, load_settings
from fakes.provider_apis import FakeProviders
from pgadmin import create_database, drop_database

BACKEND = os.environ.get("AI_SERVICE_TEST_BACKEND", "embedded")
if BACKEND not in ("embedded", "services"):
    raise SystemExit(f"AI_SERVICE_TEST_BACKEND must be embedded or services, not {BACKEND!r}")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_INFLUXDB_URL = "http://127.0.0.1:8086"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "services_only: needs PostgreSQL + Redis (services run)")
    config.addinivalue_line("markers", "embedded_only: about the embedded default (embedded run)")


def pytest_report_header() -> str:
    return f"ai-service backend: {BACKEND}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Backend-specific tests belong to one of the two runs; they are deselected, never skipped."""
    unwanted = "embedded_only" if BACKEND == "services" else "services_only"
    keep = [i for i in items if unwanted not in i.keywords]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if unwanted in i.keywords])
        items[:] = keep


# --------------------------------------------------------------------------- backends


def _check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis at TEST_REDIS_URL is unreachable: {exc}") from exc


def _check_influxdb(url: str) -> None:
    try:
        status = httpx.get(f"{url}/ping", timeout=5).status_code
    except httpx.HTTPError as exc:
        raise RuntimeError(f"InfluxDB at TEST_INFLUXDB_URL is unreachable: {exc} (.ci/influxdb.sh "
                           "installs and starts one)") from exc
    if status != 204:
        raise RuntimeError(f"InfluxDB at {url} answered /ping with {status}")


def influx_query(env: dict[str, str], statement: str) -> None:
    response = httpx.post(f"{env['INFLUXDB_URL']}/query", timeout=30,
                          data={"q": statement, "db": env["INFLUXDB_DATABASE"]})
    response.raise_for_status()


def base_env(data_dir: Path) -> dict[str, str]:
    return {
        "AI_SERVICE_ENV": "development",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "INTEGRATION_CONFIG_KEY": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        # argon2id still, at its minimum cost: the suite logs in hundreds of times.
        "PASSWORD_HASH_OPSLIMIT": "1",
        "PASSWORD_HASH_MEMLIMIT": "8192",
        "JOB_POLL_SECONDS": "0.2",
        "JOB_LEASE_SECONDS": "2",
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
    }


@pytest.fixture(scope="session")
def backend_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment variables describing this run's backend (also given to CLI subprocesses)."""
    env = base_env(tmp_path_factory.mktemp("data"))
    database_url = None
    if BACKEND == "services":
        database_url = create_database()
        redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
        _check_redis(redis_url)
        influxdb_url = os.environ.get("TEST_INFLUXDB_URL", DEFAULT_INFLUXDB_URL)
        _check_influxdb(influxdb_url)
        env.update(DATABASE_URL=database_url, REDIS_URL=redis_url,
                   REDIS_KEY_PREFIX=f"ai-service-test-{uuid.uuid4().hex[:8]}:",
                   INFLUXDB_URL=influxdb_url,
                   INFLUXDB_DATABASE=f"ai_service_test_{uuid.uuid4().hex[:8]}")
        # As in production: `serve` refuses an unmigrated PostgreSQL, `migrate` prepares it.
        migrated = run_cli(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
    yield env
    if database_url:
        drop_database(database_url)
    if "INFLUXDB_URL" in env:
        influx_query(env, f'DROP DATABASE "{env["INFLUXDB_DATABASE"]}"')


def settings_for(env: dict[str, str], **overrides: str) -> Settings:
    return load_settings(environ={**env, **overrides}, env_file=None)


# --------------------------------------------------------------------------- live server


class LiveServer:
    """uvicorn serving the app on a free port, in a thread with its own event loop."""

    def __init__(self, settings: Settings, extra_routes: list[Any] | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings, extra_routes=extra_routes)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_config=None,
                                access_log=False, lifespan="on", ws="websockets-sansio",
                                server_header=False)
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.error: BaseException | None = None

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        except BaseException as exc:
            self.error = exc

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if self.error or not self.thread.is_alive():
                raise RuntimeError(f"server failed to start: {self.error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in 30 s")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        return self

    def call(self, work: Callable[[], Awaitable[T]] | Awaitable[T], timeout: float = 30) -> T:
        """Run a coroutine on the server's loop (where its database connections live)."""
        coroutine = work() if callable(work) else work
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)  # type: ignore[arg-type]

    @property
    def services(self) -> Any:
        return self.app.state.services

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


async def reset_state(services: Any) -> None:
    """Empty every table and the cache between tests."""
    from ai_service.core import db

    tables = ["refresh_tokens", "auth_sessions", "audit_events", "jobs", "integrations",
              "ai_usage", "signals", "backtests", "optimizations", "strategies", "market_bars",
              "tag_links", "category_suggestions", "transaction_days", "transactions",
              "import_batches", "rules",
              "categories", "clients", "accounts", "bank_connections", "tags", "document_chunks",
              "documents", "users"]
    connection = db.connection()
    if db.dialect() == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        for table in tables:
            await connection.execute_script(f"DELETE FROM {table}")
        await connection.execute_script("DELETE FROM sqlite_sequence")
    await services.cache.clear()
    await services.vectors.drop_all()
    shutil.rmtree(services.settings.data_dir / "documents", ignore_errors=True)


@pytest.fixture(scope="session")
def fake_providers() -> Iterator[FakeProviders]:
    """OpenAI, Anthropic, Telegram, GoCardless and Enable Banking, faked on one local port."""
    fake = FakeProviders().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def server(backend_env: dict[str, str], fake_providers: FakeProviders) -> Iterator[LiveServer]:
    live = LiveServer(settings_for(backend_env, **fake_providers.env())).start()
    yield live
    live.stop()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    if "fake_providers" in request.fixturenames:
        fake: FakeProviders = request.getfixturevalue("fake_providers")
        fake.reset()
    if "server" in request.fixturenames:
        live: LiveServer = request.getfixturevalue("server")
        live.call(reset_state(live.services))
        env: dict[str, str] = request.getfixturevalue("backend_env")
        if "INFLUXDB_URL" in env:  # user ids restart at 1: old bars would find a new owner
            influx_query(env, "DROP SERIES FROM bars")


# --------------------------------------------------------------------------- clients


class GraphQLClient:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.token: str | None = None

    def post(self, query: str, variables: dict[str, Any] | None = None, *,
             token: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.raw(query, variables, token=token, headers=headers)
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body

    def raw(self, query: str, variables: dict[str, Any] | None = None, *,
            token: str | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        all_headers = dict(headers or {})
        bearer = token or self.token
        if bearer:
            all_headers["authorization"] = f"Bearer {bearer}"
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}},
                              headers=all_headers)

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        body = self.post(query, variables, **kw)
        assert not body.get("errors"), body
        return body["data"]

    def error(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        body = self.post(query, variables, **kw)
        assert body.get("errors"), body
        error: dict[str, Any] = body["errors"][0]
        return error

    def upload(self, query: str, variables: dict[str, Any], files: dict[str, tuple[str, Any, str]],
               *, token: str | None = None) -> httpx.Response:
        """A GraphQL multipart request: `files` maps variable names to (name, content, type)."""
        import json

        operations = {"query": query, "variables": {**variables, **dict.fromkeys(files)}}
        mapping = {str(i): [f"variables.{name}"] for i, name in enumerate(files)}
        bearer = token or self.token
        return self.http.post(
            "/graphql", data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
            files={str(i): spec for i, spec in enumerate(files.values())},
            headers={"authorization": f"Bearer {bearer}"} if bearer else {})

    def login(self, email: str, password: str) -> dict[str, Any]:
        result: dict[str, Any] = self.data(LOGIN, {"email": email, "password": password})["login"]
        return result


LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken expiresAt user { id email role } }
}"""

CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { id email role active fullName }
}"""


@pytest.fixture
def gql(server: LiveServer) -> Iterator[GraphQLClient]:
    client = GraphQLClient(server.url)
    yield client
    client.http.close()


@pytest.fixture
def admin(server: LiveServer, gql: GraphQLClient) -> dict[str, Any]:
    """The first administrator, created through the setup mutation; returns its AuthPayload."""
    payload: dict[str, Any] = gql.data(
        """mutation($e: String!, $p: String!) { createFirstAdmin(email: $e, password: $p,
             fullName: "Ada Admin") { accessToken refreshToken expiresAt user { id email role } } }""",
        {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
    )["createFirstAdmin"]
    return payload


def make_member(gql: GraphQLClient, admin_token: str, email: str = "member@example.com",
                password: str = "member password 123") -> dict[str, Any]:
    gql.data(CREATE_USER, {"input": {"email": email, "password": password, "fullName": "Mem"}},
             token=admin_token)
    return gql.login(email, password)


def wait_for(check: Callable[[], Any], timeout: float = 15, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def served(env: dict[str, str], *args: str) -> Iterator[str]:
    """`ai-service serve` in its own process (one app per process: Tortoise state is global);
    yields its base URL once /health answers."""
    import subprocess

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ai_service", "serve", "--port", str(port), *args], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited with {process.returncode}: {process.stderr.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not answer /health within 30 s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()


def embedded_env(backend_env: dict[str, str], data_dir: Path, **extra: str) -> dict[str, str]:
    """This run's environment, on the embedded default in its own data dir."""
    env = {k: v for k, v in backend_env.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "REDIS_KEY_PREFIX")}
    return {**env, "DATA_DIR": str(data_dir), **extra}


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None,
            timeout: float = 60) -> Any:
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "ai_service", *args], input=stdin, capture_output=True,
        text=True, env=env, timeout=timeout, check=False,
    )


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per module (each test gets its own context). Not per session:
    Playwright's sync API keeps an event loop running in this thread while it is open, and
    the other modules' tests call asyncio.run()."""
    from playwright.sync_api import sync_playwright

    from browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Any, server: LiveServer) -> Iterator[Any]:
    """A fresh tab on the live server; fails the test if the page logged an error."""
    from browser import Tab

    if not (server.settings.web_dist_dir / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web`")
    page = Tab(chromium, server.url)
    yield page
    page.close()
