"""A local stand-in for the five provider APIs, so the real SDKs and clients can run against it.

One Starlette app, served by uvicorn on 127.0.0.1 in a background thread, answers each provider
under its own prefix with the documented request and response shapes:

    {url}/openai/v1        OpenAI (the SDK's base_url)
    {url}/anthropic        Anthropic (the SDK's base_url; it appends /v1/...)
    {url}/telegram         Telegram Bot API (/bot<token>/<method>)
    {url}/gocardless       GoCardless Bank Account Data (/api/v2/...)
    {url}/enablebanking    Enable Banking (RS256 JWT auth)

Tests script failures (`fail_next`), slowness (`delay`) and canned model replies (`reply`), and
read back what was sent (`requests`, `telegram_messages`, `telegram_webhook`).

Both banks serve the same deterministic demo data (fakes/bank_data.py): institutions, consent
(GoCardless agreements and requisitions, Enable Banking auth and sessions, with a fake bank page
that redirects back), accounts, details, balances, and booked and pending transactions
(Enable Banking's in pages joined by continuation keys). Each bank allows a few successful
calls per account, scope and rolling 24 hours, then answers 429 (GoCardless with its
`HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_*` headers). Tests script the user at the bank
(`next_consent_outcome`), lapse consents and tokens (`expire_consent`,
`expire_gocardless_tokens`) and book pending payments (`settle_pending`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import random
import re
import struct
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from .bank_data import DemoAccount, DemoBank, DemoData, DemoTransaction, demo_data

# --------------------------------------------------------------------------- credentials


def new_rsa_key_pem(bits: int = 2048) -> str:
    """A fresh RSA private key, unencrypted PKCS8 PEM (what Enable Banking hands out)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_key_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


OPENAI_KEY = "sk-proj-fake0penaiTestKey0123456789abcdefghijklmnopqrstuvwxyzAB"
OPENAI_ORG = "org-fakeTestOrg123"
ANTHROPIC_KEY = "sk-ant-api03-fakeAnthropicTestKey0123456789abcdefghijklmnopqrstuvwxyz-AAAA"
TELEGRAM_TOKEN = "123456789:AAHfakeTelegramTestToken_012345-xyz"
TELEGRAM_BOT_USERNAME = "fake_ai_service_bot"
TELEGRAM_CHAT_ID = "987654321"
GOCARDLESS_SECRET_ID = "fa1e5ec7-1d00-4c0d-9b1a-0123456789ab"
GOCARDLESS_SECRET_KEY = ("fakeGoCardlessSecretKey0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab")
ENABLE_BANKING_APP_ID = "0f6a4c2e-5b7d-4e21-9c3a-8d1e2f3a4b5c"
ENABLE_BANKING_KEY_PEM = new_rsa_key_pem()

assert len(TELEGRAM_TOKEN.split(":")[1]) == 35

# --------------------------------------------------------------------------- model catalogues

_OPENAI_MODELS = {
    "gpt-4.1": 1744316542, "gpt-4.1-mini": 1744318173, "gpt-4.1-nano": 1744321707,
    "gpt-4o": 1715367049, "gpt-4o-mini": 1721172741, "gpt-5": 1754425777,
    "gpt-5-mini": 1754425928, "o4-mini": 1744225351,
    "text-embedding-3-small": 1705948997, "text-embedding-3-large": 1705953180,
    "text-embedding-ada-002": 1671217299,
}
_EMBEDDING_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
                         "text-embedding-ada-002": 1536}
_ANTHROPIC_MODELS = [  # newest first, as the API lists them
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
    ("claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"),
    ("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"),
    ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
]


def _anthropic_model(name: str) -> str | None:
    """The dated id for a model name or alias (claude-sonnet-4-5, claude-3-5-haiku-latest)."""
    for model_id, _, _ in _ANTHROPIC_MODELS:
        alias = model_id.rsplit("-", 1)[0]
        if name in (model_id, alias, f"{alias}-latest"):
            return model_id
    return None


# --------------------------------------------------------------------------- JSON schema


