"""The AI gateway: completions from Claude or OpenAI with fallback, embeddings from OpenAI, and one
ledger row (ai_usage) for every call made to a provider, whether it answered or not.

Credentials come from the integrations vault (a `CredentialSource`) per user (their own, else
the instance's), so every call names the user it is for; None means the instance itself (a
scheduled job).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, TypeVar

import anthropic
import openai
from anthropic import AsyncAnthropic
from anthropic.types import MessageParam, ToolParam
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from ai_service.config import Settings
from ai_service.core.errors import BadUserInput, IntegrationNotConfigured, IntegrationUnavailable
from ai_service.platform.ai.credentials import (
    LABELS,
    AiProvider,
    CredentialSource,
    ProviderCredentials,
)
from ai_service.platform.ai.models import AiUsage
from ai_service.platform.ai.pricing import estimate_cost

log = logging.getLogger(__name__)
_T = TypeVar("_T")

COMPLETION_TIMEOUT_SECONDS = 120.0
EMBEDDING_TIMEOUT_SECONDS = 60.0
# The SDKs retry 408/409/429/5xx and connection errors themselves, with exponential backoff
# that honours Retry-After; the gateway falls back only once they give up.
MAX_RETRIES = 2
# OpenAI takes up to 2048 inputs and 300k tokens per embeddings request; stay well below both.
EMBED_BATCH_INPUTS = 256
EMBED_BATCH_CHARS = 400_000  # about 100k tokens at ~4 characters a token
COMPLETION_PROVIDERS = (AiProvider.ANTHROPIC, AiProvider.OPENAI)
DEFAULT_MODELS = {
    AiProvider.OPENAI: "gpt-4.1-mini",
    AiProvider.ANTHROPIC: "claude-sonnet-4-5",
}
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_ANTHROPIC_MAX_TOKENS = 1024
_WRAPPED = "result"  # the property a non-object schema is wrapped in (both APIs want an object)
_ERROR_DETAIL_CHARS = 300


class Capability(StrEnum):
    COMPLETION = "COMPLETION"  # text and structured output, from either provider
    EMBEDDINGS = "EMBEDDINGS"  # OpenAI only


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Completion:
    text: str  # for structured output, the JSON text
    data: Any  # the parsed JSON when a schema was given, else None
    provider: str  # as the credential source names it
    model: str
    input_tokens: int
    output_tokens: int
    latency_ms: int
    cost_usd: Decimal
    truncated: bool = False  # stopped at max_tokens


@dataclass(frozen=True)
class Embeddings:
    vectors: list[list[float]]  # in the order of the texts given
    model: str
    dimension: int
    provider: str  # as the credential source names it
    input_tokens: int = 0
    cost_usd: Decimal = field(default_factory=Decimal)


@dataclass(frozen=True)
class _Request:
    messages: tuple[Message, ...]
    system: str | None
    schema: dict[str, Any] | None
    max_tokens: int | None
    temperature: float | None
    purpose: str

    @property
    def output_name(self) -> str:
        """The response format's / tool's name: both APIs allow [A-Za-z0-9_-]{1,64}."""
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", self.purpose).strip("_")[:64]
        return name or _WRAPPED

    @property
    def object_schema(self) -> tuple[dict[str, Any], bool]:
        """The schema as an object schema, and whether it had to be wrapped to be one."""
        assert self.schema is not None
        if self.schema.get("type") == "object":
            return self.schema, False
        return {"type": "object", "properties": {_WRAPPED: self.schema},
                "required": [_WRAPPED], "additionalProperties": False}, True


@dataclass
class _Answer:
    """What a provider returned, before the gateway judges it: tokens are owed either way."""

    model: str
    text: str
    data: Any = None  # Claude's tool input (already parsed by the API)
    has_data: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    truncated: bool = False
    refusal: str | None = None


class InvalidOutput(Exception):
    """The provider answered, but not with what was asked for (bad JSON, wrong shape, empty)."""


class _ProviderFailed(Exception):
    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary  # already scrubbed of the integration's secrets


@dataclass
class _CachedClient:
    client: AsyncOpenAI | AsyncAnthropic
    active: int = 0
    retired: bool = False


class LLMGateway:
    def __init__(
        self, credentials: CredentialSource, settings: Settings, *,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.credentials = credentials
        self.settings = settings
        self.max_retries = max_retries
        # (provider, integration id, key fingerprint) -> client; a changed key gets a new client
        # and the old one is closed once no call uses it.
        self._clients: dict[tuple[AiProvider, int, str], _CachedClient] = {}

    # -- public API ------------------------------------------------------------------------

    async def available(self, user_id: int | None) -> frozenset[Capability]:
        """What this user could use, from what is configured (without calling anyone)."""
        configured = set(await self.credentials.configured(user_id))
        capabilities = set()
        if configured & set(COMPLETION_PROVIDERS):
            capabilities.add(Capability.COMPLETION)
        if AiProvider.OPENAI in configured:
            capabilities.add(Capability.EMBEDDINGS)
        return frozenset(capabilities)

    async def complete(
        self,
        prompt: str | Sequence[Message],
        *,
        user_id: int | None,
        system: str | None = None,
        schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        purpose: str = "",
        prefer: AiProvider | None = None,
    ) -> Completion:
        """The preferred provider's answer, else the other's. With a schema, `data` holds the
        parsed JSON, which matches the schema's types and required properties."""
        request = _Request(_messages(prompt), system, schema, max_tokens, temperature, purpose)
        first = AiProvider(prefer or self.settings.ai_preference)
        if first not in COMPLETION_PROVIDERS:
            raise ValueError(f"{first} does not offer completions")
        order = [first, *(p for p in COMPLETION_PROVIDERS if p is not first)]
        failures: list[tuple[AiProvider, str]] = []
        for provider in order:
            try:
                config = await self.credentials.find(provider, user_id)
            except IntegrationUnavailable as exc:  # configured, but its key does not open
                failures.append((provider, exc.message))
                continue
            if config is None:
                continue
            try:
                return await self._complete_with(config, request, user_id)
            except _ProviderFailed as exc:
                failures.append((provider, exc.summary))
                log.warning("AI completion failed, trying the next provider",
                            extra={"provider": provider.value, "purpose": purpose,
                                   "error": exc.summary})
        if not failures:
            names = " or ".join(LABELS[p] for p in order)
            raise IntegrationNotConfigured(
                f"No AI provider is configured: add {names} under Settings → Integrations "
                f"(or the setIntegration mutation with provider "
                f"{' or '.join(p.value for p in order)})",
                providers=[p.value for p in order],
            )
        detail = "; ".join(f"{LABELS[p]}: {summary}" for p, summary in failures)
        raise IntegrationUnavailable(
            f"AI completion failed ({detail})", provider=failures[0][0].value,
            providers=[p.value for p, _ in failures],
        )

    async def embed(
        self, texts: Sequence[str], *, user_id: int | None, purpose: str = ""
    ) -> Embeddings:
        """One vector per text, in order, from OpenAI. IntegrationNotConfigured when OpenAI is
        not configured, so callers can use a local embedder instead."""
        items = list(texts)
        for index, text in enumerate(items):
            if not text.strip():
                raise BadUserInput(f"Text {index} is empty: there is nothing to embed",
                                   field="texts")
        config = await self.credentials.find(AiProvider.OPENAI, user_id)
        if config is None:
            raise IntegrationNotConfigured(
                "Embeddings need OpenAI: add it under Settings → Integrations (or the "
                "setIntegration mutation with provider OPENAI)",
                providers=[AiProvider.OPENAI.value],
            )
        model = config.get("embeddingModel") or DEFAULT_EMBEDDING_MODEL
        vectors: list[list[float]] = []
        input_tokens = 0
        cost = Decimal(0)
        for batch in _batches(items):
            answer_model, batch_vectors, tokens, batch_cost = await self._embed_batch(
                config, model, batch, user_id, purpose)
            if vectors and batch_vectors and len(batch_vectors[0]) != len(vectors[0]):
                raise IntegrationUnavailable(
                    f"OpenAI returned vectors of {len(batch_vectors[0])} dimensions after "
                    f"{len(vectors[0])}", provider=AiProvider.OPENAI.value)
            model = answer_model
            vectors.extend(batch_vectors)
            input_tokens += tokens
            cost += batch_cost
        return Embeddings(vectors, model, len(vectors[0]) if vectors else 0, config.provider,
                          input_tokens, cost)

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for cached in clients:
            await cached.client.close()

    # -- completion ------------------------------------------------------------------------

    async def _complete_with(
        self, config: ProviderCredentials, request: _Request, user_id: int | None
    ) -> Completion:
        provider = config.provider
        model = _model(config)
        started = time.perf_counter()
        answer: _Answer | None = None
        try:
            async with self._lease(config) as client:
                if isinstance(client, AsyncAnthropic):
                    answer = await self._anthropic_complete(client, config, model, request)
                else:
                    answer = await self._openai_complete(client, model, request)
            text, data = _judge(answer, request)
        except Exception as exc:
            latency = _elapsed_ms(started)
            summary = config.scrub(_describe(exc))
            await self._record(
                config, answer.model if answer else model, "complete", request.purpose,
                user_id, answer.input_tokens if answer else 0,
                answer.output_tokens if answer else 0, latency, summary)
            if not _is_provider_failure(exc):
                raise
            raise _ProviderFailed(summary) from None
        latency = _elapsed_ms(started)
        cost = await self._record(config, answer.model, "complete", request.purpose, user_id,
                                  answer.input_tokens, answer.output_tokens, latency, None)
        return Completion(text, data, provider, answer.model, answer.input_tokens,
                          answer.output_tokens, latency, cost, answer.truncated)

    async def _openai_complete(
        self, client: AsyncOpenAI, model: str, request: _Request
    ) -> _Answer:
        messages: list[ChatCompletionMessageParam] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        for message in request.messages:
            if message.role == "user":
                messages.append({"role": "user", "content": message.content})
            else:
                messages.append({"role": "assistant", "content": message.content})
        response_format: ResponseFormatJSONSchema | openai.Omit = openai.omit
        if request.schema is not None:
            schema, _ = request.object_schema
            response_format = {"type": "json_schema",
                               "json_schema": {"name": request.output_name, "schema": schema}}
        response = await client.chat.completions.create(
            model=model,
            messages=messages,
            # max_tokens is deprecated and refused by the reasoning models
            max_completion_tokens=_given(request.max_tokens),
            # the reasoning models refuse any temperature but their own
            temperature=openai.omit if _is_reasoning(model) else _given(request.temperature),
            response_format=response_format,
            timeout=COMPLETION_TIMEOUT_SECONDS,
        )
        usage = response.usage
        answer = _Answer(
            model=response.model or model, text="",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
        )
        if response.choices:  # none at all is judged as an empty answer
            choice = response.choices[0]
            answer.text = choice.message.content or ""
            answer.refusal = choice.message.refusal
            answer.truncated = choice.finish_reason == "length"
        return answer

    async def _anthropic_complete(
        self, client: AsyncAnthropic, config: ProviderCredentials, model: str, request: _Request
    ) -> _Answer:
        max_tokens = request.max_tokens or _int(config.get("maxTokens"),
                                                DEFAULT_ANTHROPIC_MAX_TOKENS)
        messages: list[MessageParam] = [
            {"role": m.role, "content": m.content} for m in request.messages
        ]
        tools: list[ToolParam] | anthropic.Omit = anthropic.omit
        tool_choice: anthropic.types.ToolChoiceToolParam | anthropic.Omit = anthropic.omit
        if request.schema is not None:
            # A forced tool call: the tool's input is the structured answer.
            schema, _ = request.object_schema
            name = request.output_name
            description = str(request.schema.get("description") or
                              "Give the answer as this tool's input, matching its schema.")
            tools = [{"name": name, "description": description, "input_schema": schema}]
            tool_choice = {"type": "tool", "name": name}
        response = await client.messages.create(
            model=model,
            max_tokens=max_tokens,
            messages=messages,
            system=request.system or anthropic.omit,
            # Claude takes 0..1 where OpenAI takes 0..2
            temperature=anthropic.omit if request.temperature is None
            else min(request.temperature, 1.0),
            tools=tools,
            tool_choice=tool_choice,
            timeout=COMPLETION_TIMEOUT_SECONDS,
        )
        answer = _Answer(
            model=response.model or model, text="",
            input_tokens=response.usage.input_tokens,
            output_tokens=response.usage.output_tokens,
            truncated=response.stop_reason == "max_tokens",
        )
        texts = []
        for block in response.content:
            if block.type == "text":
                texts.append(block.text)
            elif block.type == "tool_use" and request.schema is not None and not answer.has_data:
                answer.data, answer.has_data = block.input, True
        if response.stop_reason == "refusal":
            answer.refusal = "".join(texts) or "refused"
        if answer.has_data:
            answer.text = json.dumps(answer.data, ensure_ascii=False)
        else:
            answer.text = "".join(texts)
        return answer

    # -- embeddings ------------------------------------------------------------------------

    async def _embed_batch(
        self, config: ProviderCredentials, model: str, batch: list[str], user_id: int | None,
        purpose: str,
    ) -> tuple[str, list[list[float]], int, Decimal]:
        started = time.perf_counter()
        answer_model, tokens = model, 0
        try:
            async with self._lease(config) as client:
                assert isinstance(client, AsyncOpenAI)
                # Floats explicitly: the SDK's default (base64) is not spoken by every
                # OpenAI-compatible server.
                response = await client.embeddings.create(
                    model=model, input=batch, encoding_format="float",
                    timeout=EMBEDDING_TIMEOUT_SECONDS)
            answer_model = response.model or model
            tokens = response.usage.prompt_tokens if response.usage else 0
            ordered = sorted(response.data, key=lambda item: item.index)
            if [item.index for item in ordered] != list(range(len(batch))):
                raise InvalidOutput(f"{len(ordered)} vectors came back for {len(batch)} texts")
            vectors = [list(item.embedding) for item in ordered]
            if len({len(v) for v in vectors}) > 1 or not vectors[0]:
                raise InvalidOutput("the vectors differ in dimension")
        except Exception as exc:
            summary = config.scrub(_describe(exc))
            await self._record(config, answer_model, "embed", purpose, user_id, tokens, 0,
                               _elapsed_ms(started), summary)
            if not _is_provider_failure(exc):
                raise
            raise IntegrationUnavailable(f"OpenAI embeddings failed: {summary}",
                                         provider=AiProvider.OPENAI.value) from None
        cost = await self._record(config, answer_model, "embed", purpose, user_id, tokens, 0,
                                  _elapsed_ms(started), None)
        return answer_model, vectors, tokens, cost

    # -- clients and the ledger ------------------------------------------------------------

    @asynccontextmanager
    async def _lease(
        self, config: ProviderCredentials
    ) -> AsyncIterator[AsyncOpenAI | AsyncAnthropic]:
        key = (AiProvider(config.provider), config.id, _fingerprint(config))
        cached = self._clients.get(key)
        stale: list[_CachedClient] = []
        if cached is None:
            # The integration's key changed: its old client goes once its calls are done. The
            # new one is in place before any await, so a concurrent call cannot make a second.
            stale = [self._clients.pop(k) for k in list(self._clients) if k[:2] == key[:2]]
            for old in stale:
                old.retired = True
            cached = self._clients[key] = _CachedClient(self._new_client(config))
        cached.active += 1
        try:
            for old in stale:
                if old.active == 0:
                    await old.client.close()
            yield cached.client
        finally:
            cached.active -= 1
            if cached.retired and cached.active == 0:
                await cached.client.close()

    def _new_client(self, config: ProviderCredentials) -> AsyncOpenAI | AsyncAnthropic:
        api_key = config["apiKey"]
        if config.provider == AiProvider.ANTHROPIC:
            return AsyncAnthropic(api_key=api_key, base_url=self.settings.anthropic_base_url,
                                  max_retries=self.max_retries,
                                  timeout=COMPLETION_TIMEOUT_SECONDS)
        return AsyncOpenAI(api_key=api_key, organization=config.get("organization"),
                           base_url=self.settings.openai_base_url,
                           max_retries=self.max_retries, timeout=COMPLETION_TIMEOUT_SECONDS)

    async def _record(
        self, config: ProviderCredentials, model: str, operation: Literal["complete", "embed"],
        purpose: str, user_id: int | None, input_tokens: int, output_tokens: int,
        latency_ms: int, error: str | None,
    ) -> Decimal:
        """Writes the ledger row and returns the call's estimated cost. A ledger that cannot be
        written is logged, not raised: the call itself happened, and was paid for."""
        cost = estimate_cost(model, input_tokens, output_tokens)
        try:
            await AiUsage.create(
                user_id=user_id, provider=str(config.provider),
                # a model name is free text in the integration: it could hold a pasted key
                model=config.scrub(model)[:128], operation=operation, purpose=purpose[:64],
                input_tokens=input_tokens, output_tokens=output_tokens, latency_ms=latency_ms,
                cost_usd=cost, succeeded=error is None,
                error=config.scrub(error)[:200] if error else None,
            )
        except Exception:
            log.exception("could not record AI usage",
                          extra={"provider": str(config.provider), "operation": operation})
        return cost


