"""A synchronous client for /graphql: queries, expected errors, multipart uploads, login."""

from __future__ import annotations

import json
from typing import Any

import httpx

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken expiresAt user { id email role } }
}"""


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
