"""The HTTP routes beside GraphQL: health, readiness, version, the SPA fallback, headers, CORS."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from ai_service import __version__
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.processes import embedded_env, served


def test_health(gql: GraphQLClient) -> None:
    response = gql.http.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["version"] == __version__
    assert body["uptime"] > 0
    datetime.fromisoformat(body["timestamp"])
    assert response.headers["cache-control"] == "no-store"


def test_status_reports_each_dependency(server: LiveServer, gql: GraphQLClient) -> None:
    response = gql.http.get("/status")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    checks = body["checks"]
    # InfluxDB is checked when configured (the services run); else bars live in the database.
    influx = {"timeseries"} if server.settings.influxdb_url else set()
    assert set(checks) == {"database", "cache"} | influx
    if influx:
        assert checks["timeseries"]["backend"] == "influxdb"
    expected = ("sqlite", "memory") if server.settings.uses_sqlite else ("postgres", "redis")
    assert (checks["database"]["backend"], checks["cache"]["backend"]) == expected
    for check in checks.values():
        assert check["state"] == "up"
        assert check["latencyMs"] >= 0


@pytest.fixture
def server_with_dead_redis(backend_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """SQLite for data, and a Redis URL where nothing listens."""
    with served(embedded_env(backend_env, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")) as url:
        yield url


def test_status_is_503_when_a_required_dependency_is_down(server_with_dead_redis: str) -> None:
    response = httpx.get(f"{server_with_dead_redis}/status", timeout=30)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["state"] == "up"
    cache = body["checks"]["cache"]
    assert (cache["state"], cache["backend"]) == ("down", "redis")
    assert "127.0.0.1" not in json.dumps(cache)  # class names only, no driver messages
    # Liveness is a different question: the process itself is fine.
    assert httpx.get(f"{server_with_dead_redis}/health").status_code == 200


def test_version(gql: GraphQLClient) -> None:
    body = gql.http.get("/api/version").json()
    assert body["version"] == __version__
    assert set(body) >= {"version", "commit", "commitShort", "buildDate", "python"}


def test_version_from_build_arguments(backend_env: dict[str, str], tmp_path: Path) -> None:
    env = embedded_env(backend_env, tmp_path, VERSION="1.2.3", COMMIT="0123456789abcdef",
                       BUILD_DATE="2026-11-25T10:00:00Z")
    with served(env) as url:
        response = httpx.get(f"{url}/api/version")
    body = response.json()
    assert "server" not in response.headers  # `serve` does not advertise its software
    assert body["version"] == "1.2.3"
    assert (body["commit"], body["commitShort"]) == ("0123456789abcdef", "0123456")
    assert body["buildDate"] == "2026-11-25T10:00:00Z"


def test_security_headers_on_every_response(gql: GraphQLClient) -> None:
    for path in ("/", "/health", "/graphql?query=%7BneedsSetup%7D", "/nope.js"):
        headers = gql.http.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_cors_is_closed_by_default(gql: GraphQLClient) -> None:
    preflight = gql.http.options("/graphql", headers={
        "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    simple = gql.http.post("/graphql", json={"query": "{ needsSetup }"},
                           headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allow_list(backend_env: dict[str, str], tmp_path: Path) -> None:
    with served(embedded_env(backend_env, tmp_path, CORS_ORIGINS="https://app.example/")) as url:
        allowed = httpx.options(f"{url}/graphql", headers={
            "origin": "https://app.example", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type"})
        denied = httpx.options(f"{url}/graphql", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in denied.headers


def test_spa_placeholder_until_the_web_app_exists(backend_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    unbuilt = tmp_path / "no-dist"
    with served(embedded_env(backend_env, tmp_path / "data", WEB_DIST_DIR=str(unbuilt))) as url:
        for path in ("/", "/finance/transactions", "/settings/integrations"):
            response = httpx.get(f"{url}{path}")
            assert response.status_code == 200
            assert "text/html" in response.headers["content-type"]
            assert 'href="/graphql"' in response.text
            assert "<code>make web</code>" in response.text


def test_the_fallback_never_swallows_api_paths_or_missing_assets(gql: GraphQLClient) -> None:
    for path in ("/graphql/extra", "/health/deep", "/status/x", "/api/nope", "/api/",
                 "/.well-known/security.txt", "/assets/app.js", "/favicon.ico", "/graphiql/nope.js"):
        response = gql.http.get(path)
        assert response.status_code == 404, path
        assert "text/html" not in response.headers["content-type"], path


def test_path_traversal_is_refused(gql: GraphQLClient) -> None:
    for path in ("/graphiql/../../pyproject.toml", "/graphiql/%2e%2e/%2e%2e/pyproject.toml",
                 "/..%2f..%2fpyproject.toml"):
        response = gql.http.get(path)
        assert response.status_code == 404, path
        assert "[project]" not in response.text


def test_a_built_web_app_is_served_with_a_fallback(backend_env: dict[str, str], tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>ai-service app</title>")
    (dist / "assets" / "app-1234.js").write_text("console.log('app')")
    with served(embedded_env(backend_env, tmp_path / "data", WEB_DIST_DIR=str(dist))) as url:
        client = httpx.Client(base_url=url)
        assert "ai-service app" in client.get("/").text
        assert "ai-service app" in client.get("/trading/strategies/7").text
        asset = client.get("/assets/app-1234.js")
        assert asset.text == "console.log('app')"
        # Hashed names change with every build: cached for good. The page never is.
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/finance").headers["cache-control"] == "no-cache"
        assert client.get("/assets/missing.js").status_code == 404
        assert client.get("/api/anything").status_code == 404
        assert client.post("/graphql", json={"query": "{ needsSetup }"}).json() == {
            "data": {"needsSetup": True}}


def test_access_log_lines_are_json_with_the_request_id(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    from ai_service.core.logging import JsonFormatter

    def access_lines() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "ai_service.access"
                and getattr(r, "request_id", None) == "trace-me-42"]

    with caplog.at_level(logging.INFO, logger="ai_service.access"):
        response = gql.http.get("/health", headers={"x-request-id": "trace-me-42"})
        # The line is written once the response has gone out, on the server's thread.
        deadline = time.monotonic() + 5
        while not access_lines() and time.monotonic() < deadline:
            time.sleep(0.01)
    records = access_lines()
    assert records
    line = json.loads(JsonFormatter().format(records[-1]))
    assert line["request_id"] == "trace-me-42" == response.headers["x-request-id"]
    assert line["status"] == 200
    assert line["msg"] == "GET /health 200"
    assert line["duration_ms"] >= 0


def _admin_client(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=30)
    setup = client.post("/graphql", json={"query": 'mutation { createFirstAdmin(email: "a@example.com", '
                                          'password: "correct horse battery") { accessToken } }'})
    return client, setup.json()["data"]["createFirstAdmin"]["accessToken"]


def _failed_login_ip(client: httpx.Client, token: str, headers: dict[str, str]) -> str | None:
    """Fail a login with these headers, then read the address its audit entry got."""
    failed = client.post("/graphql", headers=headers, json={
        "query": 'mutation { login(email: "a@example.com", password: "wrong password!") { accessToken } }'})
    assert failed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    events = client.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
        "query": '{ auditLog(first: 1, action: "auth.login_failed") { edges { node { ip } } } }'})
    ip: str | None = events.json()["data"]["auditLog"]["edges"][0]["node"]["ip"]
    return ip


def test_forwarded_addresses_are_ignored_without_trusted_proxies(
    backend_env: dict[str, str], tmp_path: Path
) -> None:
    with served(embedded_env(backend_env, tmp_path)) as url:
        client, token = _admin_client(url)
        assert _failed_login_ip(client, token, {"x-forwarded-for": "203.0.113.9"}) == "127.0.0.1"


def test_trusted_proxies_name_the_client_from_the_right(
    backend_env: dict[str, str], tmp_path: Path
) -> None:
    with served(embedded_env(backend_env, tmp_path, TRUSTED_PROXIES="127.0.0.1")) as url:
        client, token = _admin_client(url)
        # The client made up the first entry; our proxy appended the address it saw.
        forwarded = {"x-forwarded-for": "198.51.100.1, 203.0.113.9"}
        assert _failed_login_ip(client, token, forwarded) == "203.0.113.9"
        # Junk where an address should be is no address, not an error.
        assert _failed_login_ip(client, token, {"x-forwarded-for": "1" * 80}) is None