# -- helpers -------------------------------------------------------------------------------


def _messages(prompt: str | Sequence[Message]) -> tuple[Message, ...]:
    if isinstance(prompt, str):
        messages: tuple[Message, ...] = (Message("user", prompt),)
    else:
        messages = tuple(prompt)
    if not messages:
        raise ValueError("a completion needs at least one message")
    for message in messages:
        if message.role not in ("user", "assistant"):
            raise ValueError(f"message role must be user or assistant, not {message.role!r}; "
                             "pass the system prompt as `system`")
    return messages


def _judge(answer: _Answer, request: _Request) -> tuple[str, Any]:
    """The answer's text and data, or InvalidOutput when it is not what was asked for."""
    if answer.refusal:
        raise InvalidOutput(f"the model refused: {answer.refusal[:_ERROR_DETAIL_CHARS]}")
    if request.schema is None:
        if not answer.text.strip():
            raise InvalidOutput("the answer is empty" +
                                (" (stopped at max_tokens)" if answer.truncated else ""))
        return answer.text, None
    if answer.has_data:
        data = answer.data
    else:
        try:
            data = json.loads(answer.text)
        except ValueError:
            cut = " (stopped at max_tokens)" if answer.truncated else ""
            raise InvalidOutput(f"the answer is not valid JSON{cut}") from None
    _, wrapped = request.object_schema
    if wrapped:
        if not isinstance(data, dict) or _WRAPPED not in data:
            raise InvalidOutput(f"the answer lacks its {_WRAPPED!r} property")
        data = data[_WRAPPED]
    problem = schema_problem(data, request.schema)
    if problem:
        raise InvalidOutput(f"the answer does not match the schema: {problem}")
    return (answer.text if not wrapped else json.dumps(data, ensure_ascii=False)), data


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
    "number": (int, float), "integer": (int, float), "null": (type(None),),
}


