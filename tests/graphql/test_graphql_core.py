"""The /graphql endpoint under bad and hostile input: each gets a clear code, nothing is written."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ai_service.core import db
from ai_service.graphql.schema import schema_sdl
from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, CREATE_USER
from support.graphql_client import LOGIN, GraphQLClient
from support.live_server import LiveServer
from support.paths import ROOT


def count_rows(server: LiveServer, table: str) -> int:
    async def count() -> int:
        rows = await db.connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}")
        return int(rows[0]["n"])

    return server.call(count)


def test_committed_schema_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema_sdl(), "schema.graphql is stale: run `ai-service export-schema`"


def test_get_runs_queries(gql: GraphQLClient) -> None:
    response = gql.http.get("/graphql", params={"query": "{ needsSetup }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"needsSetup": True}}


def test_get_never_runs_mutations(server: LiveServer, gql: GraphQLClient) -> None:
    mutation = f'mutation {{ createFirstAdmin(email: "a@example.com", password: "{ADMIN_PASSWORD}") {{ accessToken }} }}'
    response = gql.http.get("/graphql", params={"query": mutation})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert count_rows(server, "users") == 0


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"query": "{ needsSetup }"', "application/json", "Unable to parse request body as JSON"),
        (b"\xff\xfe garbage", "application/json", "Unable to parse request body as JSON"),
        (b'{"query": 42}', "application/json", "must be a string"),
        (b'{"query": "{ needsSetup }", "variables": [1]}', "application/json", "must be an object"),
        (b"query=%7BneedsSetup%7D", "application/x-www-form-urlencoded", "Unsupported content type"),
        (b"{ needsSetup }", "text/plain", "Unsupported content type"),
    ],
)
def test_malformed_requests_get_graphql_errors(
    gql: GraphQLClient, body: bytes, content_type: str, message: str
) -> None:
    response = gql.http.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_missing_query(gql: GraphQLClient) -> None:
    response = gql.http.post("/graphql", json={"variables": {}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_oversized_bodies_are_refused(server: LiveServer, gql: GraphQLClient) -> None:
    limit = server.settings.max_request_bytes
    padding = "x" * (limit + 10)
    response = gql.http.post("/graphql", json={"query": "{ needsSetup }", "variables": {"p": padding}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    def chunks() -> Any:  # no Content-Length: the limit is enforced while reading
        yield b'{"query": "{ needsSetup }", "variables": {"p": "'
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536
        yield b'"}}'

    response = gql.http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_wrong_types_and_unknown_fields(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    token = admin["accessToken"]
    literal = gql.error('mutation { login(email: 5, password: "x") { accessToken } }')
    assert literal["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    variable = gql.error(LOGIN, {"email": ["a"], "password": "x"})
    assert variable["extensions"]["code"] == "BAD_USER_INPUT"
    missing = gql.error(LOGIN, {"email": "a@example.com"})
    assert missing["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = gql.error(CREATE_USER, {"input": {"email": "u@example.com", "password": "long enough pass",
                                                "isSuperuser": True}}, token=token)
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    bad_enum = gql.error(CREATE_USER, {"input": {"email": "u@example.com", "password": "long enough pass",
                                                 "role": "ROOT"}}, token=token)
    assert bad_enum["extensions"]["code"] == "BAD_USER_INPUT"
    unknown_field = gql.error("{ me { id passwordHash } }", token=token)
    assert unknown_field["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert count_rows(server, "users") == 1


def test_syntax_errors(gql: GraphQLClient) -> None:
    error = gql.error("{ needsSetup ")
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_huge_documents_are_refused_while_parsing(gql: GraphQLClient) -> None:
    huge = "{ " + " ".join("needsSetup" for _ in range(6000)) + " }"
    error = gql.error(huge)
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "tokens" in error["message"]


def test_alias_bombs_are_refused(gql: GraphQLClient) -> None:
    bomb = "{ " + " ".join(f"a{i}: needsSetup" for i in range(40)) + " }"
    error = gql.error(bomb)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "aliases" in error["message"]


def test_depth_bombs_are_refused(gql: GraphQLClient) -> None:
    bomb = "{ " + "me { " * 20 + "id" + " }" * 20 + " }"
    errors = gql.post(bomb)["errors"]
    assert any("depth" in e["message"] for e in errors)
    assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}


EXPENSIVE = "query($n: Int!) { " + " ".join(
    f"a{i}: auditLog(first: $n) {{ edges {{ node {{ id action actorEmail targetType targetId ip details "
    f"actor {{ id email fullName role active createdAt }} }} }} }}"
    for i in range(25)
) + " }"


def test_cost_multiplies_by_first(gql: GraphQLClient, admin: Any) -> None:
    token = admin["accessToken"]
    error = gql.error(EXPENSIVE, {"n": 100}, token=token)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["extensions"]["cost"] > error["extensions"]["maxCost"]
    assert "too expensive" in error["message"]
    # The same document asking for small pages is cheap enough.
    assert len(gql.data(EXPENSIVE, {"n": 2}, token=token)) == 25


def test_introspection_works(gql: GraphQLClient) -> None:
    types = gql.data("{ __schema { types { name } } }")["__schema"]["types"]
    assert {"User", "Job", "AuditEvent", "AuthPayload"} <= {t["name"] for t in types}


HOSTILE = [
    "' OR '1'='1",
    '"; DROP TABLE users; --',
    "admin@example.com' --",
    "%' UNION SELECT password_hash FROM users --",
    "\\'; SELECT pg_sleep(5); --",
    "😀 ümlaut ﷽",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sql_metacharacters_in_every_string_argument(
    server: LiveServer, gql: GraphQLClient, admin: Any, hostile: str
) -> None:
    token = admin["accessToken"]
    before = {t: count_rows(server, t) for t in ("users", "auth_sessions", "refresh_tokens")}
    expect = {
        "login": (LOGIN, {"email": hostile, "password": hostile}, None, "UNAUTHENTICATED"),
        "refresh": ("mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
                    {"t": hostile}, None, "UNAUTHENTICATED"),
        "setup": ("mutation($e: String!, $p: String!, $n: String!) { createFirstAdmin(email: $e, "
                  "password: $p, fullName: $n) { accessToken } }",
                  {"e": hostile, "p": hostile * 3, "n": hostile}, None, "BAD_USER_INPUT"),
        "create": (CREATE_USER, {"input": {"email": hostile, "password": hostile * 3, "fullName": hostile}},
                   token, "BAD_USER_INPUT"),
        "update": ("mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
                   {"id": hostile}, token, "BAD_USER_INPUT"),
        "reset": ("mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, newPassword: $p) { id } }",
                  {"id": hostile, "p": hostile * 3}, token, "BAD_USER_INPUT"),
        "change": ("mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }",
                   {"c": hostile, "n": hostile * 3}, token, "BAD_USER_INPUT"),
        "cursor": ("query($a: String!) { users(first: 5, after: $a) { edges { cursor } } }",
                   {"a": hostile}, token, "BAD_USER_INPUT"),
        "job": ("query($id: ID!) { job(id: $id) { id } }", {"id": hostile}, token, "BAD_USER_INPUT"),
    }
    for name, (query, variables, bearer, code) in expect.items():
        error = gql.error(query, variables, token=bearer)
        assert error["extensions"]["code"] == code, name
    # A filter that takes free text returns nothing rather than everything.
    found = gql.data("query($a: String!) { auditLog(first: 10, action: $a) { edges { node { id } } } }",
                     {"a": hostile}, token=token)
    assert found["auditLog"]["edges"] == []
    # A legitimate name may contain anything printable, stored verbatim.
    me = gql.data("mutation($id: ID!, $n: String!) { updateUser(id: $id, input: {fullName: $n}) { fullName } }",
                  {"id": admin["user"]["id"], "n": hostile}, token=token)
    assert me["updateUser"]["fullName"] == " ".join(hostile.split())
    after = {t: count_rows(server, t) for t in ("users", "auth_sessions", "refresh_tokens")}
    assert after == before
    assert gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)


def test_nul_characters_are_refused_wherever_they_hide(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    token = admin["accessToken"]
    in_variables = gql.error(CREATE_USER, {"input": {"email": "nul@example.com",
                                                     "password": "long\x00enough pass", "fullName": "a"}},
                             token=token)
    in_nested_list = gql.error(LOGIN, {"email": "a@example.com", "password": "x", "extra": ["\x00"]})
    escaped = gql.error('{ auditLog(first: 1, action: "a\\u0000b") { edges { cursor } } }', token=token)
    braced = gql.error('mutation { login(email: "a\\u{0}b@example.com", password: "x") { accessToken } }')
    for error in (in_variables, in_nested_list, escaped, braced):
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "U+0000" in error["message"]
    assert count_rows(server, "users") == 1


@pytest.mark.parametrize("body", [b"123", b'"just a string"', b"null", b"true"])
def test_a_json_body_that_is_not_an_object(gql: GraphQLClient, body: bytes) -> None:
    response = gql.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_out_of_range_ids_and_overlong_filters(gql: GraphQLClient, admin: Any) -> None:
    token = admin["accessToken"]
    import base64

    huge_cursor = base64.urlsafe_b64encode(b"k:99999999999999999999999").decode().rstrip("=")
    cases = [
        ("query($id: ID!) { job(id: $id) { id } }", {"id": "99999999999999999999999"}, "id"),
        ("query($id: ID!) { job(id: $id) { id } }", {"id": str(2**63)}, "id"),
        ("query($a: String!) { users(first: 2, after: $a) { edges { cursor } } }", {"a": huge_cursor}, "after"),
        ("query($a: String!) { auditLog(first: 2, action: $a) { edges { cursor } } }", {"a": "x" * 65}, "action"),
    ]
    for query, variables, field in cases:
        error = gql.error(query, variables, token=token)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, query


def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    server: LiveServer, gql: GraphQLClient, admin: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def rename(a: str, b: str) -> None:
        await db.connection().execute_script(f"ALTER TABLE {a} RENAME TO {b}")

    server.call(rename("auth_sessions", "auth_sessions_away"))
    try:
        with caplog.at_level(logging.ERROR, logger="ai_service.graphql"):
            response = gql.raw("{ me { id } }", token=admin["accessToken"])
    finally:
        server.call(rename("auth_sessions_away", "auth_sessions"))
    error = response.json()["errors"][0]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert error["message"] == f"Internal server error (request id {request_id})"
    assert "auth_sessions" not in response.text  # nothing of the server's insides
    logged = [r for r in caplog.records if r.name == "ai_service.graphql"]
    assert logged
    assert logged[0].exc_info is not None
    assert "auth_sessions" in caplog.text  # the operator gets the whole story
    assert gql.data("{ me { email } }", token=admin["accessToken"])["me"]["email"] == ADMIN_EMAIL


def test_request_ids(gql: GraphQLClient) -> None:
    echoed = gql.http.post("/graphql", json={"query": "{ needsSetup }"}, headers={"x-request-id": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    for bad in ("spaces and <script>", "x" * 200):  # not echoed into logs and headers
        replaced = gql.http.post("/graphql", json={"query": "{ needsSetup }"},
                                 headers={"x-request-id": bad})
        assert replaced.headers["x-request-id"] != bad
        assert len(replaced.headers["x-request-id"]) == 32
