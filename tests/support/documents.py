"""Documents over GraphQL as several test modules use them: a contract to upload, waiting for
its ingestion, searching, and the AI provider key the analysis and questions need."""

from __future__ import annotations

from typing import Any

from ai_service.integrations.providers import Provider
from support.docfiles import DOCUMENT_FIELDS
from support.graphql_client import GraphQLClient
from support.waiting import wait_for

CONTRACT = [
    "SERVICE AGREEMENT\nThis agreement is made between Acme Corporation and Globex Limited.\n"
    "The supplier shall deliver quarterly maintenance reports to the customer.",
    "PAYMENT TERMS\nInvoices are payable within thirty days of receipt.\n"
    "Late payment incurs interest of two percent per month on the open amount.",
    "TERMINATION\nEither party may terminate this agreement with ninety days written notice.\n"
    "Confidentiality obligations survive the termination of this agreement.",
]
DOCUMENT = f"query($id: ID!) {{ document(id: $id) {{ {DOCUMENT_FIELDS} }} }}"
SEARCH = """query($q: String!, $limit: Int, $ids: [ID!]) {
  searchDocuments(query: $q, limit: $limit, documentIds: $ids) {
    text page score byVector byKeyword document { id title } } }"""
SET = """mutation($p: IntegrationProvider!, $v: [IntegrationValueInput!]!) {
  setIntegration(provider: $p, values: $v) { configured } }"""


def ingested(gql: GraphQLClient, token: str, document_id: str) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        document: dict[str, Any] = gql.data(DOCUMENT, {"id": document_id},
                                            token=token)["document"]
        return document if document["status"] in ("READY", "FAILED") else None

    result: dict[str, Any] = wait_for(finished, 60, "ingestion")
    return result


def search(gql: GraphQLClient, token: str, query: str, **kw: Any) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = gql.data(SEARCH, {"q": query, **kw},
                                          token=token)["searchDocuments"]
    return hits


def configure(gql: GraphQLClient, token: str, provider: Provider, key: str) -> None:
    gql.data(SET, {"p": provider.value, "v": [{"key": "apiKey", "value": key}]}, token=token)
