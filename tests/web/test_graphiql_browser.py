"""The offline GraphiQL in a real headless Chromium: it opens at /graphql with every asset
served by the app itself (no CDN), and an administrator signs in, runs `me` without typing
any header (web/graphiql/init.js attaches the token) and changes their password."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase 42"
TIMEOUT_MS = 15_000

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE_EDITOR = ".graphiql-response .CodeMirror"
EXECUTE = ".graphiql-execute-button"


class Page:
    """One browser tab (its own context, so its own localStorage), recording every request
    it makes, the headers of its GraphQL POSTs, and every console error (CSP violations
    are reported there) and uncaught exception."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.graphql_posts: list[dict[str, str]] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("websocket", lambda socket: self.requests.append(socket.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _request(self, request: Any) -> None:
        self.requests.append(request.url)
        if request.method == "POST" and urlsplit(request.url).path == "/graphql":
            self.graphql_posts.append(request.headers)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def open(self, url: str) -> Any:
        response = self.page.goto(url)
        self.page.wait_for_selector(EXECUTE, state="visible")
        self.page.wait_for_selector(QUERY_EDITOR, state="visible")
        return response

    def run(self, query: str) -> dict[str, Any]:
        """Put `query` in the editor, press execute, and return the result GraphiQL shows."""
        self.page.eval_on_selector(QUERY_EDITOR, "(el, q) => el.CodeMirror.setValue(q)", query)
        # GraphiQL re-parses the editor's operations after a debounce (~100 ms); until then
        # it still sees the previous text, and with several operations (the default query
        # has two) the execute button opens an operation menu instead of running.
        self.page.wait_for_selector(f"{EXECUTE}:not([aria-haspopup])")

        def is_ours(response: Any) -> bool:
            request = response.request
            if request.method != "POST" or urlsplit(request.url).path != "/graphql":
                return False
            body = json.loads(request.post_data or "{}")
            return bool(body.get("query") == query)

        # GraphiQL empties the response panel when a run starts, before it calls the
        # fetcher, and fills it once the fetcher's promise settles (after any transparent
        # token refresh and replay). So once our request has been answered, a non-empty
        # panel is this run's final result.
        with self.page.expect_response(is_ours):
            self.page.click(EXECUTE)
        self.page.wait_for_function(
            "selector => document.querySelector(selector).CodeMirror.getValue() !== ''",
            arg=RESPONSE_EDITOR,
        )
        shown: dict[str, Any] = json.loads(
            self.page.eval_on_selector(RESPONSE_EDITOR, "el => el.CodeMirror.getValue()")
        )
        return shown

    def auth_status(self) -> str:
        return str(self.page.inner_text("#auth-status"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(chromium: Any) -> Iterator[Page]:
    page = Page(chromium)
    yield page
    page.close()


def test_admin_signs_in_queries_me_and_changes_password(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], tab: Page
) -> None:
    response = tab.open(f"{server.url}/graphql")
    assert response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "Not signed in" in tab.auth_status()
    assert not tab.page.is_visible("#sign-out")

    login = tab.run(
        f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}") '
        "{ accessToken refreshToken user { email role } } }"
    )
    assert "errors" not in login, login
    token = login["data"]["login"]["accessToken"]
    assert token
    assert login["data"]["login"]["user"] == {"email": ADMIN_EMAIL, "role": "ADMIN"}
    tab.page.wait_for_function(
        "document.getElementById('auth-status').textContent.startsWith('Signed in as')"
    )
    assert tab.auth_status().startswith(f"Signed in as {ADMIN_EMAIL}")
    assert tab.page.is_visible("#sign-out")
    # The login selected no user id: GraphiQL looks it up, for the web app sharing the session.
    tab.page.wait_for_function(
        "(JSON.parse(localStorage.getItem('ai-service.session')) || {user: {}}).user.id")
    assert "authorization" not in tab.graphql_posts[-2]  # the login: nobody typed a header
    assert tab.graphql_posts[-1]["authorization"] == f"Bearer {token}"

    me = tab.run("query { me { email role } }")
    assert me == {"data": {"me": {"email": ADMIN_EMAIL, "role": "ADMIN"}}}
    assert tab.graphql_posts[-1].get("authorization") == f"Bearer {token}"  # from init.js

    changed = tab.run(
        f'mutation {{ changePassword(currentPassword: "{ADMIN_PASSWORD}", '
        f'newPassword: "{NEW_PASSWORD}") }}'
    )
    assert changed == {"data": {"changePassword": True}}

    assert gql.login(ADMIN_EMAIL, NEW_PASSWORD)["user"]["email"] == ADMIN_EMAIL
    refused = gql.error(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD},
    )
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"

    assert_offline(tab, server)


