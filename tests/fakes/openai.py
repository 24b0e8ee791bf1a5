"""OpenAI's API as the SDK sees it (base_url {server}/openai/v1): models, chat completions
(text, JSON modes, forced tools, canned replies) and embeddings (deterministic per text)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import struct
import time
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .json_schema import example_for
from .llm import echo, text_of, tokens
from .recording import Failure, ProviderFake, RecordedRequest

OPENAI_KEY = "sk-proj-fake0penaiTestKey0123456789abcdefghijklmnopqrstuvwxyzAB"
OPENAI_ORG = "org-fakeTestOrg123"

_MODELS = {
    "gpt-4.1": 1744316542, "gpt-4.1-mini": 1744318173, "gpt-4.1-nano": 1744321707,
    "gpt-4o": 1715367049, "gpt-4o-mini": 1721172741, "gpt-5": 1754425777,
    "gpt-5-mini": 1754425928, "o4-mini": 1744225351,
    "text-embedding-3-small": 1705948997, "text-embedding-3-large": 1705953180,
    "text-embedding-ada-002": 1671217299,
}
_EMBEDDING_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
                         "text-embedding-ada-002": 1536}


class OpenAIFake(ProviderFake):
    name = "openai"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._model, methods=["GET"]),
            Route("/v1/chat/completions", self._chat, methods=["POST"]),
            Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            Route("/{rest:path}", self._unknown, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        ]

    async def _answer(self, request: Request,
                      handle: Callable[[RecordedRequest], Response]) -> Response:
        recorded, failure = await self.enter(request)
        if failure:
            response = _failure(failure)
        elif (problem := _auth(recorded)) is not None:
            response = problem
        else:
            response = handle(recorded)
        response.headers["x-request-id"] = f"req_{uuid.uuid4().hex}"
        return response

    async def _models(self, request: Request) -> Response:
        return await self._answer(request, lambda r: JSONResponse(
            {"object": "list", "data": [_model_object(m) for m in _MODELS]}))

    async def _model(self, request: Request) -> Response:
        model = request.path_params["model"]

        def handle(recorded: RecordedRequest) -> Response:
            if model not in _MODELS:
                return _model_not_found(model)
            return JSONResponse(_model_object(model))

        return await self._answer(request, handle)

    async def _chat(self, request: Request) -> Response:
        return await self._answer(request, self._chat_answer)

    def _chat_answer(self, recorded: RecordedRequest) -> Response:
        body = recorded.json
        if not isinstance(body, dict):
            return _error(400, "We could not parse the JSON body of your request.",
                          "invalid_request_error")
        model, messages = body.get("model"), body.get("messages")
        if not model:
            return _error(400, "you must provide a model parameter", "invalid_request_error")
        if model not in _MODELS or model.startswith("text-embedding"):
            return _model_not_found(model)
        if not isinstance(messages, list) or not messages:
            return _error(400, "[] is too short - 'messages'", "invalid_request_error",
                          param="messages", code="empty_array")
        if body.get("stream"):
            return _error(400, "stream is not supported by the fake provider",
                          "invalid_request_error", param="stream")
        prompt = "\n".join(text_of(m.get("content")) for m in messages if isinstance(m, dict))
        response_format = body.get("response_format") or {}
        if (response_format.get("type") == "json_object"
                and "json" not in prompt.lower()):
            return _error(400, "'messages' must contain the word 'json' in some form, to "
                          "use 'response_format' of type 'json_object'.",
                          "invalid_request_error", param="messages")
        choices = [self._choice(i, body, prompt) for i in range(int(body.get("n") or 1))]
        completion_tokens = sum(tokens(c["message"]["content"] or json.dumps(
            c["message"].get("tool_calls"))) for c in choices)
        prompt_tokens = tokens(prompt)
        return JSONResponse({
            "id": self.new_id("chatcmpl-"), "object": "chat.completion",
            "created": int(time.time()), "model": model, "system_fingerprint": "fp_fake0000",
            "choices": choices, "service_tier": "default",
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens,
                      "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                    "accepted_prediction_tokens": 0,
                                                    "rejected_prediction_tokens": 0}},
        })

    def _choice(self, index: int, body: dict[str, Any], prompt: str) -> dict[str, Any]:
        has_reply, canned = self.next_reply()
        tool = _forced_tool(body)
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None,
                                   "annotations": []}
        if tool is not None:
            arguments = canned if has_reply else example_for(tool.get("parameters") or {})
            message["tool_calls"] = [{
                "id": self.new_id("call_"), "type": "function",
                "function": {"name": tool["name"], "arguments": json.dumps(arguments)},
            }]
            finish = "tool_calls"
        else:
            message["content"] = _content(body.get("response_format") or {}, prompt,
                                          has_reply, canned)
            finish = "stop"
        return {"index": index, "message": message, "logprobs": None, "finish_reason": finish}

    async def _embeddings(self, request: Request) -> Response:
        return await self._answer(request, _embeddings_answer)

    async def _unknown(self, request: Request) -> Response:
        return await self._answer(request, lambda r: _error(
            404, f"Invalid URL ({r.method} {r.path})", "invalid_request_error"))


# --------------------------------------------------------------------------- shapes


def _error(status: int, message: str, type_: str, *, param: str | None = None,
           code: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": type_, "param": param,
                                   "code": code}}, status_code=status, headers=headers)


def _auth(recorded: RecordedRequest) -> Response | None:
    scheme, _, key = recorded.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return _error(401, "You didn't provide an API key. You need to provide your API "
                      "key in an Authorization header using Bearer auth (i.e. "
                      "Authorization: Bearer YOUR_KEY).", "invalid_request_error")
    if key != OPENAI_KEY:
        # The real message echoes part of the key: callers must not show it as it is.
        shown = f"{key[:8]}{'*' * max(0, len(key) - 12)}{key[-4:]}"
        return _error(401, f"Incorrect API key provided: {shown}. You can find your API "
                      "key at https://platform.openai.com/account/api-keys.",
                      "invalid_request_error", code="invalid_api_key")
    organization = recorded.headers.get("openai-organization")
    if organization is not None and organization != OPENAI_ORG:
        return _error(401, "OpenAI-Organization header should match organization for "
                      "API key", "invalid_request_error", code="mismatched_organization")
    return None


def _failure(failure: Failure) -> Response:
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    status = failure.status
    if status == 401:
        return _error(401, "Incorrect API key provided: sk-proj-****XXXX.",
                      "invalid_request_error", code="invalid_api_key", headers=headers)
    if status == 403:
        return _error(403, "You are not allowed to sample from this model",
                      "invalid_request_error", code="model_not_allowed", headers=headers)
    if status == 429:
        return _error(429, "Rate limit reached for requests. Please try again later.",
                      "requests", code="rate_limit_exceeded", headers=headers)
    if status == 503:
        return _error(503, "The engine is currently overloaded, please try again later",
                      "server_error", headers=headers)
    if status >= 500:
        return _error(status, "The server had an error while processing your request. "
                      "Sorry about that!", "server_error", headers=headers)
    return _error(status, "Invalid request", "invalid_request_error", headers=headers)


def _model_object(model: str) -> dict[str, Any]:
    return {"id": model, "object": "model", "created": _MODELS[model], "owned_by": "system"}


def _model_not_found(model: str) -> Response:
    return _error(404, f"The model `{model}` does not exist or you do not have access to "
                  "it.", "invalid_request_error", code="model_not_found")


def _forced_tool(body: dict[str, Any]) -> dict[str, Any] | None:
    """The function a request forces (tool_choice "required" or a named function), if any."""
    tools = [t.get("function") or {} for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice")
    if not tools or choice in (None, "auto", "none"):
        return None
    if choice == "required":
        return tools[0]
    name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
    return next((t for t in tools if t.get("name") == name), None)


def _content(response_format: dict[str, Any], prompt: str, has_reply: bool,
             canned: Any) -> str:
    kind = response_format.get("type")
    if has_reply:
        return canned if isinstance(canned, str) else json.dumps(canned)
    if kind == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        return json.dumps(example_for(schema))
    if kind == "json_object":
        return json.dumps({"answer": echo(prompt)})
    return echo(prompt)


def _embedding(model: str, text: str, dimensions: int) -> list[float]:
    """Deterministic per (model, text), unit length as OpenAI's embeddings are."""
    seed = int.from_bytes(hashlib.sha256(f"{model}\x00{text}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    vector = [rng.gauss(0, 1) for _ in range(dimensions)]
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


def _embeddings_answer(recorded: RecordedRequest) -> Response:
    body = recorded.json if isinstance(recorded.json, dict) else {}
    model, raw = body.get("model"), body.get("input")
    if model not in _EMBEDDING_DIMENSIONS:
        return _model_not_found(str(model))
    inputs = _embedding_inputs(raw)
    if inputs is None:
        return _error(400, "'$.input' is invalid. Please check the API reference: "
                      "https://platform.openai.com/docs/api-reference.", "invalid_request_error")
    dimensions = body.get("dimensions") or _EMBEDDING_DIMENSIONS[model]
    if body.get("dimensions") and model == "text-embedding-ada-002":
        return _error(400, "This model does not support specifying dimensions.",
                      "invalid_request_error", param="dimensions")
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        return _error(400, f"'{encoding}' is not one of ['float', 'base64'] - "
                      "'encoding_format'", "invalid_request_error", param="encoding_format")
    data = []
    for index, text in enumerate(inputs):
        vector = _embedding(model, text, int(dimensions))
        value: Any = vector
        if encoding == "base64":  # little-endian float32, what the SDK decodes
            value = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": value})
    used = sum(tokens(t) for t in inputs)
    return JSONResponse({"object": "list", "data": data, "model": model,
                         "usage": {"prompt_tokens": used, "total_tokens": used}})


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