def example_for(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """A small value that satisfies `schema` (objects with their required properties, enums,
    consts, $ref/$defs, anyOf/oneOf/allOf, bounds), as a model answering structured output."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 20:
        return None
    if "$ref" in schema:
        return example_for(_resolve(schema["$ref"], root), root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if not (isinstance(o, dict) and o.get("type") == "null")]
            return example_for((options or schema[key])[0], root, depth + 1)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, root, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            else:
                return value
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return _EXAMPLES.get(kind, lambda s, r, d: None)(schema, root, depth)


def _resolve(ref: str, root: Any) -> Any:
    node = root
    for part in ref.removeprefix("#/").split("/"):
        if part:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _example_object(schema: dict[str, Any], root: Any, depth: int) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {name: example_for(properties.get(name, {}), root, depth + 1)
            for name in schema.get("required", [])}


def _example_array(schema: dict[str, Any], root: Any, depth: int) -> list[Any]:
    count = max(schema.get("minItems", 0), 1)
    if "maxItems" in schema:
        count = min(count, schema["maxItems"])
    return [example_for(schema.get("items", {}), root, depth + 1) for _ in range(count)]


_STRING_FORMATS = {"date": "2024-01-31", "date-time": "2024-01-31T12:00:00Z",
                   "time": "12:00:00", "email": "someone@example.com",
                   "uri": "https://example.com/", "uuid": "00000000-0000-4000-8000-000000000000"}


def _example_string(schema: dict[str, Any], root: Any, depth: int) -> str:
    text = _STRING_FORMATS.get(schema.get("format", ""), "example")
    text = text.ljust(schema.get("minLength", 0), "x")
    return text[: schema["maxLength"]] if "maxLength" in schema else text


def _example_number(schema: dict[str, Any], root: Any, depth: int) -> float | int:
    integer = schema.get("type") == "integer" or "integer" in (schema.get("type") or [])
    step = 1 if integer else 0.5
    value: float = 0
    if "minimum" in schema:
        value = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + step
    if "maximum" in schema and value > schema["maximum"]:
        value = schema["maximum"]
    elif "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        value = schema["exclusiveMaximum"] - step
    return int(value) if integer else float(value)


_EXAMPLES: dict[str, Callable[[dict[str, Any], Any, int], Any]] = {
    "object": _example_object, "array": _example_array, "string": _example_string,
    "integer": _example_number, "number": _example_number,
    "boolean": lambda s, r, d: True, "null": lambda s, r, d: None,
}

# --------------------------------------------------------------------------- helpers


def _key(provider: str) -> str:
    """openai, anthropic, telegram, gocardless, enablebanking; accepts Provider values too."""
    name = str(provider).lower().replace("_", "").replace("-", "")
    if name not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; one of {', '.join(PROVIDERS)}")
    return name


PROVIDERS = ("openai", "anthropic", "telegram", "gocardless", "enablebanking")


def _tokens(text: str) -> int:
    """About four characters per token, like the real tokenisers on English text."""
    return max(1, (len(text) + 3) // 4)


def _text_of(content: Any) -> str:
    """Message content, a string or a list of parts ({"type": "text", "text": ...})."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _embedding(model: str, text: str, dimensions: int) -> list[float]:
    """Deterministic per (model, text), unit length as OpenAI's embeddings are."""
    seed = int.from_bytes(hashlib.sha256(f"{model}\x00{text}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    vector = [rng.gauss(0, 1) for _ in range(dimensions)]
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


@dataclass
class RecordedRequest:
    provider: str
    method: str
    path: str  # after the provider prefix, e.g. /v1/chat/completions
    headers: dict[str, str]
    query: dict[str, str]
    json: Any = None
    form: dict[str, str] | None = None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    path: str | None = None  # only requests whose path ends with this


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: dict[str, deque[_Failure]] = field(default_factory=lambda: defaultdict(deque))
    delays: dict[str, float] = field(default_factory=dict)
    replies: dict[str, deque[Any]] = field(default_factory=lambda: defaultdict(deque))
    telegram_messages: list[dict[str, Any]] = field(default_factory=list)
    telegram_webhook: dict[str, Any] | None = None
    telegram_chats: dict[str, dict[str, Any]] = field(default_factory=dict)
    enable_banking_apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    gocardless_tokens: dict[str, str] = field(default_factory=dict)  # token -> kind
    bank_data: DemoData = field(default_factory=demo_data)
    bank_accounts: dict[str, _LinkedAccount] = field(default_factory=dict)  # id/uid -> account
    bank_calls: dict[tuple[str, str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list))  # (provider, account, scope) -> call times
    consent_outcomes: dict[str, str] = field(default_factory=dict)  # provider -> next outcome
    gocardless_agreements: dict[str, dict[str, Any]] = field(default_factory=dict)
    gocardless_requisitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    enable_banking_auths: dict[str, dict[str, Any]] = field(default_factory=dict)
    enable_banking_codes: dict[str, str] = field(default_factory=dict)  # code -> auth id
    enable_banking_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    generation: int = 0


# --------------------------------------------------------------------------- the fake


class FakeProviders:
    """The five provider APIs on one local port. Use `start()`/`stop()` or `with`."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._state = _State()
        self._ids = itertools.count(1)
        self.reset()
        self.app = Starlette(routes=[
            Route("/openai/v1/models", self._openai_models, methods=["GET"]),
            Route("/openai/v1/models/{model:path}", self._openai_model, methods=["GET"]),
            Route("/openai/v1/chat/completions", self._openai_chat, methods=["POST"]),
            Route("/openai/v1/embeddings", self._openai_embeddings, methods=["POST"]),
            Route("/openai/{rest:path}", self._openai_unknown,
                  methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/anthropic/v1/models", self._anthropic_models, methods=["GET"]),
            Route("/anthropic/v1/models/{model:path}", self._anthropic_model, methods=["GET"]),
            Route("/anthropic/v1/messages", self._anthropic_messages, methods=["POST"]),
            Route("/anthropic/{rest:path}", self._anthropic_unknown,
                  methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
            Route("/telegram/bot{token}/{method}", self._telegram, methods=["GET", "POST"]),
            Route("/telegram/{rest:path}", self._telegram_not_found, methods=["GET", "POST"]),
            Route("/gocardless/api/v2/token/new/", self._gocardless_token, methods=["POST"]),
            Route("/gocardless/api/v2/token/refresh/", self._gocardless_refresh,
                  methods=["POST"]),
            Route("/gocardless/api/v2/institutions/", self._gc_institutions, methods=["GET"]),
            Route("/gocardless/api/v2/institutions/{id}/", self._gc_institution,
                  methods=["GET"]),
            Route("/gocardless/api/v2/agreements/enduser/", self._gc_create_agreement,
                  methods=["POST"]),
            Route("/gocardless/api/v2/agreements/enduser/{id}/", self._gc_agreement,
                  methods=["GET"]),
            Route("/gocardless/api/v2/requisitions/", self._gc_create_requisition,
                  methods=["POST"]),
            Route("/gocardless/api/v2/requisitions/{id}/", self._gc_requisition,
                  methods=["GET", "DELETE"]),
            Route("/gocardless/api/v2/accounts/{id}/", self._gc_account, methods=["GET"]),
            Route("/gocardless/api/v2/accounts/{id}/{scope}/", self._gc_account_data,
                  methods=["GET"]),
            Route("/gocardless/psd2/start/{id}/{institution}", self._gc_bank_page,
                  methods=["GET"]),
            Route("/gocardless/{rest:path}", self._gocardless_unknown,
                  methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/enablebanking/application", self._enable_banking_application,
                  methods=["GET"]),
            Route("/enablebanking/aspsps", self._eb_aspsps, methods=["GET"]),
            Route("/enablebanking/auth", self._eb_auth, methods=["POST"]),
            Route("/enablebanking/sessions", self._eb_create_session, methods=["POST"]),
            Route("/enablebanking/sessions/{id}", self._eb_session, methods=["GET", "DELETE"]),
            Route("/enablebanking/accounts/{id}/{scope}", self._eb_account_data,
                  methods=["GET"]),
            Route("/enablebanking/fake-bank/auth/{id}", self._eb_bank_page, methods=["GET"]),
            Route("/enablebanking/{rest:path}", self._enable_banking_unknown,
                  methods=["GET", "POST", "PUT", "DELETE"]),
        ])
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_config=None,
                                access_log=False, lifespan="off", server_header=False)
        self._server = uvicorn.Server(config)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="fake-providers")
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._server.serve())

    def start(self) -> FakeProviders:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake provider APIs did not start")
            time.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        with self._lock:
            self._state.generation += 1  # ends pending delays
        self._server.should_exit = True
        self._thread.join(30)

    def __enter__(self) -> FakeProviders:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def openai_url(self) -> str:
        return f"{self.url}/openai/v1"

    @property
    def anthropic_url(self) -> str:
        return f"{self.url}/anthropic"

    @property
    def telegram_url(self) -> str:
        return f"{self.url}/telegram"

    @property
    def gocardless_url(self) -> str:
        return f"{self.url}/gocardless"

    @property
    def enable_banking_url(self) -> str:
        return f"{self.url}/enablebanking"

    def env(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": self.openai_url,
            "ANTHROPIC_BASE_URL": self.anthropic_url,
            "TELEGRAM_API_URL": self.telegram_url,
            "GOCARDLESS_API_URL": self.gocardless_url,
            "ENABLE_BANKING_API_URL": self.enable_banking_url,
        }

    # -- scripting ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget requests, scripted failures, delays and replies; back to the default data."""
        with self._lock:
            generation = self._state.generation + 1
            self._state = _State(generation=generation)
            self.add_telegram_chat(TELEGRAM_CHAT_ID, type="private", first_name="Test",
                                   username="test_user")
            self.register_enable_banking_app(ENABLE_BANKING_APP_ID, ENABLE_BANKING_KEY_PEM)

    def fail_next(self, provider: str, status: int, times: int = 1,
                  retry_after: int | None = None, path: str | None = None) -> None:
        """The next `times` requests to the provider (to a path ending with `path`, if given,
        e.g. "getChat") get this error, in the provider's shape."""
        with self._lock:
            for _ in range(times):
                self._state.failures[_key(provider)].append(_Failure(status, retry_after, path))

    def delay(self, provider: str, seconds: float) -> None:
        """Every answer from the provider waits this long (0 to stop), until reset."""
        with self._lock:
            self._state.delays[_key(provider)] = seconds

    def reply(self, provider: str, value: Any, times: int = 1) -> None:
        """What the next chat completion / message says: a string, or a JSON value (the content
        in JSON modes, the tool's input when a tool is forced)."""
        with self._lock:
            for _ in range(times):
                self._state.replies[_key(provider)].append(value)

    def add_telegram_chat(self, chat_id: str | int, type: str = "private",
                          **fields: Any) -> None:
        """A chat the bot can reach; `username` makes it reachable as @username too."""
        chat = {"id": int(chat_id), "type": type, **fields}
        with self._lock:
            self._state.telegram_chats[str(chat_id)] = chat

    def register_enable_banking_app(
        self, app_id: str, private_key_pem: str, environment: str = "SANDBOX",
        active: bool = True, name: str = "ai-service tests",
        redirect_urls: list[str] | None = None,
    ) -> None:
        with self._lock:
            self._state.enable_banking_apps[app_id] = {
                "public_key": public_key_pem(private_key_pem), "environment": environment,
                "active": active, "name": name,
                "redirect_urls": list(redirect_urls or ENABLE_BANKING_REDIRECT_URLS),
            }

    # -- what happened -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def requests_to(self, provider: str) -> list[RecordedRequest]:
        name = _key(provider)
        return [r for r in self.requests if r.provider == name]

    @property
    def telegram_messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.telegram_messages)

    @property
    def telegram_webhook(self) -> dict[str, Any] | None:
        with self._lock:
            return self._state.telegram_webhook

    # -- plumbing ------------------------------------------------------------------------------

    async def _enter(self, provider: str, request: Request
                     ) -> tuple[RecordedRequest, _Failure | None]:
        """Record the request, wait out a scripted delay, and pop a scripted failure."""
        record = await _record(provider, request)
        with self._lock:
            self._state.requests.append(record)
            generation = self._state.generation
            seconds = self._state.delays.get(provider, 0.0)
        await self._pause(seconds, generation)
        with self._lock:
            queue = self._state.failures.get(provider) or deque()
            failure = next((f for f in queue
                            if f.path is None or record.path.endswith(f.path)), None)
            if failure is not None:
                queue.remove(failure)
        return record, failure

    async def _pause(self, seconds: float, generation: int) -> None:
        # In short steps, so reset() or stop() ends a long delay instead of waiting it out.
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._state.generation != generation:
                return
            await asyncio.sleep(min(0.05, left))

    def _next_reply(self, provider: str) -> tuple[bool, Any]:
        with self._lock:
            queue = self._state.replies.get(provider)
            if queue:
                return True, queue.popleft()
        return False, None

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{uuid.uuid4().hex[:18]}"

    # -- OpenAI ----------------------------------------------------------------------------------

    async def _openai(self, request: Request,
                      handle: Callable[[RecordedRequest], Response]) -> Response:
        record, failure = await self._enter("openai", request)
        if failure:
            response = _openai_failure(failure)
        elif (problem := _openai_auth(record)) is not None:
            response = problem
        else:
            response = handle(record)
        response.headers["x-request-id"] = f"req_{uuid.uuid4().hex}"
        return response

    async def _openai_models(self, request: Request) -> Response:
        return await self._openai(request, lambda r: JSONResponse(
            {"object": "list", "data": [_openai_model_object(m) for m in _OPENAI_MODELS]}))

    async def _openai_model(self, request: Request) -> Response:
        model = request.path_params["model"]

        def handle(record: RecordedRequest) -> Response:
            if model not in _OPENAI_MODELS:
                return _openai_model_not_found(model)
            return JSONResponse(_openai_model_object(model))

        return await self._openai(request, handle)

    async def _openai_chat(self, request: Request) -> Response:
        return await self._openai(request, self._openai_chat_answer)

    def _openai_chat_answer(self, record: RecordedRequest) -> Response:
        body = record.json
        if not isinstance(body, dict):
            return _openai_error(400, "We could not parse the JSON body of your request.",
                                 "invalid_request_error")
        model, messages = body.get("model"), body.get("messages")
        if not model:
            return _openai_error(400, "you must provide a model parameter",
                                 "invalid_request_error")
        if model not in _OPENAI_MODELS or model.startswith("text-embedding"):
            return _openai_model_not_found(model)
        if not isinstance(messages, list) or not messages:
            return _openai_error(400, "[] is too short - 'messages'", "invalid_request_error",
                                 param="messages", code="empty_array")
        if body.get("stream"):
            return _openai_error(400, "stream is not supported by the fake provider",
                                 "invalid_request_error", param="stream")
        prompt = "\n".join(_text_of(m.get("content")) for m in messages if isinstance(m, dict))
        response_format = body.get("response_format") or {}
        if (response_format.get("type") == "json_object"
                and "json" not in prompt.lower()):
            return _openai_error(400, "'messages' must contain the word 'json' in some form, to "
                                 "use 'response_format' of type 'json_object'.",
                                 "invalid_request_error", param="messages")
        choices = [self._openai_choice(i, body, prompt) for i in range(int(body.get("n") or 1))]
        completion_tokens = sum(_tokens(c["message"]["content"] or json.dumps(
            c["message"].get("tool_calls"))) for c in choices)
        prompt_tokens = _tokens(prompt)
        return JSONResponse({
            "id": self._id("chatcmpl-"), "object": "chat.completion", "created": int(time.time()),
            "model": model, "system_fingerprint": "fp_fake0000",
            "choices": choices, "service_tier": "default",
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
        })

    def _openai_choice(self, index: int, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        has_reply, canned = self._next_reply("openai")
        tool = _forced_openai_tool(body)
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None,
                                   "annotations": []}
        if tool is not None:
            arguments = canned if has_reply else example_for(tool.get("parameters") or {})
            message["tool_calls"] = [{
                "id": self._id("call_"), "type": "function",
                "function": {"name": tool["name"], "arguments": json.dumps(arguments)},
            }]
            finish = "tool_calls"
        else:
            message["content"] = _openai_content(body.get("response_format") or {}, prompt,
                                                 has_reply, canned)
            finish = "stop"
        return {"index": index, "message": message, "logprobs": None, "finish_reason": finish}

    async def _openai_embeddings(self, request: Request) -> Response:
        return await self._openai(request, _openai_embeddings_answer)

    async def _openai_unknown(self, request: Request) -> Response:
        return await self._openai(request, lambda r: _openai_error(
            404, f"Invalid URL ({r.method} {r.path})", "invalid_request_error"))

    # -- Anthropic ------------------------------------------------------------------------------

    async def _anthropic(self, request: Request,
                         handle: Callable[[RecordedRequest], Response]) -> Response:
        record, failure = await self._enter("anthropic", request)
        if failure:
            response = _anthropic_failure(failure)
        elif (problem := _anthropic_auth(record)) is not None:
            response = problem
        else:
            response = handle(record)
        response.headers["request-id"] = f"req_{uuid.uuid4().hex[:24]}"
        return response

    async def _anthropic_models(self, request: Request) -> Response:
        return await self._anthropic(request, _anthropic_models_page)

    async def _anthropic_model(self, request: Request) -> Response:
        def handle(record: RecordedRequest) -> Response:
            model_id = _anthropic_model(request.path_params["model"])
            if model_id is None:
                return _anthropic_error(404, "not_found_error",
                                        f"model: {request.path_params['model']}")
            return JSONResponse(next(_anthropic_model_object(m) for m in _ANTHROPIC_MODELS
                                     if m[0] == model_id))

        return await self._anthropic(request, handle)

    async def _anthropic_messages(self, request: Request) -> Response:
        return await self._anthropic(request, self._anthropic_message)

    def _anthropic_message(self, record: RecordedRequest) -> Response:
        body = record.json
        if not isinstance(body, dict):
            return _anthropic_error(400, "invalid_request_error", "Invalid JSON body")
        if (problem := _anthropic_invalid(body)) is not None:
            return problem
        model_id = _anthropic_model(body["model"])
        if model_id is None:
            return _anthropic_error(404, "not_found_error", f"model: {body['model']}")
        tool, problem = _forced_anthropic_tool(body)
        if problem is not None:
            return problem
        has_reply, canned = self._next_reply("anthropic")
        prompt = _text_of(body.get("system")) + "\n" + "\n".join(
            _text_of(m.get("content")) for m in body["messages"])
        if tool is not None:
            tool_input = canned if has_reply else example_for(tool.get("input_schema") or {})
            content = [{"type": "tool_use", "id": self._id("toolu_"), "name": tool["name"],
                        "input": tool_input}]
            stop_reason, produced = "tool_use", json.dumps(tool_input)
        else:
            output_format = (body.get("output_config") or {}).get("format") or {}
            produced = _anthropic_text(output_format, prompt, has_reply, canned)
            content = [{"type": "text", "text": produced}]
            stop_reason = "end_turn"
        return JSONResponse({
            "id": self._id("msg_"), "type": "message", "role": "assistant", "model": model_id,
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": _tokens(prompt), "output_tokens": _tokens(produced),
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                      "service_tier": "standard"},
        })

    async def _anthropic_unknown(self, request: Request) -> Response:
        return await self._anthropic(request, lambda r: _anthropic_error(
            404, "not_found_error", "Not Found"))

    # -- Telegram --------------------------------------------------------------------------------

    async def _telegram(self, request: Request) -> Response:
        record, failure = await self._enter("telegram", request)
        if failure:
            return _telegram_failure(failure)
        token = request.path_params["token"]
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{35}", token):
            return _telegram_error(404, "Not Found")
        if token != TELEGRAM_TOKEN:
            return _telegram_error(401, "Unauthorized")
        params = {**record.query, **(record.form or {}),
                  **(record.json if isinstance(record.json, dict) else {})}
        method = request.path_params["method"].lower()
        handler = self._telegram_methods.get(method)
        if handler is None:
            return _telegram_error(404, "Not Found")
        return handler(self, params)

    async def _telegram_not_found(self, request: Request) -> Response:
        await self._enter("telegram", request)
        return _telegram_error(404, "Not Found")

    def _telegram_bot(self) -> dict[str, Any]:
        return {"id": int(TELEGRAM_TOKEN.split(":")[0]), "is_bot": True,
                "first_name": "AI Service (fake)", "username": TELEGRAM_BOT_USERNAME}

    def _tg_get_me(self, params: dict[str, Any]) -> Response:
        return _telegram_ok({**self._telegram_bot(), "can_join_groups": True,
                             "can_read_all_group_messages": False,
                             "supports_inline_queries": False, "can_connect_to_business": False,
                             "has_main_web_app": False})

    def _telegram_chat(self, chat_id: Any) -> dict[str, Any] | None:
        key = str(chat_id if chat_id is not None else "").strip()
        with self._lock:
            chats = dict(self._state.telegram_chats)
        if key in chats:
            return chats[key]
        if key.startswith("@"):
            return next((c for c in chats.values()
                         if f"@{c.get('username', '')}".lower() == key.lower()), None)
        return None

    def _tg_get_chat(self, params: dict[str, Any]) -> Response:
        if not params.get("chat_id"):
            return _telegram_error(400, "Bad Request: chat_id is empty")
        chat = self._telegram_chat(params["chat_id"])
        if chat is None:
            return _telegram_error(400, "Bad Request: chat not found")
        return _telegram_ok({**chat, "accent_color_id": 0, "max_reaction_count": 11})

    def _tg_send_message(self, params: dict[str, Any]) -> Response:
        if not params.get("chat_id"):
            return _telegram_error(400, "Bad Request: chat_id is empty")
        chat = self._telegram_chat(params["chat_id"])
        if chat is None:
            return _telegram_error(400, "Bad Request: chat not found")
        text = str(params.get("text") or "")
        if not text.strip():
            return _telegram_error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _telegram_error(400, "Bad Request: message is too long")
        if (problem := _telegram_parse_problem(text, params.get("parse_mode"))) is not None:
            return _telegram_error(400, f"Bad Request: can't parse entities: {problem}")
        with self._lock:
            message_id = len(self._state.telegram_messages) + 1
            self._state.telegram_messages.append(
                {**params, "chat_id": str(params["chat_id"]), "message_id": message_id})
        return _telegram_ok({"message_id": message_id, "from": self._telegram_bot(),
                             "chat": chat, "date": int(time.time()), "text": text})

    def _tg_set_webhook(self, params: dict[str, Any]) -> Response:
        url = str(params.get("url") or "")
        if not url:  # an empty url removes the webhook, as deleteWebhook does
            return self._tg_delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https":
            return _telegram_error(400, "Bad Request: bad webhook: An HTTPS URL must be "
                                        "provided for webhook")
        if (parts.port or 443) not in (80, 88, 443, 8443):
            return _telegram_error(400, "Bad Request: bad webhook: Webhook can be set up only "
                                        "on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            return _telegram_error(400, "Bad Request: secret token contains unallowed "
                                        "characters")
        with self._lock:
            self._state.telegram_webhook = dict(params)
        return _telegram_ok(True, "Webhook was set")

    def _tg_delete_webhook(self, params: dict[str, Any]) -> Response:
        with self._lock:
            had = self._state.telegram_webhook is not None
            self._state.telegram_webhook = None
        return _telegram_ok(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _tg_get_webhook_info(self, params: dict[str, Any]) -> Response:
        hook = self.telegram_webhook or {}
        info: dict[str, Any] = {"url": hook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": 0}
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        return _telegram_ok(info)

    _telegram_methods: dict[str, Callable[[FakeProviders, dict[str, Any]], Response]] = {
        "getme": _tg_get_me, "getchat": _tg_get_chat, "sendmessage": _tg_send_message,
        "setwebhook": _tg_set_webhook, "deletewebhook": _tg_delete_webhook,
        "getwebhookinfo": _tg_get_webhook_info,
    }

    # -- GoCardless ------------------------------------------------------------------------------

    async def _gocardless_token(self, request: Request) -> Response:
        record, failure = await self._enter("gocardless", request)
        if failure:
            return _gocardless_failure(failure)
        body = record.json if isinstance(record.json, dict) else (record.form or {})
        missing = {name: {"summary": "This field is required.",
                          "detail": "This field is required."}
                   for name in ("secret_id", "secret_key") if not body.get(name)}
        if missing:
            return JSONResponse({**missing, "status_code": 400}, status_code=400)
        if (body["secret_id"], body["secret_key"]) != (GOCARDLESS_SECRET_ID,
                                                        GOCARDLESS_SECRET_KEY):
            return JSONResponse({"summary": "Authentication failed",
                                 "detail": "No active account found with the given credentials",
                                 "status_code": 401}, status_code=401)
        access, refresh = self._gocardless_token_pair()
        return JSONResponse({"access": access, "access_expires": 86400, "refresh": refresh,
                             "refresh_expires": 2592000})

    def _gocardless_token_pair(self) -> tuple[str, str]:
        access, refresh = (f"eyJ{uuid.uuid4().hex}{uuid.uuid4().hex}" for _ in range(2))
        with self._lock:
            self._state.gocardless_tokens[access] = "access"
            self._state.gocardless_tokens[refresh] = "refresh"
        return access, refresh

    async def _gocardless_refresh(self, request: Request) -> Response:
        record, failure = await self._enter("gocardless", request)
        if failure:
            return _gocardless_failure(failure)
        body = record.json if isinstance(record.json, dict) else {}
        with self._lock:
            kind = self._state.gocardless_tokens.get(str(body.get("refresh")))
        if kind != "refresh":
            return JSONResponse({"summary": "Invalid token",
                                 "detail": "Token is invalid or expired",
                                 "status_code": 401}, status_code=401)
        access, _ = self._gocardless_token_pair()
        return JSONResponse({"access": access, "access_expires": 86400})

    async def _gocardless_unknown(self, request: Request) -> Response:
        await self._enter("gocardless", request)
        return JSONResponse({"summary": "Not found.", "detail": "Not found.",
                             "status_code": 404}, status_code=404)

    # -- Enable Banking --------------------------------------------------------------------------

    async def _enable_banking_application(self, request: Request) -> Response:
        record, failure = await self._enter("enablebanking", request)
        if failure:
            return _enable_banking_failure(failure)
        app_id, problem = self._enable_banking_auth(record)
        if problem is not None:
            return _enable_banking_error(401, problem, "UNAUTHORIZED")
        with self._lock:
            app = self._state.enable_banking_apps[app_id]
        return JSONResponse({
            "name": app["name"], "description": "Registered for the test suite",
            "kid": app_id, "environment": app["environment"],
            "redirect_urls": app["redirect_urls"], "active": app["active"],
            "countries": ["FI", "SE", "DE", "NL", "ES", "FR", "IT"], "services": ["AIS"],
        })

    def _enable_banking_auth(self, record: RecordedRequest) -> tuple[str, str | None]:
        """The application a request's JWT belongs to, or why the JWT is refused."""
        scheme, _, token = record.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return "", "Authorization header with a Bearer JWT is required"
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            return "", "Malformed JWT"
        app_id = str(header.get("kid") or "")
        with self._lock:
            app = self._state.enable_banking_apps.get(app_id)
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return app_id, "JWT header must have typ JWT and alg RS256"
        if app is None:
            return app_id, "Application not found"
        try:
            claims = jwt.decode(token, app["public_key"], algorithms=["RS256"],
                                audience="api.enablebanking.com", issuer="enablebanking.com",
                                options={"require": ["iss", "aud", "iat", "exp"]})
        except jwt.InvalidTokenError as exc:
            return app_id, f"Invalid JWT: {exc}"
        if int(claims["exp"]) - int(claims["iat"]) > 86400:
            return app_id, "JWT lifetime must not exceed 86400 seconds"
        if int(claims["iat"]) > time.time() + 60:
            return app_id, "JWT is issued in the future"
        return app_id, None

    async def _enable_banking_unknown(self, request: Request) -> Response:
        await self._enter("enablebanking", request)
        return _enable_banking_error(404, "Not found", "NOT_FOUND")

    # -- open banking: scripting ---------------------------------------------------------------

    @property
    def bank_data(self) -> DemoData:
        """The demo banks, accounts and transactions both bank fakes serve."""
        with self._lock:
            return self._state.bank_data

    def settle_pending(self) -> int:
        """Book every pending transaction, as the bank does days later (new id, new wording)."""
        with self._lock:
            return self._state.bank_data.settle_pending()

    def next_consent_outcome(self, provider: str, outcome: str) -> None:
        """What the user does at the bank next time: "approve" (the default) or "reject"."""
        if outcome not in ("approve", "reject"):
            raise ValueError("outcome is approve or reject")
        with self._lock:
            self._state.consent_outcomes[_key(provider)] = outcome

    def expire_consent(self, provider: str, ref: str) -> None:
        """A GoCardless requisition or an Enable Banking session runs out."""
        with self._lock:
            if _key(provider) == "gocardless":
                self._state.gocardless_requisitions[ref]["status"] = "EX"
            else:
                self._state.enable_banking_sessions[ref]["status"] = "EXPIRED"

    def expire_gocardless_tokens(self, refresh_too: bool = False) -> None:
        """Every GoCardless access token (and refresh token) stops working, as after 24 hours."""
        with self._lock:
            tokens = self._state.gocardless_tokens
            for token in [t for t, kind in tokens.items()
                          if kind == "access" or refresh_too]:
                del tokens[token]

    # -- open banking: shared ----------------------------------------------------------------------

    def _link_accounts(self, provider: str, consent_id: str, bank: DemoBank) -> list[str]:
        ids = []
        with self._lock:
            for account in bank.accounts:
                account_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{provider}:{consent_id}:"
                                                                f"{account.iban}"))
                self._state.bank_accounts[account_id] = _LinkedAccount(provider, consent_id,
                                                                       bank, account)
                ids.append(account_id)
        return ids

    def _bank_call(self, provider: str, account_id: str, scope: str,
                   limit: int) -> tuple[bool, int, int]:
        """Count one call against the bank's limit per account, scope and rolling 24 hours:
        (allowed, remaining after it, seconds until the oldest counted call ages out)."""
        now = time.time()
        with self._lock:
            calls = [t for t in self._state.bank_calls[(provider, account_id, scope)]
                     if t > now - 86400]
            if len(calls) >= limit:
                self._state.bank_calls[(provider, account_id, scope)] = calls
                return False, 0, int(calls[0] + 86400 - now) + 1
            calls.append(now)
            self._state.bank_calls[(provider, account_id, scope)] = calls
            return True, limit - len(calls), int(calls[0] + 86400 - now)

    def _outcome(self, provider: str) -> str:
        with self._lock:
            return self._state.consent_outcomes.pop(provider, "approve")

    async def _browser(self, provider: str, request: Request) -> None:
        """The user's browser at the bank: recorded, never failed by `fail_next`."""
        record = await _record(provider, request)
        with self._lock:
            self._state.requests.append(record)

    # -- GoCardless: bank data ---------------------------------------------------------------------

    async def _gc_enter(self, request: Request) -> tuple[RecordedRequest, Response | None]:
        record, failure = await self._enter("gocardless", request)
        if failure:
            return record, _gocardless_failure(failure)
        scheme, _, token = record.headers.get("authorization", "").partition(" ")
        with self._lock:
            kind = self._state.gocardless_tokens.get(token)
        if scheme.lower() != "bearer" or kind != "access":
            return record, _gc_error(401, "Invalid token", "Token is invalid or expired")
        return record, None

    async def _gc_institutions(self, request: Request) -> Response:
        record, problem = await self._gc_enter(request)
        if problem:
            return problem
        country = record.query.get("country", "").upper()
        return JSONResponse([_gc_institution(b) for b in self.bank_data.banks
                             if not country or country in b.countries])

    async def _gc_institution(self, request: Request) -> Response:
        _, problem = await self._gc_enter(request)
        if problem:
            return problem
        bank = self.bank_data.bank(request.path_params["id"])
        if bank is None:
            return _gc_error(404, "Not found.", "Not found.")
        return JSONResponse(_gc_institution(bank))

    async def _gc_create_agreement(self, request: Request) -> Response:
        record, problem = await self._gc_enter(request)
        if problem:
            return problem
        body = record.json if isinstance(record.json, dict) else {}
        bank = self.bank_data.bank(str(body.get("institution_id")))
        if bank is None:
            return _gc_field_error("institution_id", "Unknown Institution ID",
                                   "Get Institution IDs from /institutions/?country=")
        history = int(body.get("max_historical_days") or 90)
        access = int(body.get("access_valid_for_days") or 90)
        if not 1 <= history <= bank.history_days:
            return _gc_field_error("max_historical_days", "Incorrect max_historical_days",
                                   f"max_historical_days must be > 0 and <= "
                                   f"{bank.history_days} for {bank.gocardless_id}")
        if not 1 <= access <= bank.consent_days:
            return _gc_field_error("access_valid_for_days", "Incorrect access_valid_for_days",
                                   f"access_valid_for_days must be > 0 and <= "
                                   f"{bank.consent_days}")
        agreement = {"id": str(uuid.uuid4()), "created": _now_iso(),
                     "institution_id": bank.gocardless_id, "max_historical_days": history,
                     "access_valid_for_days": access,
                     "access_scope": body.get("access_scope") or ["balances", "details",
                                                                  "transactions"],
                     "accepted": None}
        with self._lock:
            self._state.gocardless_agreements[agreement["id"]] = agreement
        return JSONResponse(agreement, status_code=201)

    async def _gc_agreement(self, request: Request) -> Response:
        _, problem = await self._gc_enter(request)
        if problem:
            return problem
        with self._lock:
            agreement = self._state.gocardless_agreements.get(request.path_params["id"])
        if agreement is None:
            return _gc_error(404, "Not found.", "Not found.")
        return JSONResponse(agreement)

    async def _gc_create_requisition(self, request: Request) -> Response:
        record, problem = await self._gc_enter(request)
        if problem:
            return problem
        body = record.json if isinstance(record.json, dict) else {}
        bank = self.bank_data.bank(str(body.get("institution_id")))
        if not body.get("redirect"):
            return _gc_field_error("redirect", "This field is required.",
                                   "This field is required.")
        if bank is None:
            return _gc_field_error("institution_id", "Unknown Institution ID",
                                   "Get Institution IDs from /institutions/?country=")
        with self._lock:
            agreement = self._state.gocardless_agreements.get(str(body.get("agreement")))
            taken = any(r["reference"] == body.get("reference")
                        for r in self._state.gocardless_requisitions.values())
        if body.get("agreement") and (agreement is None
                                      or agreement["institution_id"] != bank.gocardless_id):
            return _gc_field_error("agreement", "Incorrect agreement",
                                   "The agreement does not exist or is for another institution")
        if taken:
            return _gc_field_error("reference", "Client reference must be unique",
                                   "The reference is used by another requisition")
        requisition_id = str(uuid.uuid4())
        requisition = {
            "id": requisition_id, "created": _now_iso(), "redirect": body["redirect"],
            "status": "CR", "institution_id": bank.gocardless_id,
            "agreement": body.get("agreement"), "reference": body.get("reference")
            or requisition_id, "accounts": [], "user_language": body.get("user_language", "EN"),
            "link": f"{self.url}/gocardless/psd2/start/{requisition_id}/{bank.gocardless_id}",
            "ssn": None, "account_selection": False, "redirect_immediate": False,
        }
        with self._lock:
            self._state.gocardless_requisitions[requisition_id] = requisition
        return JSONResponse(requisition, status_code=201)

    async def _gc_requisition(self, request: Request) -> Response:
        _, problem = await self._gc_enter(request)
        if problem:
            return problem
        requisition_id = request.path_params["id"]
        with self._lock:
            requisition = self._state.gocardless_requisitions.get(requisition_id)
            if requisition is not None and request.method == "DELETE":
                del self._state.gocardless_requisitions[requisition_id]
        if requisition is None:
            return _gc_error(404, "Not found.", "Not found.")
        if request.method == "DELETE":
            return JSONResponse({"summary": "Requisition deleted",
                                 "detail": f"Requisition {requisition_id} deleted with all its "
                                           "End User Agreements"})
        return JSONResponse(requisition)

    async def _gc_bank_page(self, request: Request) -> Response:
        """The bank's consent page: the user approves (or cancels) and goes back."""
        await self._browser("gocardless", request)
        with self._lock:
            requisition = self._state.gocardless_requisitions.get(request.path_params["id"])
        if requisition is None or requisition["status"] != "CR":
            return HTMLResponse("<p>This link is no longer valid.</p>", status_code=400)
        glue = "&" if "?" in requisition["redirect"] else "?"
        target = f"{requisition['redirect']}{glue}ref={requisition['reference']}"
        if self._outcome("gocardless") == "reject":
            requisition["status"] = "RJ"
            return RedirectResponse(target + "&error=UserCancelledSession&details="
                                    "User+cancelled+the+session.", status_code=302)
        bank = self.bank_data.bank(requisition["institution_id"])
        assert bank is not None
        requisition["accounts"] = self._link_accounts("gocardless", requisition["id"], bank)
        requisition["status"] = "LN"
        with self._lock:
            agreement = self._state.gocardless_agreements.get(str(requisition["agreement"]))
            if agreement is not None:
                agreement["accepted"] = _now_iso()
        return RedirectResponse(target, status_code=302)

    def _gc_linked(self, account_id: str) -> tuple[_LinkedAccount | None, Response | None]:
        with self._lock:
            linked = self._state.bank_accounts.get(account_id)
            requisition = self._state.gocardless_requisitions.get(linked.consent_id) \
                if linked is not None else None
        if linked is None or linked.provider != "gocardless":
            return None, _gc_error(404, "Not found.", "Not found.")
        if requisition is None or requisition["status"] != "LN":
            return None, _gc_error(401, "Access has expired or it has been revoked",
                                   "To restore access reconnect the account.",
                                   type_="AccessExpiredError")
        return linked, None

    async def _gc_account(self, request: Request) -> Response:
        _, problem = await self._gc_enter(request)
        if problem:
            return problem
        account_id = request.path_params["id"]
        linked, problem = self._gc_linked(account_id)
        if linked is None:
            return problem or _gc_error(404, "Not found.", "Not found.")
        return JSONResponse({"id": account_id, "created": _now_iso(),
                             "last_accessed": _now_iso(), "iban": linked.account.iban,
                             "bban": linked.account.iban[4:],
                             "institution_id": linked.bank.gocardless_id, "status": "READY",
                             "owner_name": linked.account.owner})

    async def _gc_account_data(self, request: Request) -> Response:
        record, problem = await self._gc_enter(request)
        if problem:
            return problem
        account_id, scope = request.path_params["id"], request.path_params["scope"]
        if scope not in ("details", "balances", "transactions"):
            return _gc_error(404, "Not found.", "Not found.")
        linked, problem = self._gc_linked(account_id)
        if linked is None:
            return problem or _gc_error(404, "Not found.", "Not found.")
        data = self.bank_data
        window: tuple[date, date] | None = None
        if scope == "transactions":
            with self._lock:
                requisition = self._state.gocardless_requisitions[linked.consent_id]
                agreement = self._state.gocardless_agreements.get(
                    str(requisition["agreement"])) or {}
            history = int(agreement.get("max_historical_days") or 90)
            window, problem = _gc_window(record.query, data.today, history)
            if window is None:
                return problem or _gc_error(400, "Invalid date", "Invalid date")
        allowed, remaining, reset = self._bank_call("gocardless", account_id, scope,
                                                    linked.bank.daily_limit)
        headers = {"HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_LIMIT": str(linked.bank.daily_limit),
                   "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING": str(remaining),
                   "HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_RESET": str(reset)}
        if not allowed:
            what = {"details": "account details"}.get(scope, scope)
            return JSONResponse({"summary": f"Couldn't update {what}",
                                 "detail": "Daily request limit set by the Institution has "
                                           "been exceeded.",
                                 "type": "RateLimitError", "status_code": 429},
                                status_code=429, headers=headers)
        account = linked.account
        if scope == "details":
            body: dict[str, Any] = {"account": {
                "resourceId": account.iban[-10:], "iban": account.iban,
                "currency": account.currency, "ownerName": account.owner, "name": account.name,
                "product": account.product, "cashAccountType": "CACC"
                if "Current" in account.product else "SVGS", "status": "enabled",
                "bic": linked.bank.bic}}
        elif scope == "balances":
            body = {"balances": [
                {"balanceAmount": {"amount": f"{account.booked_balance():.2f}",
                                   "currency": account.currency},
                 "balanceType": "closingBooked",
                 "referenceDate": (data.today - timedelta(days=1)).isoformat()},
                {"balanceAmount": {"amount": f"{account.expected_balance():.2f}",
                                   "currency": account.currency},
                 "balanceType": "expected", "referenceDate": data.today.isoformat()},
            ]}
        else:
            assert window is not None
            with self._lock:
                chosen = [t for t in account.transactions
                          if window[0] <= (t.booking_date or t.value_date) <= window[1]]
                body = {"transactions": {
                    "booked": [_gc_transaction(t) for t in reversed(chosen) if not t.pending],
                    "pending": [_gc_transaction(t) for t in reversed(chosen) if t.pending]},
                    "last_updated": _now_iso()}
        return JSONResponse(body, headers=headers)

    # -- Enable Banking: bank data --------------------------------------------------------------

    async def _eb_enter(self, request: Request) -> tuple[RecordedRequest, Response | None]:
        record, failure = await self._enter("enablebanking", request)
        if failure:
            return record, _enable_banking_failure(failure)
        _app_id, problem = self._enable_banking_auth(record)
        if problem is not None:
            return record, _enable_banking_error(401, problem, "UNAUTHORIZED")
        return record, None

    async def _eb_aspsps(self, request: Request) -> Response:
        record, problem = await self._eb_enter(request)
        if problem:
            return problem
        country = record.query.get("country", "").upper()
        return JSONResponse({"aspsps": [_eb_aspsp(b, c) for b in self.bank_data.banks
                                        for c in b.countries if not country or c == country]})

    async def _eb_auth(self, request: Request) -> Response:
        record, problem = await self._eb_enter(request)
        if problem:
            return problem
        body = record.json if isinstance(record.json, dict) else {}
        aspsp = body.get("aspsp") if isinstance(body.get("aspsp"), dict) else {}
        bank = self.bank_data.bank_named(str(aspsp.get("name")), str(aspsp.get("country")))
        if bank is None:
            return _enable_banking_error(404, "ASPSP not found", "ASPSP_NOT_FOUND")
        app_id = str(jwt.get_unverified_header(
            record.headers["authorization"].partition(" ")[2]).get("kid"))
        with self._lock:
            allowed = self._state.enable_banking_apps[app_id]["redirect_urls"]
        if body.get("redirect_url") not in allowed:
            return _enable_banking_error(422, "Redirect URI not allowed",
                                         "REDIRECT_URI_NOT_ALLOWED")
        access = body.get("access") if isinstance(body.get("access"), dict) else {}
        try:
            valid_until = datetime.fromisoformat(str(access.get("valid_until")))
        except ValueError:
            return _enable_banking_error(422, "access.valid_until must be an RFC 3339 date-time",
                                         "WRONG_REQUEST_PARAMETERS")
        longest = datetime.now(UTC) + timedelta(days=bank.consent_days, minutes=5)
        if valid_until.tzinfo is None or valid_until > longest:
            return _enable_banking_error(422, "Access valid until exceeds maximum consent "
                                              "validity of the ASPSP",
                                         "WRONG_ACCESS_VALID_UNTIL")
        auth_id = str(uuid.uuid4())
        with self._lock:
            self._state.enable_banking_auths[auth_id] = {
                "bank": bank, "country": str(aspsp.get("country")).upper(),
                "state": body.get("state"), "redirect_url": body["redirect_url"],
                "valid_until": valid_until.isoformat(),
                "psu_type": body.get("psu_type", "personal")}
        return JSONResponse({"url": f"{self.url}/enablebanking/fake-bank/auth/{auth_id}",
                             "authorization_id": auth_id,
                             "psu_id_hash": hashlib.sha256(auth_id.encode()).hexdigest()})

    async def _eb_bank_page(self, request: Request) -> Response:
        await self._browser("enablebanking", request)
        with self._lock:
            auth = self._state.enable_banking_auths.get(request.path_params["id"])
        if auth is None or auth.get("used"):
            return HTMLResponse("<p>This link is no longer valid.</p>", status_code=400)
        auth["used"] = True
        glue = "&" if "?" in auth["redirect_url"] else "?"
        state = f"state={auth['state']}"
        if self._outcome("enablebanking") == "reject":
            return RedirectResponse(f"{auth['redirect_url']}{glue}error=access_denied&"
                                    f"error_description=User+cancelled&{state}",
                                    status_code=302)
        code = str(uuid.uuid4())
        with self._lock:
            self._state.enable_banking_codes[code] = request.path_params["id"]
        return RedirectResponse(f"{auth['redirect_url']}{glue}code={code}&{state}",
                                status_code=302)

    async def _eb_create_session(self, request: Request) -> Response:
        record, problem = await self._eb_enter(request)
        if problem:
            return problem
        body = record.json if isinstance(record.json, dict) else {}
        with self._lock:
            auth_id = self._state.enable_banking_codes.pop(str(body.get("code")), None)
            auth = self._state.enable_banking_auths.get(auth_id or "")
        if auth is None:
            return _enable_banking_error(422, "Authorization code is invalid or already used",
                                         "WRONG_AUTHORIZATION_CODE")
        session_id = str(uuid.uuid4())
        bank: DemoBank = auth["bank"]
        uids = self._link_accounts("enablebanking", session_id, bank)
        session = {"session_id": session_id, "status": "AUTHORIZED",
                   "aspsp": {"name": bank.name, "country": auth["country"]},
                   "psu_type": auth["psu_type"], "access": {"valid_until": auth["valid_until"]},
                   "accounts": uids, "created": _now_iso(), "authorized": _now_iso()}
        with self._lock:
            self._state.enable_banking_sessions[session_id] = session
            accounts = [self._eb_account(uid) for uid in uids]
        return JSONResponse({**{k: session[k] for k in ("session_id", "aspsp", "psu_type",
                                                        "access")}, "accounts": accounts})

    async def _eb_session(self, request: Request) -> Response:
        _, problem = await self._eb_enter(request)
        if problem:
            return problem
        with self._lock:
            session = self._state.enable_banking_sessions.get(request.path_params["id"])
            if session is not None and request.method == "DELETE":
                session["status"] = "CLOSED"
        if session is None:
            return _enable_banking_error(404, "Session not found", "SESSION_DOES_NOT_EXIST")
        if request.method == "DELETE":
            return JSONResponse({"message": "OK"})
        return JSONResponse({**session, "accounts_data": [
            {"uid": uid, "identification_hash": hashlib.sha256(uid.encode()).hexdigest()}
            for uid in session["accounts"]]})

    def _eb_account(self, uid: str) -> dict[str, Any]:
        linked = self._state.bank_accounts[uid]
        account = linked.account
        return {"uid": uid, "account_id": {"iban": account.iban},
                "all_account_ids": [{"identification": account.iban, "scheme_name": "IBAN"}],
                "account_servicer": {"bic_fi": linked.bank.bic}, "name": account.owner,
                "details": account.name, "usage": "PRIV",
                "cash_account_type": "CACC" if "Current" in account.product else "SVGS",
                "product": account.product, "currency": account.currency,
                "identification_hash": hashlib.sha256(account.iban.encode()).hexdigest()}

    async def _eb_account_data(self, request: Request) -> Response:
        record, problem = await self._eb_enter(request)
        if problem:
            return problem
        uid, scope = request.path_params["id"], request.path_params["scope"]
        with self._lock:
            linked = self._state.bank_accounts.get(uid)
            session = self._state.enable_banking_sessions.get(linked.consent_id) \
                if linked is not None else None
        if scope not in ("details", "balances", "transactions") or linked is None \
                or linked.provider != "enablebanking" or session is None:
            return _enable_banking_error(404, "Account not found", "ACCOUNT_DOES_NOT_EXIST")
        if session["status"] != "AUTHORIZED" or datetime.fromisoformat(
                session["access"]["valid_until"]) < datetime.now(UTC):
            error = "CLOSED_SESSION" if session["status"] == "CLOSED" else "EXPIRED_SESSION"
            return _enable_banking_error(401, "Session is not authorized any more", error)
        data = self.bank_data
        key = record.query.get("continuation_key")
        # Every call reaches the bank except the pages that follow the first.
        if key is None:
            allowed, _, _ = self._bank_call("enablebanking", uid, scope,
                                            linked.bank.daily_limit)
            if not allowed:
                return _enable_banking_error(429, "ASPSP rate limit exceeded",
                                             "ASPSP_RATE_LIMIT_EXCEEDED")
        account = linked.account
        if scope == "details":
            with self._lock:
                return JSONResponse(self._eb_account(uid))
        if scope == "balances":
            return JSONResponse({"balances": [
                {"name": "Booked balance", "balance_type": "CLBD",
                 "balance_amount": {"currency": account.currency,
                                    "amount": f"{account.booked_balance():.2f}"},
                 "reference_date": (data.today - timedelta(days=1)).isoformat()},
                {"name": "Expected balance", "balance_type": "XPCD",
                 "balance_amount": {"currency": account.currency,
                                    "amount": f"{account.expected_balance():.2f}"},
                 "reference_date": data.today.isoformat()}]})
        return self._eb_transactions(record.query, account, linked.bank, data.today)

    def _eb_transactions(self, query: dict[str, str], account: DemoAccount, bank: DemoBank,
                         today: date) -> Response:
        try:
            earliest = today - timedelta(days=bank.history_days - 1)
            if query.get("date_from"):
                start = max(date.fromisoformat(query["date_from"]), earliest)
            elif query.get("strategy") == "longest":
                start = earliest
            else:
                start = today - timedelta(days=89)
            end = date.fromisoformat(query["date_to"]) if query.get("date_to") else today
            offset, empty = 0, False
            if query.get("continuation_key"):
                page = json.loads(base64.urlsafe_b64decode(query["continuation_key"]))
                offset, empty = int(page["offset"]), bool(page["empty"])
        except (ValueError, KeyError, TypeError):
            return _enable_banking_error(422, "Wrong request parameters",
                                         "WRONG_REQUEST_PARAMETERS")
        with self._lock:
            chosen = [_eb_transaction(t) for t in account.transactions
                      if start <= (t.booking_date or t.value_date) <= end]
        size = ENABLE_BANKING_PAGE_SIZE
        if empty:  # the API may send an empty page that still has a key: clients must go on
            return JSONResponse({"transactions": [], "continuation_key": _eb_page_key(offset)})
        items = chosen[offset:offset + size]
        following = offset + size
        next_key = None
        if following < len(chosen):
            next_key = _eb_page_key(following, empty=offset == 0)
        return JSONResponse({"transactions": items, "continuation_key": next_key})


# --------------------------------------------------------------------------- request recording


async def _record(provider: str, request: Request) -> RecordedRequest:
    prefix = f"/{provider}"
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    parsed: Any = None
    form: dict[str, str] | None = None
    if body and "json" in content_type:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    elif body and "x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    elif body and "multipart/form-data" in content_type:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return RecordedRequest(
        provider=provider, method=request.method,
        path=request.url.path.removeprefix(prefix),
        headers={k.lower(): v for k, v in request.headers.items()},
        query=dict(request.query_params), json=parsed, form=form,
    )