def assert_offline(tab: Page, server: LiveServer) -> None:
    """Everything the page loaded came from the app itself, and nothing complained."""
    assert f"{server.url}/graphiql/graphiql.min.js" in tab.requests  # the recording works
    foreign = [url for url in tab.requests if not url.startswith(server.url + "/")]
    assert not foreign, f"requests left the server's origin: {foreign}"
    assert tab.errors == []


def test_graphiql_path_serves_the_same_page_with_a_csp(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        via_graphql = http.get("/graphql", headers={"accept": "text/html"})
        via_graphiql = http.get("/graphiql", headers={"accept": "text/html"})
    for page in (via_graphql, via_graphiql):
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert '<script src="/graphiql/init.js"></script>' in page.text
    assert via_graphiql.text == via_graphql.text


def test_graphiql_path_renders_offline(server: LiveServer, tab: Page) -> None:
    response = tab.open(f"{server.url}/graphiql")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "Not signed in" in tab.auth_status()
    assert_offline(tab, server)


def test_a_wrong_password_is_not_retried_with_a_refreshed_token(
    server: LiveServer, admin: dict[str, Any], tab: Page
) -> None:
    """A failed login says UNAUTHENTICATED too; that is about the password, not the token,
    so the page must neither spend its refresh token nor replay the attempt."""
    tab.open(f"{server.url}/graphql")
    tab.run(
        f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}") '
        "{ accessToken refreshToken user { id email fullName role } } }"  # no follow-up lookup
    )
    tab.page.wait_for_function(
        "document.getElementById('auth-status').textContent.startsWith('Signed in as')"
    )
    before = len(tab.graphql_posts)
    wrong = tab.run(
        f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "not the password at all") '
        "{ accessToken } }"
    )
    assert wrong["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert wrong["errors"][0]["path"] == ["login"]
    assert len(tab.graphql_posts) == before + 1, "the failed login was retried"
    assert tab.auth_status().startswith(f"Signed in as {ADMIN_EMAIL}")
    me = tab.run("query { me { email } }")  # the session from the first login still works
    assert me == {"data": {"me": {"email": ADMIN_EMAIL}}}
    assert len(tab.graphql_posts) == before + 2


def spoil_access_token(tab: Page, server: LiveServer, token: str) -> None:
    """Replace the stored access token (as if it had expired) and reload: init.js reads it back."""
    tab.page.evaluate(
        """(token) => {
            const key = "ai-service.session";
            const auth = JSON.parse(localStorage.getItem(key));
            localStorage.setItem(key, JSON.stringify({...auth, accessToken: token}));
        }""",
        token,
    )
    tab.open(f"{server.url}/graphql")


def test_a_rejected_token_is_refreshed_transparently(
    server: LiveServer, admin: dict[str, Any], tab: Page
) -> None:
    tab.open(f"{server.url}/graphql")
    login = tab.run(
        f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}") '
        "{ accessToken refreshToken user { email } } }"
    )["data"]["login"]
    spoil_access_token(tab, server, "spoiled")
    before = len(tab.graphql_posts)
    me = tab.run("query { me { email } }")
    assert me == {"data": {"me": {"email": ADMIN_EMAIL}}}
    sent = [headers.get("authorization") for headers in tab.graphql_posts[before:]]
    assert len(sent) == 3  # me (rejected), the refresh, me again
    assert sent[0] == "Bearer spoiled"
    renewed = json.loads(tab.page.evaluate("localStorage.getItem('ai-service.session')"))
    assert renewed["accessToken"] not in ("spoiled", login["accessToken"])
    assert renewed["refreshToken"]
    assert renewed["refreshToken"] != login["refreshToken"]  # rotated, and kept for next time
    assert renewed["user"]["email"] == ADMIN_EMAIL  # the web app's session shape
    assert sent[2] == f"Bearer {renewed['accessToken']}"
    assert tab.auth_status().startswith(f"Signed in as {ADMIN_EMAIL}")
    # The rotated refresh token works in its turn: expiry after expiry stays transparent.
    spoil_access_token(tab, server, "spoiled again")
    assert tab.run("query { me { role } }") == {"data": {"me": {"role": "ADMIN"}}}