def schema_problem(value: Any, schema: Mapping[str, Any], path: str = "$") -> str | None:
    """The first way the value breaks the schema's type, enum, const, required, properties,
    items or anyOf/oneOf rules, or None. Other keywords are not checked: this guards callers
    against a malformed answer, it is not a full JSON Schema validator."""
    types = schema.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in wanted):
            return f"{path} should be {' or '.join(wanted)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{path} should be one of {schema['enum']}"
    if "const" in schema and value != schema["const"]:
        return f"{path} should be {schema['const']!r}"
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema and all(schema_problem(value, s, path) for s in schema[keyword]):
            return f"{path} matches none of its {keyword} alternatives"
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                return f"{path}.{name} is missing"
        for name, sub in (schema.get("properties") or {}).items():
            if (name in value and isinstance(sub, Mapping)
                    and (problem := schema_problem(value[name], sub, f"{path}.{name}"))):
                return problem
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            if problem := schema_problem(item, schema["items"], f"{path}[{index}]"):
                return problem
    return None


def _is_type(value: Any, name: str) -> bool:
    if name in ("number", "integer") and isinstance(value, bool):
        return False  # bool is an int in Python, never a number in JSON
    if not isinstance(value, _JSON_TYPES.get(name, (object,))):
        return False
    if name == "integer" and isinstance(value, float):
        return math.isfinite(value) and value.is_integer()
    return True


