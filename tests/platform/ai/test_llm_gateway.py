"""The AI gateway through the real OpenAI and Anthropic SDKs, against the local fake of their APIs:
provider choice and fallback, structured output, embeddings batching, the usage ledger."""

from __future__ import annotations

import base64
import dataclasses
import secrets
from collections.abc import Awaitable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from ai_service.core.client import CLI_CLIENT
from ai_service.core.errors import BadUserInput, IntegrationNotConfigured, IntegrationUnavailable
from ai_service.integrations.providers import Provider
from ai_service.integrations.service import Scope
from ai_service.platform.ai import AiUsage, Capability, LLMGateway, Message
from ai_service.platform.ai import gateway as gateway_module
from ai_service.users.models import User
from fakes.anthropic import ANTHROPIC_KEY
from fakes.openai import OPENAI_KEY, OPENAI_ORG
from fakes.server import FakeProviders
from support.accounts import make_member
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

T = TypeVar("T")
CLAUDE_MODEL_ID = "claude-sonnet-4-5-20250929"  # what the API answers for claude-sonnet-4-5
M = Decimal(1_000_000)
PRICE = {  # USD per million tokens, input and output (pricing.py must agree)
    "gpt-4.1-mini": (Decimal("0.40"), Decimal("1.60")),
    CLAUDE_MODEL_ID: (Decimal(3), Decimal(15)),
    "text-embedding-3-small": (Decimal("0.02"), Decimal(0)),
}
INVOICE = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "total": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["title", "total", "tags"],
}


def fetch(server: LiveServer, query: Awaitable[T]) -> T:
    """A Tortoise query (awaitable, not a coroutine), run on the server's loop."""
    async def run() -> T:
        return await query

    return server.call(run())


