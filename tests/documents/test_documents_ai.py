"""Analysis and questions through the AI gateway, against the local fake of OpenAI and
Anthropic; OpenAI embeddings when that integration is configured."""

from __future__ import annotations

from typing import Any

from ai_service.integrations.providers import Provider
from fakes.anthropic import ANTHROPIC_KEY
from fakes.openai import OPENAI_KEY
from fakes.server import FakeProviders
from support.docfiles import make_pdf, uploaded
from support.documents import CONTRACT, configure, ingested, search
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

ASK = """mutation($q: String!, $ids: [ID!]) { askDocuments(question: $q, documentIds: $ids) {
  answer grounded provider model citations { page passage document { id title } } } }"""
ANALYZE = """mutation($id: ID!) { analyzeDocument(id: $id) { id analysis {
  summary entities { name type } topics suggestedTags provider model analyzedAt } } }"""


def contract(gql: GraphQLClient, token: str) -> dict[str, Any]:
    document = uploaded(gql.http, token, make_pdf(CONTRACT), "contract.pdf")
    return ingested(gql, token, document["id"])


def test_ask_answers_from_passages_with_citations(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any],
    fake_providers: FakeProviders,
) -> None:
    token = admin["accessToken"]
    document = contract(gql, token)
    configure(gql, token, Provider.ANTHROPIC, ANTHROPIC_KEY)
    fake_providers.reply("anthropic", {"answer": "Ninety days written notice [1].",
                                       "citations": [1, 1, 99]})
    answer = gql.data(ASK, {"q": "How much notice is needed to terminate?"},
                      token=token)["askDocuments"]
    assert answer["grounded"] is True
    assert answer["answer"] == "Ninety days written notice [1]."
    assert answer["provider"] == "ANTHROPIC"
    [citation] = answer["citations"]  # duplicates and numbers out of range are dropped
    assert citation["page"] == 3
    assert "ninety days written notice" in citation["passage"]
    assert citation["document"] == {"id": document["id"], "title": "contract"}
    [sent] = fake_providers.requests_to("anthropic")
    prompt = sent.json["messages"][0]["content"]
    assert "[1] contract, page 3" in prompt
    assert "How much notice is needed to terminate?" in prompt
    assert "only the numbered passages" in sent.json["system"]
    # Embeddings stayed local: OpenAI is not configured.
    assert fake_providers.requests_to("openai") == []


def test_with_no_matching_passage_it_says_so_and_asks_no_model(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any],
    fake_providers: FakeProviders,
) -> None:
    token = admin["accessToken"]
    contract(gql, token)
    configure(gql, token, Provider.ANTHROPIC, ANTHROPIC_KEY)
    answer = gql.data(ASK, {"q": "What is the boiling point of mercury?"},
                      token=token)["askDocuments"]
    assert answer["grounded"] is False
    assert answer["citations"] == []
    assert "None of your documents" in answer["answer"]
    assert fake_providers.requests_to("anthropic") == []
    # Restricted to documents that match nothing: the same.
    empty = gql.data(ASK, {"q": "termination notice", "ids": ["424242"]},
                     token=token)["askDocuments"]
    assert empty["grounded"] is False


def test_analysis_is_stored_on_the_document(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any],
    fake_providers: FakeProviders,
) -> None:
    token = admin["accessToken"]
    document = contract(gql, token)
    not_configured = gql.error(ANALYZE, {"id": document["id"]}, token=token)
    assert not_configured["extensions"]["code"] == "INTEGRATION_NOT_CONFIGURED"
    configure(gql, token, Provider.OPENAI, OPENAI_KEY)
    fake_providers.reply("openai", {
        "summary": "A service agreement between Acme and Globex.",
        "entities": [{"name": "Acme Corporation", "type": "ORGANIZATION"},
                     {"name": " ", "type": "OTHER"}],
        "topics": ["maintenance", "payment terms"],
        "suggestedTags": ["Contract", "contract", "a|b", "supplier"],
    })
    analysis = gql.data(ANALYZE, {"id": document["id"]}, token=token)["analyzeDocument"][
        "analysis"]
    assert analysis["summary"] == "A service agreement between Acme and Globex."
    assert analysis["entities"] == [{"name": "Acme Corporation", "type": "ORGANIZATION"}]
    assert analysis["topics"] == ["maintenance", "payment terms"]
    assert analysis["suggestedTags"] == ["contract", "supplier"]
    assert analysis["provider"] == "OPENAI"
    assert analysis["analyzedAt"]
    [sent] = fake_providers.requests_to("openai")
    assert sent.json["response_format"]["type"] == "json_schema"
    assert "Globex Limited" in sent.json["messages"][-1]["content"]
    stored = gql.data("query($id: ID!) { document(id: $id) { analysis { summary } } }",
                      {"id": document["id"]}, token=token)["document"]["analysis"]
    assert stored == {"summary": "A service agreement between Acme and Globex."}


def test_openai_embeds_passages_when_configured_and_reindex_follows_a_change(
    server: LiveServer, gql: GraphQLClient, admin: dict[str, Any],
    fake_providers: FakeProviders,
) -> None:
    from ai_service.documents.models import Document

    token, owner = admin["accessToken"], int(admin["user"]["id"])
    configure(gql, token, Provider.OPENAI, OPENAI_KEY)
    document = contract(gql, token)
    assert document["status"] == "READY"
    embedded = [r for r in fake_providers.requests_to("openai") if r.path.endswith("embeddings")]
    assert embedded
    assert embedded[0].json["model"] == "text-embedding-3-small"
    assert sum(len(r.json["input"]) for r in embedded) == document["chunkCount"]

    async def embedder() -> str | None:
        return (await Document.get(id=int(document["id"]))).embedder

    assert server.call(embedder) == "openai-text-embedding-3-small:1536"
    # Words still find things, and the query is embedded by OpenAI too.
    assert search(gql, token, "Globex")[0]["page"] == 1
    # OpenAI removed: a reindex moves the vectors to the local embedder's collection.
    gql.data("mutation { deleteIntegration(provider: OPENAI) }", token=token)
    assert gql.data("mutation { reindexDocuments }", token=token)["reindexDocuments"] == 1
    ingested(gql, token, document["id"])
    assert server.call(embedder) == "local-hash-v1:384"
    assert server.call(server.services.vectors.count(owner, int(document["id"]))) \
        == document["chunkCount"]
    assert search(gql, token, "terminashun notise")[0]["page"] == 3
