"""Fixtures: the real app served by uvicorn over TCP, on the backend this run is for
(support/backend.py), the fake provider APIs, clients, and a headless Chromium.

Helpers live in the `support` package and the provider fakes in `fakes`; test modules import
them (`from support.graphql_client import GraphQLClient`), never this file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from fakes.server import FakeProviders
from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD
from support.backend import (
    BACKEND,
    DEFAULT_INFLUXDB_URL,
    DEFAULT_REDIS_URL,
    base_env,
    check_influxdb,
    check_redis,
    influx_query,
    settings_for,
)
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer, reset_state
from support.pgadmin import create_database, drop_database
from support.processes import run_cli


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


@pytest.fixture(scope="session")
def backend_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Environment variables describing this run's backend (also given to CLI subprocesses)."""
    env = base_env(tmp_path_factory.mktemp("data"))
    database_url = None
    if BACKEND == "services":
        database_url = create_database()
        redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
        check_redis(redis_url)
        influxdb_url = os.environ.get("TEST_INFLUXDB_URL", DEFAULT_INFLUXDB_URL)
        check_influxdb(influxdb_url)
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


# --------------------------------------------------------------------------- live server


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


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per module (each test gets its own context). Not per session:
    Playwright's sync API keeps an event loop running in this thread while it is open, and
    the other modules' tests call asyncio.run()."""
    from playwright.sync_api import sync_playwright

    from support.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Any, server: LiveServer) -> Iterator[Any]:
    """A fresh tab on the live server; fails the test if the page logged an error."""
    from support.browser import Tab

    if not (server.settings.web_dist_dir / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web`")
    page = Tab(chromium, server.url)
    yield page
    page.close()
