"""Logging in, tokens, sessions and their revocation, through the real HTTP endpoint."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, make_member
from support.graphql_client import LOGIN, GraphQLClient
from support.live_server import LiveServer

ME = "{ me { id email fullName role active } }"
REFRESH = """mutation($t: String!) { refreshToken(refreshToken: $t) {
  accessToken refreshToken expiresAt user { email } } }"""
CHANGE = """mutation($c: String!, $n: String!) {
  changePassword(currentPassword: $c, newPassword: $n) }"""


def test_login_and_me(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    payload = gql.login("ADMIN@Example.COM", ADMIN_PASSWORD)  # emails are case-insensitive
    assert payload["user"]["email"] == ADMIN_EMAIL
    expires = datetime.fromisoformat(payload["expiresAt"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    me = gql.data(ME, token=payload["accessToken"])["me"]
    assert me == {"id": admin["user"]["id"], "email": ADMIN_EMAIL, "fullName": "Ada Admin",
                  "role": "ADMIN", "active": True}


def test_me_requires_a_token(gql: GraphQLClient) -> None:
    error = gql.error(ME)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_wrong_password_and_unknown_email_answer_alike(gql: GraphQLClient, admin: Any) -> None:
    wrong = gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": "not the password at all"})
    unknown = gql.error(LOGIN, {"email": "nobody@example.com", "password": "not the password"})
    for error in (wrong, unknown):
        assert error["extensions"] == {"code": "UNAUTHENTICATED"}
        assert error["message"] == "Invalid email or password"


def test_login_failures_are_rate_limited_per_email(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    for _ in range(5):
        error = gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": "wrong password!!"})
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
    # Even the right password is refused now, with a time to wait.
    error = gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 1 <= error["extensions"]["retryAfter"] <= 900
    assert "Try again in" in error["message"]
    # The counter is per email: it is the IP's budget that other emails share.
    server.call(server.services.cache.clear())
    assert gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)["user"]["email"] == ADMIN_EMAIL


def test_login_failures_are_rate_limited_per_ip(gql: GraphQLClient, admin: Any) -> None:
    for i in range(5):  # five different unknown emails from one address
        gql.error(LOGIN, {"email": f"guess{i}@example.com", "password": "some password"})
    error = gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert error["extensions"]["code"] == "RATE_LIMITED"


def test_a_successful_login_resets_the_email_counter(gql: GraphQLClient, admin: Any) -> None:
    for _ in range(2):
        gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": "wrong password!!"})
    gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    audit = gql.data("{ auditLog(first: 10) { edges { node { action details } } } }",
                     token=admin["accessToken"])["auditLog"]["edges"]
    actions = [e["node"]["action"] for e in audit]
    assert actions.count("auth.login_failed") == 2
    assert {"reason": "wrong_password"} in [e["node"]["details"] for e in audit]


def test_refresh_rotates_and_reuse_revokes_the_family(gql: GraphQLClient, admin: Any) -> None:
    first = gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    second = gql.data(REFRESH, {"t": first["refreshToken"]})["refreshToken"]
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    third = gql.data(REFRESH, {"t": second["refreshToken"]})["refreshToken"]
    assert gql.data(ME, token=third["accessToken"])["me"]["email"] == ADMIN_EMAIL

    # Replaying a spent token: refused, and every token of that session dies with it.
    replay = gql.error(REFRESH, {"t": first["refreshToken"]})
    assert replay["extensions"]["code"] == "UNAUTHENTICATED"
    assert "already used" in replay["message"]
    assert gql.error(REFRESH, {"t": third["refreshToken"]})["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.error(ME, token=third["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
    # Other sessions are untouched.
    assert gql.data(ME, token=admin["accessToken"])["me"]["email"] == ADMIN_EMAIL
    actions = [e["node"]["action"] for e in gql.data(
        "{ auditLog(first: 20) { edges { node { action } } } }", token=admin["accessToken"]
    )["auditLog"]["edges"]]
    assert "auth.refresh_token_reuse" in actions


def test_unknown_refresh_token(gql: GraphQLClient) -> None:
    error = gql.error(REFRESH, {"t": "made-up-token"})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def test_logout_ends_the_session(gql: GraphQLClient, admin: Any) -> None:
    session = gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    assert gql.data("mutation($t: String!) { logout(refreshToken: $t) }",
                    {"t": session["refreshToken"]})["logout"] is True
    assert gql.error(ME, token=session["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.error(REFRESH, {"t": session["refreshToken"]})["extensions"]["code"] == (
        "UNAUTHENTICATED")
    # Logging out twice, or with a token nobody knows, is not an error and reveals nothing.
    assert gql.data("mutation { logout(refreshToken: \"nope\") }")["logout"] is True


def test_change_password_signs_out_other_sessions(gql: GraphQLClient, admin: Any) -> None:
    here = gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    elsewhere = gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    new_password = "a brand new passphrase"
    assert gql.data(CHANGE, {"c": ADMIN_PASSWORD, "n": new_password},
                    token=here["accessToken"])["changePassword"] is True
    assert gql.data(ME, token=here["accessToken"])["me"]["email"] == ADMIN_EMAIL
    for token in (elsewhere["accessToken"], admin["accessToken"]):
        assert gql.error(ME, token=token)["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.error(REFRESH, {"t": elsewhere["refreshToken"]})["extensions"]["code"] == (
        "UNAUTHENTICATED")
    assert gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert gql.login(ADMIN_EMAIL, new_password)["user"]["email"] == ADMIN_EMAIL


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [
        ("wrong current password", "a brand new passphrase", "currentPassword"),
        (ADMIN_PASSWORD, "short", "newPassword"),
        (ADMIN_PASSWORD, ADMIN_PASSWORD, "newPassword"),
    ],
)
def test_change_password_rejects(
    gql: GraphQLClient, admin: Any, current: str, new: str, field: str
) -> None:
    error = gql.error(CHANGE, {"c": current, "n": new}, token=admin["accessToken"])
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)  # nothing changed


def test_guessing_the_current_password_is_rate_limited(gql: GraphQLClient, admin: Any) -> None:
    for _ in range(5):
        gql.error(CHANGE, {"c": "not my password", "n": "whatever long one"},
                  token=admin["accessToken"])
    error = gql.error(CHANGE, {"c": ADMIN_PASSWORD, "n": "whatever long one"},
                      token=admin["accessToken"])
    assert error["extensions"]["code"] == "RATE_LIMITED"


def test_deactivated_user_is_out_at_once(gql: GraphQLClient, admin: Any) -> None:
    member = make_member(gql, admin["accessToken"])
    assert gql.data(ME, token=member["accessToken"])["me"]["role"] == "MEMBER"
    gql.data('mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { active } }',
             {"id": member["user"]["id"]}, token=admin["accessToken"])
    assert gql.error(ME, token=member["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.error(REFRESH, {"t": member["refreshToken"]})["extensions"]["code"] == (
        "UNAUTHENTICATED")
    error = gql.error(LOGIN, {"email": "member@example.com", "password": "member password 123"})
    assert error["message"] == "Invalid email or password"


def _forge(server: LiveServer, claims: dict[str, Any], key: str | None = None,
           algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key or server.settings.jwt_secret, algorithm=algorithm)


def _claims(admin: Any) -> dict[str, Any]:
    return jwt.decode(admin["accessToken"], options={"verify_signature": False})


def test_tampered_tokens_are_refused(server: LiveServer, gql: GraphQLClient, admin: Any) -> None:
    claims = _claims(admin)
    header, _, signature = admin["accessToken"].split(".")
    tampered_payload = _forge(server, {**claims, "sub": "999"}).split(".")[1]
    tokens = {
        "swapped payload": f"{header}.{tampered_payload}.{signature}",
        "wrong key": _forge(server, claims, key="another key that is long enough!!!!"),
        "alg none": jwt.encode(claims, None, algorithm="none"),  # type: ignore[arg-type]
        "HS512": _forge(server, claims, algorithm="HS512"),
        "expired": _forge(server, {**claims, "exp": int(time.time()) - 60}),
        "not an access token": _forge(server, {**claims, "typ": "refresh"}),
        "no session": _forge(server, {k: v for k, v in claims.items() if k != "sid"}),
        "garbage": "not.a.jwt",
    }
    for name, token in tokens.items():
        error = gql.error(ME, token=token)
        assert error["extensions"]["code"] == "UNAUTHENTICATED", name
    assert gql.data(ME, token=admin["accessToken"])["me"]["email"] == ADMIN_EMAIL


def test_a_valid_signature_for_another_user_does_not_cross_sessions(
    server: LiveServer, gql: GraphQLClient, admin: Any
) -> None:
    member = make_member(gql, admin["accessToken"])
    # The member's session with the admin's id: signed correctly, yet it names no live session.
    forged = _forge(server, {**_claims(member), "sub": admin["user"]["id"]})
    assert gql.error(ME, token=forged)["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_burst_of_parallel_guesses_is_still_limited(gql: GraphQLClient, admin: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def guess(i: int) -> str:
        error = gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": f"wrong guess {i}"})
        return str(error["extensions"]["code"])

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(guess, range(20)))
    # Counted before checked: never more than five guesses get to the password. (With Redis
    # the email and IP counters of racing requests may interleave, so it can be fewer.)
    assert 1 <= codes.count("UNAUTHENTICATED") <= 5
    assert codes.count("RATE_LIMITED") == 20 - codes.count("UNAUTHENTICATED")


def test_throttling_is_audited_once_per_window(gql: GraphQLClient, admin: Any) -> None:
    for i in range(12):
        gql.error(LOGIN, {"email": ADMIN_EMAIL, "password": f"wrong guess {i}"})
    actions = [e["node"]["action"] for e in gql.data(
        "{ auditLog(first: 50) { edges { node { action } } } }", token=admin["accessToken"]
    )["auditLog"]["edges"]]
    assert actions.count("auth.login_failed") == 5
    assert actions.count("auth.login_throttled") == 1


def test_two_refreshes_of_one_token_at_once_revoke_the_session(
    gql: GraphQLClient, admin: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    session = gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: gql.post(REFRESH, {"t": session["refreshToken"]}), range(2)))
    winners = [r["data"]["refreshToken"] for r in results if r.get("data")]
    assert len(winners) <= 1
    # Whoever won, that session is dead now: a stolen token raced its owner.
    for payload in winners:
        assert gql.error(ME, token=payload["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql.error(ME, token=session["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"