def _is_provider_failure(exc: BaseException) -> bool:
    """Failures that another provider (or a later try) might not have; anything else is a bug."""
    return isinstance(exc, openai.OpenAIError | anthropic.AnthropicError | InvalidOutput)


def _describe(exc: BaseException) -> str:
    """A short account of a failure for users and the ledger (the caller scrubs secrets)."""
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError):
        return "could not connect"
    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        status = exc.status_code
        what = {
            401: "authentication failed (check the API key)", 403: "permission denied",
            404: "not found (check the model name)", 429: "rate limited",
            529: "overloaded",
        }.get(status) or ("server error" if status >= 500 else "request refused")
        detail = _api_message(exc.body)
        return f"HTTP {status} {what}" + (f": {detail}" if detail else "")
    if isinstance(exc, InvalidOutput):
        return str(exc)
    if isinstance(exc, openai.APIError | anthropic.APIError):
        return f"the API answered unexpectedly ({type(exc).__name__})"
    return f"unexpected {type(exc).__name__}"


def _api_message(body: object) -> str | None:
    """The error message in an API error body: OpenAI's SDK hands over {"message": ...},
    Anthropic's the whole {"type": "error", "error": {"message": ...}}."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            body = inner
        message = body.get("message") if isinstance(body, Mapping) else None
        if isinstance(message, str) and message.strip():
            return message.strip()[:_ERROR_DETAIL_CHARS]
    return None


def _batches(texts: list[str]) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for text in texts:
        full = len(current) >= EMBED_BATCH_INPUTS or size + len(text) > EMBED_BATCH_CHARS
        if current and full:
            batches.append(current)
            current, size = [], 0
        current.append(text)
        size += len(text)
    if current:
        batches.append(current)
    return batches


def _is_reasoning(model: str) -> bool:
    return model.startswith(("o1", "o3", "o4", "gpt-5"))


def _model(config: ProviderCredentials) -> str:
    name = "model" if config.provider == AiProvider.ANTHROPIC else "chatModel"
    return config.get(name) or DEFAULT_MODELS[AiProvider(config.provider)]


def _fingerprint(config: ProviderCredentials) -> str:
    material = "\x1f".join((config.get("apiKey") or "", config.get("organization") or ""))
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _given(value: _T | None) -> _T | openai.Omit:
    return openai.omit if value is None else value


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