# --------------------------------------------------------------------------- OpenAI shapes


def _openai_error(status: int, message: str, type_: str, *, param: str | None = None,
                  code: str | None = None, headers: dict[str, str] | None = None
                  ) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type_, "param": param,
                                   "code": code}}, status_code=status, headers=headers)


def _openai_auth(record: RecordedRequest) -> Response | None:
    scheme, _, key = record.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return _openai_error(401, "You didn't provide an API key. You need to provide your API "
                             "key in an Authorization header using Bearer auth (i.e. "
                             "Authorization: Bearer YOUR_KEY).", "invalid_request_error")
    if key != OPENAI_KEY:
        # The real message echoes part of the key: callers must not show it as it is.
        shown = f"{key[:8]}{'*' * max(0, len(key) - 12)}{key[-4:]}"
        return _openai_error(401, f"Incorrect API key provided: {shown}. You can find your API "
                             "key at https://platform.openai.com/account/api-keys.",
                             "invalid_request_error", code="invalid_api_key")
    organization = record.headers.get("openai-organization")
    if organization is not None and organization != OPENAI_ORG:
        return _openai_error(401, "OpenAI-Organization header should match organization for "
                             "API key", "invalid_request_error", code="mismatched_organization")
    return None


def _openai_failure(failure: _Failure) -> Response:
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    status = failure.status
    if status == 401:
        return _openai_error(401, "Incorrect API key provided: sk-proj-****XXXX.",
                             "invalid_request_error", code="invalid_api_key", headers=headers)
    if status == 403:
        return _openai_error(403, "You are not allowed to sample from this model",
                             "invalid_request_error", code="model_not_allowed", headers=headers)
    if status == 429:
        return _openai_error(429, "Rate limit reached for requests. Please try again later.",
                             "requests", code="rate_limit_exceeded", headers=headers)
    if status == 503:
        return _openai_error(503, "The engine is currently overloaded, please try again later",
                             "server_error", headers=headers)
    if status >= 500:
        return _openai_error(status, "The server had an error while processing your request. "
                             "Sorry about that!", "server_error", headers=headers)
    return _openai_error(status, "Invalid request", "invalid_request_error", headers=headers)


