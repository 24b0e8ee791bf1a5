"""The users the tests sign in as: the first administrator (the `admin` fixture) and members."""

from __future__ import annotations

from typing import Any

from support.graphql_client import GraphQLClient

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple"
CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) {
  createUser(input: $input) { id email role active fullName }
}"""


def make_member(gql: GraphQLClient, admin_token: str, email: str = "member@example.com",
                password: str = "member password 123") -> dict[str, Any]:
    gql.data(CREATE_USER, {"input": {"email": email, "password": password, "fullName": "Mem"}},
             token=admin_token)
    return gql.login(email, password)