def test_signing_in_as_someone_else_replaces_the_whole_session(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any], tab: Page
) -> None:
    """Nothing of the previous user survives a login as another one (the web app shares the
    session and keys its cache on the user's id)."""
    from support.accounts import make_member

    member = make_member(gql, admin["accessToken"])
    tab.open(f"{server.url}/graphql")
    tab.run(f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}") '
            "{ accessToken refreshToken expiresAt user { id email fullName role } } }")
    tab.run('mutation { login(email: "member@example.com", password: "member password 123") '
            "{ accessToken refreshToken user { email } } }")
    tab.page.wait_for_function(
        "id => JSON.parse(localStorage.getItem('ai-service.session')).user.id === id",
        arg=member["user"]["id"])
    stored = json.loads(tab.page.evaluate("localStorage.getItem('ai-service.session')"))
    assert stored["user"] == {"id": member["user"]["id"], "email": "member@example.com",
                              "fullName": "Mem", "role": "MEMBER"}
    assert stored["accessToken"] != admin["accessToken"]


def test_subscriptions_run_in_graphiql(server: LiveServer, gql: GraphQLClient,
                                       admin: dict[str, Any], tab: Page) -> None:
    """jobUpdates over graphql-transport-ws from the page: the job as it is, then the end."""
    operations = json.dumps({"query": "mutation($f: Upload!) { uploadDocument(file: $f) "
                                      "{ job { id } } }", "variables": {"f": None}})
    uploaded = gql.http.post("/graphql", data={"operations": operations,
                                               "map": json.dumps({"0": ["variables.f"]})},
                             files={"0": ("note.txt", b"a short note about invoices", "text/plain")},
                             headers={"authorization": f"Bearer {admin['accessToken']}"}).json()
    job_id = uploaded["data"]["uploadDocument"]["job"]["id"]
    tab.open(f"{server.url}/graphql")
    tab.run(f'mutation {{ login(email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}") '
            "{ accessToken refreshToken expiresAt user { id email fullName role } } }")
    query = f'subscription {{ jobUpdates(id: "{job_id}") {{ id kind }} }}'
    tab.page.eval_on_selector(QUERY_EDITOR, "(el, q) => el.CodeMirror.setValue(q)", query)
    tab.page.wait_for_selector(f"{EXECUTE}:not([aria-haspopup])")
    tab.page.click(EXECUTE)
    tab.page.wait_for_function(  # the stream's results go to the panel as they arrive
        "selector => document.querySelector(selector).CodeMirror.getValue().includes('kind')",
        arg=RESPONSE_EDITOR)
    shown = json.loads(tab.page.eval_on_selector(RESPONSE_EDITOR, "el => el.CodeMirror.getValue()"))
    assert shown == {"data": {"jobUpdates": {"id": job_id, "kind": "documents.ingest"}}}
    assert any(u.startswith("ws://") for u in tab.requests)
    assert not tab.errors, tab.errors