def _openai_model_object(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": _OPENAI_MODELS[model],
            "owned_by": "system"}


def _openai_model_not_found(model: str) -> Response:
    return _openai_error(404, f"The model `{model}` does not exist or you do not have access to "
                         "it.", "invalid_request_error", code="model_not_found")


def _forced_openai_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The function a request forces (tool_choice "required" or a named function), if any."""
    tools = [t.get("function") or {} for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice")
    if not tools or choice in (None, "auto", "none"):
        return None
    if choice == "required":
        return tools[0]
    name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
    return next((t for t in tools if t.get("name") == name), None)


def _openai_content(response_format: dict[str, Any], prompt: str, has_reply: bool,
                    canned: Any) -> str:
    kind = response_format.get("type")
    if has_reply:
        return canned if isinstance(canned, str) else json.dumps(canned)
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return json.dumps(example_for(schema))
    if kind == "json_object":
        return json.dumps({"answer": _echo(prompt)})
    return _echo(prompt)


def _echo(prompt: str) -> str:
    last = prompt.strip().splitlines()[-1] if prompt.strip() else ""
    return f"Fake answer to: {last[:200]}"


def _openai_embeddings_answer(record: RecordedRequest) -> Response:
    body = record.json if isinstance(record.json, dict) else {}
    model, raw = body.get("model"), body.get("input")
    if model not in _EMBEDDING_DIMENSIONS:
        return _openai_model_not_found(str(model))
    inputs = _embedding_inputs(raw)
    if inputs is None:
        return _openai_error(400, "'$.input' is invalid. Please check the API reference: "
                             "https://platform.openai.com/docs/api-reference.",
                             "invalid_request_error")
    dimensions = body.get("dimensions") or _EMBEDDING_DIMENSIONS[model]
    if body.get("dimensions") and model == "text-embedding-ada-002":
        return _openai_error(400, "This model does not support specifying dimensions.",
                             "invalid_request_error", param="dimensions")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        return _openai_error(400, f"'{encoding}' is not one of ['float', 'base64'] - "
                             "'encoding_format'", "invalid_request_error",
                             param="encoding_format")
    data = []
    for index, text in enumerate(inputs):
        vector = _embedding(model, text, int(dimensions))
        value: Any = vector
        if encoding == "base64":  # little-endian float32, what the SDK decodes
            value = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": value})
    tokens = sum(_tokens(t) for t in inputs)
    return JSONResponse({"object": "list", "data": data, "model": model,
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})


def _embedding_inputs(raw: Any) -> list[str] | None:
    """A string, strings, token ids, or lists of token ids; None when OpenAI would refuse."""
    if isinstance(raw, str):
        items: list[Any] = [raw]
    elif isinstance(raw, list) and raw and all(isinstance(t, int) for t in raw):
        items = [" ".join(map(str, raw))]
    elif isinstance(raw, list) and 0 < len(raw) <= 2048:
        items = [" ".join(map(str, t)) if isinstance(t, list) else t for t in raw]
    else:
        return None
    if not all(isinstance(t, str) and t for t in items):
        return None
    return items


# --------------------------------------------------------------------------- Anthropic shapes


def _anthropic_error(status: int, type_: str, message: str,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"type": "error", "error": {"type": type_, "message": message},
                         "request_id": f"req_{uuid.uuid4().hex[:24]}"},
                        status_code=status, headers=headers)


def _anthropic_auth(record: RecordedRequest) -> Response | None:
    key = record.headers.get("x-api-key")
    if not key:
        return _anthropic_error(401, "authentication_error", "x-api-key header is required")
    if key != ANTHROPIC_KEY:
        return _anthropic_error(401, "authentication_error", "invalid x-api-key")
    if not record.headers.get("anthropic-version"):
        return _anthropic_error(400, "invalid_request_error",
                                "anthropic-version: header is required")
    if record.headers["anthropic-version"] not in ("2023-06-01", "2023-01-01"):
        return _anthropic_error(400, "invalid_request_error",
                                f"anthropic-version: invalid version "
                                f"{record.headers['anthropic-version']!r}")
    return None


_ANTHROPIC_FAILURES = {
    400: ("invalid_request_error", "Invalid request"),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified "
                              "resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate "
                              "limit"),
    500: ("api_error", "Internal server error"),
    529: ("overloaded_error", "Overloaded"),
}


def _anthropic_failure(failure: _Failure) -> Response:
    type_, message = _ANTHROPIC_FAILURES.get(
        failure.status, ("api_error", "Internal server error") if failure.status >= 500
        else ("invalid_request_error", "Invalid request"))
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return _anthropic_error(failure.status, type_, message, headers)


def _anthropic_models_page(record: RecordedRequest) -> Response:
    try:
        limit = int(record.query.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return _anthropic_error(400, "invalid_request_error",
                                "limit: Input should be between 1 and 1000")
    ids = [m[0] for m in _ANTHROPIC_MODELS]
    start, end = 0, len(ids)
    if "after_id" in record.query and record.query["after_id"] in ids:
        start = ids.index(record.query["after_id"]) + 1
    if "before_id" in record.query and record.query["before_id"] in ids:
        end = ids.index(record.query["before_id"])
        start = max(start, end - limit)
    page = _ANTHROPIC_MODELS[start:min(end, start + limit)]
    return JSONResponse({"data": [_anthropic_model_object(m) for m in page],
                         "has_more": start + len(page) < end,
                         "first_id": page[0][0] if page else None,
                         "last_id": page[-1][0] if page else None})


def _anthropic_model_object(model: tuple[str, str, str]) -> dict[str, Any]:
    return {"type": "model", "id": model[0], "display_name": model[1], "created_at": model[2]}


def _anthropic_invalid(body: dict[str, Any]) -> Response | None:
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return _anthropic_error(400, "invalid_request_error", f"{name}: Field required")
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return _anthropic_error(400, "invalid_request_error",
                                "max_tokens: Input should be greater than or equal to 1")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return _anthropic_error(400, "invalid_request_error",
                                "messages: at least one message is required")
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return _anthropic_error(400, "invalid_request_error",
                                    'messages: Unexpected role "system". The Messages API '
                                    "accepts a top-level `system` parameter, not \"system\" as "
                                    "an input message role.")
        if role not in ("user", "assistant"):
            return _anthropic_error(400, "invalid_request_error",
                                    f"messages: Input tag '{role}' found using 'role' does not "
                                    "match any of the expected tags: 'user', 'assistant'")
    if body.get("stream"):
        return _anthropic_error(400, "invalid_request_error",
                                "stream: not supported by the fake provider")
    return None


def _forced_anthropic_tool(body: dict[str, Any]
                           ) -> tuple[dict[str, Any] | None, Response | None]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice") or {}
    kind = choice.get("type")
    if kind in (None, "auto", "none"):
        return None, None
    if not tools:
        return None, _anthropic_error(400, "invalid_request_error",
                                      "tool_choice: tool_choice may only be specified while "
                                      "providing tools.")
    if kind == "any":
        return tools[0], None
    tool = next((t for t in tools if t.get("name") == choice.get("name")), None)
    if tool is None:
        return None, _anthropic_error(400, "invalid_request_error",
                                      f"tool_choice: Tool '{choice.get('name')}' not found in "
                                      "provided tools")
    return tool, None


def _anthropic_text(output_format: dict[str, Any], prompt: str, has_reply: bool,
                    canned: Any) -> str:
    if has_reply:
        return canned if isinstance(canned, str) else json.dumps(canned)
    if output_format.get("type") == "json_schema":
        return json.dumps(example_for(output_format.get("schema") or {}))
    return _echo(prompt)


# --------------------------------------------------------------------------- Telegram shapes


def _telegram_ok(result: Any, description: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def _telegram_error(status: int, description: str,
                    parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _telegram_failure(failure: _Failure) -> Response:
    status = failure.status
    if status == 429:
        seconds = failure.retry_after or 5
        return _telegram_error(429, f"Too Many Requests: retry after {seconds}",
                               {"retry_after": seconds})
    if status in (502, 503, 504):  # nginx in front of the Bot API answers these in HTML
        return HTMLResponse(f"<html><head><title>{status} Bad Gateway</title></head><body>"
                            f"<center><h1>{status} Bad Gateway</h1></center><hr>"
                            "<center>nginx/1.18.0</center></body></html>", status_code=status)
    descriptions = {400: "Bad Request: chat not found", 401: "Unauthorized",
                    403: "Forbidden: bot was blocked by the user", 404: "Not Found",
                    409: "Conflict: terminated by other getUpdates request"}
    return _telegram_error(status, descriptions.get(status, "Internal Server Error"))


_TELEGRAM_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                       "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"}


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset: known tags, properly nested, `<` and `&` escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TELEGRAM_HTML_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problem = self.problem or f'Unexpected end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.problem = self.problem or f'Unsupported HTML entity "&{name};"'


def _telegram_parse_problem(text: str, parse_mode: Any) -> str | None:
    mode = str(parse_mode or "").lower()
    if mode == "html":
        if re.search(r"<(?![a-zA-Z/])", text):
            return "Unexpected character '<'; use &lt; instead"
        if re.search(r"&(?!#?\w+;)", text):
            return "Unexpected character '&'; use &amp; instead"
        parser = _TelegramHTML()
        parser.feed(text)
        parser.close()
        if parser.problem is None and parser.stack:
            return f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
        return parser.problem
    if mode == "markdownv2":
        outside_code = re.sub(r"```.*?```|`[^`]*`", "", text, flags=re.DOTALL)
        match = re.search(r"(?<!\\)(?:\\\\)*([#+\-={}.!])", outside_code)
        if match:
            return (f"Character '{match.group(1)}' is reserved and must be escaped with the "
                    "preceding '\\'")
    return None


# --------------------------------------------------------------------------- GoCardless shapes


def _gocardless_failure(failure: _Failure) -> Response:
    status = failure.status
    if status == 401:
        body = {"summary": "Authentication failed",
                "detail": "No active account found with the given credentials"}
    elif status == 429:
        body = {"summary": "Rate limit exceeded",
                "detail": f"Request was throttled. Expected available in "
                          f"{failure.retry_after or 60} seconds."}
    elif status >= 500:
        body = {"summary": "Internal server error", "detail": "Internal server error"}
    else:
        body = {"summary": "Invalid request", "detail": "Invalid request"}
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return JSONResponse({**body, "status_code": status}, status_code=status, headers=headers)


# --------------------------------------------------------------------------- Enable Banking shapes


def _enable_banking_error(status: int, message: str, error: str,
                          headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": status, "message": message, "error": error},
                        status_code=status, headers=headers)


def _enable_banking_failure(failure: _Failure) -> Response:
    errors = {401: ("Invalid JWT", "UNAUTHORIZED"), 403: ("Forbidden", "FORBIDDEN"),
              429: ("Too many requests", "TOO_MANY_REQUESTS")}
    message, error = errors.get(failure.status, ("Internal server error", "INTERNAL_ERROR"))
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return _enable_banking_error(failure.status, message, error, headers)


# --------------------------------------------------------------------------- open banking shapes

ENABLE_BANKING_PAGE_SIZE = 50
ENABLE_BANKING_REDIRECT_URLS = ["https://localhost/banking/callback"]


@dataclass
class _LinkedAccount:
    provider: str
    consent_id: str  # requisition or session id
    bank: DemoBank
    account: DemoAccount


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _gc_error(status: int, summary: str, detail: str, type_: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"summary": summary, "detail": detail, "status_code": status}
    if type_:
        body["type"] = type_
    return JSONResponse(body, status_code=status)


def _gc_field_error(name: str, summary: str, detail: str) -> JSONResponse:
    return JSONResponse({name: {"summary": summary, "detail": detail}, "status_code": 400},
                        status_code=400)


def _gc_institution(bank: DemoBank) -> dict[str, Any]:
    # GoCardless sends the day counts as strings.
    return {"id": bank.gocardless_id, "name": bank.name, "bic": bank.bic,
            "transaction_total_days": str(bank.history_days), "countries": list(bank.countries),
            "logo": bank.logo, "max_access_valid_for_days": str(bank.consent_days),
            "supported_features": ["account_selection", "business_accounts"],
            "identification_codes": []}


def _gc_window(query: dict[str, str], today: date, history: int
               ) -> tuple[tuple[date, date] | None, Response | None]:
    earliest = today - timedelta(days=history - 1)
    try:
        start = date.fromisoformat(query["date_from"]) if query.get("date_from") else earliest
        end = date.fromisoformat(query["date_to"]) if query.get("date_to") else today
    except ValueError:
        return None, _gc_field_error("date_from", "Invalid date format",
                                     "Dates must be in ISO 8601 format: YYYY-MM-DD")
    if start < earliest:
        return None, _gc_field_error("date_from", "Date too far in the past",
                                     f"Requested date_from {start} is before the "
                                     f"{history} days of history the agreement allows")
    if start > end or start > today:
        return None, _gc_field_error("date_from", "Incorrect date range",
                                     "date_from must be before date_to and not in the future")
    return (start, end), None


def _gc_transaction(t: DemoTransaction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "transactionAmount": {"amount": f"{t.amount:.2f}", "currency": t.currency},
        "valueDate": t.value_date.isoformat(),
        "bankTransactionCode": "PMNT-CCRD-POSD" if t.card else
        ("PMNT-RCDT-ESCT" if t.amount > 0 else "PMNT-ICDT-ESCT"),
    }
    if not t.pending:
        assert t.booking_date is not None
        out["bookingDate"] = t.booking_date.isoformat()
        if t.card:  # card payments come with the bank's internal id only
            out["internalTransactionId"] = t.id.replace("-", "")
        else:
            out["transactionId"] = t.id
            out["entryReference"] = t.id[:8].upper()
    if t.end_to_end_id:
        out["endToEndId"] = t.end_to_end_id
    party = "creditor" if t.amount < 0 else "debtor"
    out[f"{party}Name"] = t.counterparty
    if t.counterparty_iban:
        out[f"{party}Account"] = {"iban": t.counterparty_iban}
    if t.card and not t.pending:
        out["remittanceInformationUnstructuredArray"] = [t.description, "Kartenzahlung"]
    else:
        out["remittanceInformationUnstructured"] = t.description
    return out


def _eb_aspsp(bank: DemoBank, country: str) -> dict[str, Any]:
    return {"name": bank.name, "country": country, "logo": bank.logo,
            "psu_types": ["personal", "business"],
            "auth_methods": [{"name": "redirect", "title": "Online banking",
                              "psu_type": "personal", "approach": "REDIRECT",
                              "hidden_method": False}],
            "maximum_consent_validity": bank.consent_days * 86400, "sandbox": None,
            "beta": False, "bic": bank.bic, "required_psu_headers": [], "payments": []}


def _eb_transaction(t: DemoTransaction) -> dict[str, Any]:
    outgoing = t.amount < 0
    lines = [t.description, "Kartenzahlung"] if t.card and not t.pending else [t.description]
    out: dict[str, Any] = {
        "entry_reference": None, "transaction_id": None,
        "transaction_amount": {"currency": t.currency, "amount": f"{abs(t.amount):.2f}"},
        "credit_debit_indicator": "DBIT" if outgoing else "CRDT",
        "status": "PDNG" if t.pending else "BOOK",
        "booking_date": t.booking_date.isoformat() if t.booking_date else None,
        "value_date": t.value_date.isoformat(), "transaction_date": t.value_date.isoformat(),
        "balance_after_transaction": None, "reference_number": t.end_to_end_id,
        "remittance_information": lines,
        "bank_transaction_code": {"description": "Card payment" if t.card else "Transfer",
                                  "code": "PMNT", "sub_code": "CCRD" if t.card else "ESCT"},
        "creditor": None, "creditor_account": None, "debtor": None, "debtor_account": None,
        "note": None,
    }
    if not t.pending:
        out["transaction_id"] = t.id
        out["entry_reference"] = t.id.replace("-", "")[:20].upper()
    party = "creditor" if outgoing else "debtor"
    out[party] = {"name": t.counterparty}
    if t.counterparty_iban:
        out[f"{party}_account"] = {"iban": t.counterparty_iban}
    return out


def _eb_page_key(offset: int, empty: bool = False) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "empty": empty})
                                    .encode()).decode()
