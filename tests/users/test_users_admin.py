"""First-run setup and user administration, with the audit trail it leaves."""

from __future__ import annotations

from typing import Any

import pytest

from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, CREATE_USER, make_member
from support.graphql_client import LOGIN, GraphQLClient
from support.live_server import LiveServer

SETUP = """mutation($e: String!, $p: String!, $n: String!) {
  createFirstAdmin(email: $e, password: $p, fullName: $n) { accessToken user { email role } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { id email role active fullName } }"""
RESET = """mutation($id: ID!, $p: String!) { resetUserPassword(id: $id, newPassword: $p) { id } }"""
USERS = """query($first: Int!, $after: String) { users(first: $first, after: $after) {
  edges { cursor node { id email role active } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
AUDIT = "{ auditLog(first: 50) { edges { node { action actorEmail targetType targetId details actor { email } } } } }"


def audit_actions(gql: GraphQLClient, token: str) -> list[str]:
    edges = gql.data(AUDIT, token=token)["auditLog"]["edges"]
    return [e["node"]["action"] for e in edges]


def test_first_run_setup_only_while_no_user_exists(gql: GraphQLClient) -> None:
    assert gql.data("{ needsSetup }")["needsSetup"] is True
    first = gql.data(SETUP, {"e": "Owner@Example.com", "p": ADMIN_PASSWORD, "n": "Owner"})
    assert first["createFirstAdmin"]["user"] == {"email": "owner@example.com", "role": "ADMIN"}
    assert gql.data("{ needsSetup }")["needsSetup"] is False
    second = gql.error(SETUP, {"e": "intruder@example.com", "p": ADMIN_PASSWORD, "n": "X"})
    assert second["extensions"]["code"] == "FORBIDDEN"
    assert gql.error(LOGIN, {"email": "intruder@example.com", "password": ADMIN_PASSWORD})


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("not-an-email", ADMIN_PASSWORD, "email"), ("a@example.com", "too short", "password")],
)
def test_first_run_setup_validates(gql: GraphQLClient, email: str, password: str, field: str) -> None:
    error = gql.error(SETUP, {"e": email, "p": password, "n": ""})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert gql.data("{ needsSetup }")["needsSetup"] is True


def test_admin_creates_and_manages_a_member(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    created = gql.data(CREATE_USER, {"input": {"email": "Bob@Example.com", "password": "bob's long password",
                                               "fullName": "  Bob   Builder "}}, token=token)["createUser"]
    assert created["email"] == "bob@example.com"
    assert created["fullName"] == "Bob Builder"
    assert (created["role"], created["active"]) == ("MEMBER", True)

    promoted = gql.data(UPDATE, {"id": created["id"], "input": {"role": "ADMIN", "fullName": "Robert"}},
                        token=token)["updateUser"]
    assert (promoted["role"], promoted["fullName"]) == ("ADMIN", "Robert")

    gql.data(RESET, {"id": created["id"], "p": "a fresh password for bob"}, token=token)
    assert gql.error(LOGIN, {"email": "bob@example.com", "password": "bob's long password"})
    assert gql.login("bob@example.com", "a fresh password for bob")["user"]["role"] == "ADMIN"

    actions = audit_actions(gql, token)
    for action in ("user.created", "user.role_changed", "user.password_reset", "auth.login"):
        assert action in actions
    role_change = next(e["node"] for e in gql.data(AUDIT, token=token)["auditLog"]["edges"]
                       if e["node"]["action"] == "user.role_changed")
    assert role_change["details"] == {"email": "bob@example.com", "from": "MEMBER", "to": "ADMIN"}
    assert role_change["actor"] == {"email": ADMIN_EMAIL}
    assert role_change["targetId"] == created["id"]


def test_emails_are_unique_whatever_their_case(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    error = gql.error(CREATE_USER, {"input": {"email": "ADMIN@example.com", "password": "another long one"}},
                      token=admin["accessToken"])
    assert error["extensions"] == {"code": "CONFLICT", "field": "email"}


def test_reset_password_signs_the_user_out(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    member = make_member(gql, admin["accessToken"])
    gql.data(RESET, {"id": member["user"]["id"], "p": "the reset password"}, token=admin["accessToken"])
    assert gql.error("{ me { id } }", token=member["accessToken"])["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_last_admin_cannot_be_demoted_or_deactivated(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token, me = admin["accessToken"], admin["user"]["id"]
    demote = gql.error(UPDATE, {"id": me, "input": {"role": "MEMBER"}}, token=token)
    assert demote["extensions"]["code"] == "CONFLICT"
    self_off = gql.error(UPDATE, {"id": me, "input": {"active": False}}, token=token)
    assert self_off["extensions"] == {"code": "BAD_USER_INPUT", "field": "active"}
    # With a second admin, the first may step down.
    other = make_member(gql, token, "second@example.com")
    gql.data(UPDATE, {"id": other["user"]["id"], "input": {"role": "ADMIN"}}, token=token)
    assert gql.data(UPDATE, {"id": me, "input": {"role": "MEMBER"}}, token=token)["updateUser"]["role"] == "MEMBER"


def test_members_cannot_administer(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    member = make_member(gql, admin["accessToken"])
    token = member["accessToken"]
    attempts = [
        (USERS, {"first": 5}),
        (AUDIT, None),
        (CREATE_USER, {"input": {"email": "x@example.com", "password": "long enough pass"}}),
        (UPDATE, {"id": member["user"]["id"], "input": {"role": "ADMIN"}}),
        (RESET, {"id": admin["user"]["id"], "p": "taking over the admin"}),
    ]
    for query, variables in attempts:
        assert gql.error(query, variables, token=token)["extensions"]["code"] == "FORBIDDEN"
    assert gql.data("{ me { role } }", token=token)["me"]["role"] == "MEMBER"
    assert gql.login(ADMIN_EMAIL, ADMIN_PASSWORD)  # the admin's password is untouched


def test_anonymous_callers_are_asked_to_authenticate(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    for query, variables in [(USERS, {"first": 5}), (AUDIT, None),
                             (UPDATE, {"id": "1", "input": {"active": False}})]:
        assert gql.error(query, variables)["extensions"]["code"] == "UNAUTHENTICATED"


def test_unknown_user_ids(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    assert gql.error(UPDATE, {"id": "4040", "input": {"active": False}}, token=token)["extensions"][
        "code"] == "NOT_FOUND"
    assert gql.error(UPDATE, {"id": "abc", "input": {"active": False}}, token=token)["extensions"] == {
        "code": "BAD_USER_INPUT", "field": "id"}


def test_users_are_paged_by_keyset(gql: GraphQLClient, admin: dict[str, Any]) -> None:
    token = admin["accessToken"]
    for i in range(6):
        gql.data(CREATE_USER, {"input": {"email": f"user{i}@example.com", "password": "long enough pass"}},
                 token=token)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = gql.data(USERS, {"first": 3, "after": after}, token=token)["users"]
        seen += [e["node"]["email"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == [ADMIN_EMAIL] + [f"user{i}@example.com" for i in range(6)]
    for bad in ({"first": 0}, {"first": 101}, {"first": 5, "after": "not-a-cursor"}):
        assert gql.error(USERS, bad, token=token)["extensions"]["code"] == "BAD_USER_INPUT"


def test_user_list_costs_two_statements_whatever_its_size(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from ai_service.core.db import count_statements

    token = admin["accessToken"]
    for i in range(30):
        gql.data(CREATE_USER, {"input": {"email": f"u{i}@example.com", "password": "long enough pass"}},
                 token=token)
    counts = []
    for size in (2, 30):
        with count_statements() as counter:
            gql.data(USERS, {"first": size}, token=token)
        counts.append(counter.count)
    # One to authenticate the token, one for the page.
    assert counts == [2, 2]


def test_audit_log_resolves_actors_in_one_batch(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from ai_service.core.db import count_statements

    for i in range(5):
        member = make_member(gql, admin["accessToken"], f"m{i}@example.com")
        gql.data("{ me { id } }", token=member["accessToken"])
    counts = []
    for size in (3, 12):  # 12 = every event: 6 users created, 6 logins
        with count_statements() as counter:
            edges = gql.data("query($n: Int!) { auditLog(first: $n) { edges { node { action actor { email } } } } }",
                             {"n": size}, token=admin["accessToken"])["auditLog"]["edges"]
        assert len(edges) == size
        counts.append(counter.count)
    # Authentication, the page, and one query for all the actors however many there are.
    assert counts == [3, 3]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    gql: GraphQLClient, admin: dict[str, Any]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    other = make_member(gql, admin["accessToken"], "second@example.com")
    gql.data(UPDATE, {"id": other["user"]["id"], "input": {"role": "ADMIN"}}, token=admin["accessToken"])
    moves = [(admin["accessToken"], other["user"]["id"]), (other["accessToken"], admin["user"]["id"])]
    for _ in range(5):
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda m: gql.post(UPDATE, {"id": m[1], "input": {"role": "MEMBER"}}, token=m[0]), moves))
        roles = [e["node"]["role"] for e in gql.data(USERS, {"first": 5}, token=_any_admin_token(gql))["users"]["edges"]]
        assert roles.count("ADMIN") == 1, roles
        for token, user_id in moves:  # promote back for the next round
            gql.post(UPDATE, {"id": user_id, "input": {"role": "ADMIN"}}, token=token)


def _any_admin_token(gql: GraphQLClient) -> str:
    for email, password in ((ADMIN_EMAIL, ADMIN_PASSWORD), ("second@example.com", "member password 123")):
        payload = gql.login(email, password)
        if payload["user"]["role"] == "ADMIN":
            return str(payload["accessToken"])
    raise AssertionError("no admin left")