def fake_tokens(text: str) -> int:
    """The fake's tokeniser: about four characters per token."""
    return max(1, (len(text) + 3) // 4)


def cost(model: str, input_tokens: int, output_tokens: int) -> Decimal:
    price_in, price_out = PRICE[model]
    return ((price_in * input_tokens + price_out * output_tokens) / M).quantize(Decimal("1e-6"))


@pytest.fixture
def admin_user(server: LiveServer, admin: dict[str, Any]) -> User:
    return fetch(server, User.get(id=int(admin["user"]["id"])))


@pytest.fixture
def gateway(server: LiveServer, fake_providers: FakeProviders) -> Iterator[LLMGateway]:
    gw = LLMGateway(server.services.integrations, server.services.settings)
    yield gw
    server.call(gw.close())


def configure(server: LiveServer, user: User, provider: Provider, scope: Scope | None = None,
              **values: str | None) -> None:
    server.call(server.services.integrations.set(user, provider, list(values.items()), scope,
                                                 CLI_CLIENT))


def configure_both(server: LiveServer, user: User) -> None:
    configure(server, user, Provider.OPENAI, apiKey=OPENAI_KEY)
    configure(server, user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)


def ledger(server: LiveServer) -> list[AiUsage]:
    return fetch(server, AiUsage.all().order_by("id"))


# --------------------------------------------------------------------------- completion


def test_claude_answers_by_default_with_the_integrations_settings(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    fake_providers.reply("anthropic", "Hello there, Ada.")
    done = server.call(gateway.complete("Say hello to Ada", user_id=admin_user.id,
                                        system="Be brief.", purpose="test.hello"))
    assert done.provider is Provider.ANTHROPIC
    assert done.text == "Hello there, Ada."
    assert done.data is None
    assert done.model == CLAUDE_MODEL_ID
    assert done.input_tokens == fake_tokens("Be brief.\nSay hello to Ada")
    assert done.output_tokens == fake_tokens("Hello there, Ada.")
    assert done.cost_usd == cost(CLAUDE_MODEL_ID, done.input_tokens, done.output_tokens) > 0
    assert not done.truncated

    [sent] = fake_providers.requests_to("anthropic")
    assert fake_providers.requests_to("openai") == []
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == ANTHROPIC_KEY
    assert sent.json["model"] == "claude-sonnet-4-5"
    assert sent.json["max_tokens"] == 1024  # the integration's default
    assert sent.json["system"] == "Be brief."
    assert sent.json["messages"] == [{"role": "user", "content": "Say hello to Ada"}]
    assert "tools" not in sent.json
    assert "temperature" not in sent.json

    [row] = ledger(server)
    assert (row.provider, row.model, row.operation, row.purpose) == (
        "ANTHROPIC", CLAUDE_MODEL_ID, "complete", "test.hello")
    assert (row.input_tokens, row.output_tokens) == (done.input_tokens, done.output_tokens)
    assert row.cost_usd == done.cost_usd
    assert row.succeeded
    assert row.error is None
    assert row.user_id == admin_user.id
    assert row.latency_ms == done.latency_ms >= 0


def test_openai_answers_when_preferred_with_messages_and_options(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY, organization=OPENAI_ORG)
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)
    fake_providers.reply("openai", "y" * 80)
    conversation = [Message("user", "x" * 200), Message("assistant", "ok"),
                    Message("user", "z" * 198)]
    done = server.call(gateway.complete(conversation, user_id=None, max_tokens=300,
                                        temperature=0.2, prefer=Provider.OPENAI))
    assert (done.provider, done.model, done.text) == (Provider.OPENAI, "gpt-4.1-mini", "y" * 80)
    # prompt_tokens and completion_tokens land where they belong
    assert (done.input_tokens, done.output_tokens) == (
        fake_tokens("\n".join(m.content for m in conversation)), 20)
    assert done.cost_usd == cost("gpt-4.1-mini", done.input_tokens, 20)

    [sent] = fake_providers.requests_to("openai")
    assert fake_providers.requests_to("anthropic") == []
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert sent.headers["openai-organization"] == OPENAI_ORG
    assert sent.json["model"] == "gpt-4.1-mini"
    assert sent.json["messages"] == [{"role": "user", "content": "x" * 200},
                                     {"role": "assistant", "content": "ok"},
                                     {"role": "user", "content": "z" * 198}]
    assert sent.json["max_completion_tokens"] == 300
    assert sent.json["temperature"] == 0.2
    assert "response_format" not in sent.json
    assert "max_tokens" not in sent.json
    [row] = ledger(server)
    assert row.user_id is None
    assert (row.provider, row.input_tokens, row.output_tokens) == (
        "OPENAI", done.input_tokens, 20)


def test_the_settings_preference_picks_the_first_provider(
    server: LiveServer, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    settings = dataclasses.replace(server.services.settings, ai_preference="OPENAI")
    gateway = LLMGateway(server.services.integrations, settings)
    try:
        assert server.call(gateway.complete("hi", user_id=None)).provider is Provider.OPENAI
        preferred = server.call(gateway.complete("hi", user_id=None, prefer=Provider.ANTHROPIC))
        assert preferred.provider is Provider.ANTHROPIC
    finally:
        server.call(gateway.close())
    assert len(fake_providers.requests_to("openai")) == 1
    assert len(fake_providers.requests_to("anthropic")) == 1


def test_reasoning_models_get_no_temperature(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY, chatModel="gpt-5")
    assert server.call(gateway.complete("hi", user_id=None, temperature=0.2)).model == "gpt-5"
    [sent] = fake_providers.requests_to("openai")
    assert "temperature" not in sent.json


def test_claude_takes_temperature_up_to_one(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY, maxTokens="2048")
    server.call(gateway.complete("hi", user_id=None, temperature=1.5))
    [sent] = fake_providers.requests_to("anthropic")
    assert (sent.json["temperature"], sent.json["max_tokens"]) == (1.0, 2048)


def test_a_server_error_after_the_retries_falls_back_to_the_other_provider(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    fake_providers.fail_next("anthropic", 500, times=3)
    done = server.call(gateway.complete("hi", user_id=admin_user.id, purpose="fallback"))
    assert done.provider is Provider.OPENAI
    assert len(fake_providers.requests_to("anthropic")) == 3  # the first try and two retries
    assert len(fake_providers.requests_to("openai")) == 1
    failed, answered = ledger(server)
    assert (failed.provider, failed.succeeded, failed.operation) == ("ANTHROPIC", False,
                                                                     "complete")
    assert failed.model == "claude-sonnet-4-5"  # no answer: the model asked for
    assert failed.error is not None
    assert failed.error.startswith("HTTP 500 server error")
    assert (failed.input_tokens, failed.output_tokens, failed.cost_usd) == (0, 0, 0)
    assert failed.latency_ms > 0
    assert failed.purpose == "fallback"
    assert (answered.provider, answered.succeeded) == ("OPENAI", True)


def test_a_rate_limit_is_retried_after_the_delay_asked_for(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    fake_providers.fail_next("openai", 429, retry_after=1)
    done = server.call(gateway.complete("hi", user_id=None))
    assert done.provider is Provider.OPENAI
    assert done.latency_ms >= 1000
    assert len(fake_providers.requests_to("openai")) == 2
    [row] = ledger(server)  # one call, however many tries the SDK needed
    assert row.succeeded


def test_a_rejected_key_falls_back_at_once_and_is_never_shown(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    wrong = "sk-ant-api03-" + secrets.token_urlsafe(40)
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=wrong)
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    done = server.call(gateway.complete("hi", user_id=None))
    assert done.provider is Provider.OPENAI
    assert len(fake_providers.requests_to("anthropic")) == 1  # 401 is not retried
    failed = ledger(server)[0]
    assert failed.error is not None
    assert "HTTP 401 authentication failed" in failed.error
    assert wrong not in failed.error


def test_a_slow_provider_times_out_and_the_other_answers(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_both(server, admin_user)
    monkeypatch.setattr(gateway_module, "COMPLETION_TIMEOUT_SECONDS", 0.3)
    fake_providers.delay("anthropic", 5)
    done = server.call(gateway.complete("hi", user_id=None))
    assert done.provider is Provider.OPENAI
    assert len(fake_providers.requests_to("anthropic")) == 3
    failed = ledger(server)[0]
    assert (failed.provider, failed.error) == ("ANTHROPIC", "timed out")


def test_a_key_that_does_not_open_falls_back_to_the_other_provider(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    from ai_service.core.crypto import Keyring
    from ai_service.integrations.models import Integration

    configure_both(server, admin_user)
    lost = Keyring.parse("gone:" + base64.b64encode(secrets.token_bytes(32)).decode())

    async def seal_claude_under_a_lost_key() -> None:
        row = await Integration.get(scope="global", provider=Provider.ANTHROPIC)
        aad = b"ai-service/integration/v1\x1fglobal\x1fANTHROPIC\x1fapiKey"
        row.secrets = {"apiKey": lost.seal(ANTHROPIC_KEY, aad)}
        await row.save()

    server.call(seal_claude_under_a_lost_key())
    assert server.call(gateway.complete("hi", user_id=None)).provider is Provider.OPENAI
    assert fake_providers.requests_to("anthropic") == []
    assert [r.provider for r in ledger(server)] == ["OPENAI"]  # nobody was called for Claude


def test_the_only_configured_provider_answers_whatever_the_preference(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    assert server.call(gateway.complete("hi", user_id=None)).provider is Provider.OPENAI
    assert fake_providers.requests_to("anthropic") == []
    assert [r.succeeded for r in ledger(server)] == [True]


def test_nothing_configured_names_both_providers_and_where_to_add_them(
    server: LiveServer, gateway: LLMGateway, fake_providers: FakeProviders
) -> None:
    with pytest.raises(IntegrationNotConfigured) as caught:
        server.call(gateway.complete("hi", user_id=None))
    assert caught.value.code == "INTEGRATION_NOT_CONFIGURED"
    assert caught.value.providers == ["ANTHROPIC", "OPENAI"]
    assert "Settings → Integrations" in caught.value.message
    assert fake_providers.requests == []
    assert ledger(server) == []


def test_when_every_provider_fails_the_error_says_why_without_secrets(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    # A key pasted as the model name: OpenAI's "model ... does not exist" echoes it back.
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY, chatModel=OPENAI_KEY)
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)
    fake_providers.fail_next("anthropic", 529, times=3)
    with pytest.raises(IntegrationUnavailable) as caught:
        server.call(gateway.complete("hi", user_id=None))
    message = caught.value.message
    assert caught.value.code == "INTEGRATION_UNAVAILABLE"
    assert caught.value.extensions["providers"] == ["ANTHROPIC", "OPENAI"]
    assert "Claude (Anthropic): HTTP 529 overloaded" in message
    assert "OpenAI: HTTP 404 not found" in message
    assert "[redacted]" in message
    assert OPENAI_KEY not in message
    assert ANTHROPIC_KEY not in message
    rows = ledger(server)
    assert [(r.provider, r.succeeded) for r in rows] == [("ANTHROPIC", False), ("OPENAI", False)]
    for row in rows:
        assert OPENAI_KEY not in f"{row.model} {row.error}"


def test_bad_messages_are_refused_before_any_call(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    with pytest.raises(ValueError, match="at least one message"):
        server.call(gateway.complete([], user_id=None))
    with pytest.raises(ValueError, match="system prompt"):
        server.call(gateway.complete([Message("system", "x")], user_id=None))
    assert fake_providers.requests == []


# --------------------------------------------------------------------------- structured output


def test_structured_output_from_openai_uses_a_json_schema_response_format(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    answer = {"title": "Invoice 7", "total": 12.5, "tags": ["energy"]}
    fake_providers.reply("openai", answer)
    done = server.call(gateway.complete("Read this invoice", user_id=None, schema=INVOICE,
                                        purpose="documents.invoice"))
    assert done.data == answer
    [sent] = fake_providers.requests_to("openai")
    assert sent.json["response_format"] == {
        "type": "json_schema", "json_schema": {"name": "documents_invoice", "schema": INVOICE}}


def test_structured_output_from_claude_uses_a_forced_tool(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)
    answer = {"title": "Invoice 8", "total": 3, "tags": []}
    fake_providers.reply("anthropic", answer)
    done = server.call(gateway.complete("Read this invoice", user_id=None, schema=INVOICE))
    assert done.data == answer
    assert done.output_tokens > 0
    [sent] = fake_providers.requests_to("anthropic")
    [tool] = sent.json["tools"]
    assert tool["name"] == "result"
    assert tool["input_schema"] == INVOICE
    assert tool["description"]
    assert sent.json["tool_choice"] == {"type": "tool", "name": "result"}


@pytest.mark.parametrize("provider", [Provider.OPENAI, Provider.ANTHROPIC])
def test_a_schema_that_is_not_an_object_is_wrapped_and_unwrapped(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders,
    provider: Provider,
) -> None:
    configure_both(server, admin_user)
    schema = {"type": "array", "items": {"type": "string"}}
    # Without a canned reply the fake answers with an example of the (wrapped) schema.
    done = server.call(gateway.complete("List", user_id=None, schema=schema, prefer=provider))
    assert done.provider is provider
    assert done.data == ["example"]
    [sent] = fake_providers.requests_to(provider)
    sent_schema = (sent.json["response_format"]["json_schema"]["schema"]
                   if provider is Provider.OPENAI else sent.json["tools"][0]["input_schema"])
    assert sent_schema["type"] == "object"
    assert sent_schema["properties"]["result"] == schema


def test_invalid_json_is_a_failure_that_falls_back_and_is_paid_for(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    fake_providers.reply("openai", '{"title": "cut off')
    fake_providers.reply("anthropic", {"title": "Invoice 9", "total": 1, "tags": ["x"]})
    done = server.call(gateway.complete("Read", user_id=None, schema=INVOICE,
                                        prefer=Provider.OPENAI))
    assert (done.provider, done.data["title"]) == (Provider.ANTHROPIC, "Invoice 9")
    failed = ledger(server)[0]
    assert (failed.provider, failed.succeeded) == ("OPENAI", False)
    assert failed.error == "the answer is not valid JSON"
    assert failed.output_tokens > 0  # the tokens were spent all the same
    assert failed.cost_usd == cost("gpt-4.1-mini", failed.input_tokens, failed.output_tokens)


def test_an_answer_that_breaks_the_schema_is_a_failure_never_none(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure_both(server, admin_user)
    fake_providers.reply("anthropic", {"title": "No total", "tags": []})
    fake_providers.reply("openai", {"title": "Wrong", "total": "12", "tags": []})
    with pytest.raises(IntegrationUnavailable) as caught:
        server.call(gateway.complete("Read", user_id=None, schema=INVOICE))
    assert "$.total is missing" in caught.value.message
    assert "$.total should be number" in caught.value.message
    assert [r.succeeded for r in ledger(server)] == [False, False]


def test_schema_checks() -> None:
    problem = gateway_module.schema_problem
    assert problem({"a": [1, 2]}, {"type": "object", "properties": {
        "a": {"type": "array", "items": {"type": "integer"}}}}) is None
    assert problem({"a": [1, 2.5]}, {"properties": {
        "a": {"items": {"type": "integer"}}}}) == "$.a[1] should be integer"
    assert problem(True, {"type": "number"}) == "$ should be number"
    assert problem(None, {"type": ["string", "null"]}) is None
    assert problem("c", {"enum": ["a", "b"]}) == "$ should be one of ['a', 'b']"
    assert problem(3, {"anyOf": [{"type": "string"}, {"type": "integer"}]}) is None
    assert problem(3.5, {"anyOf": [{"type": "string"}, {"type": "integer"}]}) is not None


def test_prices_go_by_the_longest_matching_family() -> None:
    from ai_service.platform.ai import estimate_cost

    assert estimate_cost("gpt-4.1-mini-2025-04-14", 1_000_000, 1_000_000) == Decimal("2.000000")
    assert estimate_cost("gpt-4.1-2025-04-14", 1_000_000, 0) == Decimal("2.000000")
    assert estimate_cost("claude-haiku-4-5-20251001", 2_000, 1_000) == Decimal("0.007000")
    assert estimate_cost("text-embedding-3-large", 1_000_000, 0) == Decimal("0.130000")
    assert estimate_cost("llama3.1:8b", 1_000_000, 1_000_000) == Decimal(0)


# --------------------------------------------------------------------------- embeddings


def test_embeddings_are_batched_and_keep_their_order(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    texts = [f"chunk number {i} of the document" for i in range(600)]
    result = server.call(gateway.embed(texts, user_id=admin_user.id, purpose="documents.index"))
    assert (result.provider, result.model, result.dimension) == (
        Provider.OPENAI, "text-embedding-3-small", 1536)
    assert len(result.vectors) == 600

    sent = fake_providers.requests_to("openai")
    assert [len(r.json["input"]) for r in sent] == [256, 256, 88]
    assert [t for r in sent for t in r.json["input"]] == texts
    assert {r.json["encoding_format"] for r in sent} == {"float"}
    assert {r.path for r in sent} == {"/v1/embeddings"}

    # Each vector is the one its text gets on its own.
    for index in (0, 255, 256, 599):
        alone = server.call(gateway.embed([texts[index]], user_id=None))
        assert alone.vectors[0] == pytest.approx(result.vectors[index])

    rows = ledger(server)[:3]
    assert [(r.operation, r.purpose, r.output_tokens) for r in rows] == [
        ("embed", "documents.index", 0)] * 3
    assert sum(r.input_tokens for r in rows) == result.input_tokens == sum(map(fake_tokens, texts))
    assert sum(r.cost_usd for r in rows) == result.cost_usd
    assert result.cost_usd == sum(cost("text-embedding-3-small", r.input_tokens, 0) for r in rows)


def test_long_texts_are_batched_by_size(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    size = gateway_module.EMBED_BATCH_CHARS // 3 + 1  # three do not fit in one request
    texts = [str(i) * size for i in range(5)]
    result = server.call(gateway.embed(texts, user_id=None))
    assert len(result.vectors) == 5
    assert [r.json["input"] for r in fake_providers.requests_to("openai")] == [
        texts[0:2], texts[2:4], texts[4:5]]


def test_embeddings_use_the_configured_model(
    server: LiveServer, gateway: LLMGateway, admin_user: User
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY,
              embeddingModel="text-embedding-3-large")
    result = server.call(gateway.embed(["a", "b"], user_id=None))
    assert (result.model, result.dimension) == ("text-embedding-3-large", 3072)


def test_embeddings_need_openai_even_when_claude_is_configured(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)
    with pytest.raises(IntegrationNotConfigured) as caught:
        server.call(gateway.embed(["text"], user_id=admin_user.id))
    assert caught.value.providers == ["OPENAI"]
    assert fake_providers.requests == []


def test_a_failed_embedding_request_is_recorded_and_raised(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    fake_providers.fail_next("openai", 400)
    with pytest.raises(IntegrationUnavailable) as caught:
        server.call(gateway.embed(["text"], user_id=None))
    assert caught.value.message.startswith("OpenAI embeddings failed: HTTP 400")
    [row] = ledger(server)
    assert (row.operation, row.succeeded) == ("embed", False)


def test_empty_texts_are_refused_and_no_texts_cost_nothing(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    with pytest.raises(BadUserInput, match="Text 1 is empty"):
        server.call(gateway.embed(["a", "  "], user_id=None))
    nothing = server.call(gateway.embed([], user_id=None))
    assert (nothing.vectors, nothing.dimension) == ([], 0)
    assert fake_providers.requests == []


# --------------------------------------------------------------------------- integrations and clients


def test_capabilities_follow_what_is_configured(
    server: LiveServer, gateway: LLMGateway, admin_user: User
) -> None:
    assert server.call(gateway.available(None)) == frozenset()
    configure(server, admin_user, Provider.ANTHROPIC, apiKey=ANTHROPIC_KEY)
    assert server.call(gateway.available(None)) == {Capability.COMPLETION}
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    assert server.call(gateway.available(admin_user.id)) == {Capability.COMPLETION,
                                                             Capability.EMBEDDINGS}


def test_a_members_own_key_is_used_for_their_calls(
    server: LiveServer, gql: GraphQLClient, gateway: LLMGateway, admin: dict[str, Any],
    admin_user: User, fake_providers: FakeProviders,
) -> None:
    own_key = "sk-member-" + secrets.token_urlsafe(24)
    member_id = int(make_member(gql, admin["accessToken"])["user"]["id"])
    member = fetch(server, User.get(id=member_id))
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    configure(server, member, Provider.OPENAI, Scope.USER, apiKey=own_key)
    # The fake knows only OPENAI_KEY: the member's key is refused, which shows it was sent.
    with pytest.raises(IntegrationUnavailable):
        server.call(gateway.complete("hi", user_id=member_id))
    assert server.call(gateway.complete("hi", user_id=None)).provider is Provider.OPENAI
    sent = [r.headers["authorization"] for r in fake_providers.requests_to("openai")]
    assert sent == [f"Bearer {own_key}", f"Bearer {OPENAI_KEY}"]
    assert [(r.user_id, r.succeeded) for r in ledger(server)] == [
        (member_id, False), (None, True)]


def test_clients_are_reused_and_replaced_when_the_key_changes(
    server: LiveServer, gateway: LLMGateway, admin_user: User, fake_providers: FakeProviders
) -> None:
    configure(server, admin_user, Provider.OPENAI, apiKey="sk-first-" + "a" * 20)
    with pytest.raises(IntegrationUnavailable):
        server.call(gateway.complete("hi", user_id=None))
    with pytest.raises(IntegrationUnavailable):
        server.call(gateway.embed(["hi"], user_id=None))
    [first] = gateway._clients.values()
    configure(server, admin_user, Provider.OPENAI, apiKey=OPENAI_KEY)
    assert server.call(gateway.complete("hi", user_id=None)).provider is Provider.OPENAI
    [second] = gateway._clients.values()
    assert second is not first
    assert first.client.is_closed()
    assert not second.client.is_closed()
    assert [r.headers["authorization"][-6:] for r in fake_providers.requests_to("openai")] == [
        "aaaaaa", "aaaaaa", OPENAI_KEY[-6:]]
    server.call(gateway.close())
    assert second.client.is_closed()
    assert gateway._clients == {}
