"""Anthropic's API as the SDK sees it (base_url {server}/anthropic): models (paged, aliases)
and messages (text, structured output, forced tools, canned replies)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .json_schema import example_for
from .llm import echo, text_of, tokens
from .recording import Failure, ProviderFake, RecordedRequest

ANTHROPIC_KEY = "sk-ant-api03-fakeAnthropicTestKey0123456789abcdefghijklmnopqrstuvwxyz-AAAA"

_MODELS = [  # newest first, as the API lists them
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
    ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
    ("claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"),
    ("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"),
    ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z"),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
]


def _model_id(name: str) -> str | None:
    """The dated id for a model name or alias (claude-sonnet-4-5, claude-3-5-haiku-latest)."""
    for model_id, _, _ in _MODELS:
        alias = model_id.rsplit("-", 1)[0]
        if name in (model_id, alias, f"{alias}-latest"):
            return model_id
    return None


class AnthropicFake(ProviderFake):
    name = "anthropic"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/v1/models", self._models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._model, methods=["GET"]),
            Route("/v1/messages", self._messages, methods=["POST"]),
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
        response.headers["request-id"] = f"req_{uuid.uuid4().hex[:24]}"
        return response

    async def _models(self, request: Request) -> Response:
        return await self._answer(request, _models_page)

    async def _model(self, request: Request) -> Response:
        def handle(recorded: RecordedRequest) -> Response:
            model_id = _model_id(request.path_params["model"])
            if model_id is None:
                return _error(404, "not_found_error", f"model: {request.path_params['model']}")
            return JSONResponse(next(_model_object(m) for m in _MODELS if m[0] == model_id))

        return await self._answer(request, handle)

    async def _messages(self, request: Request) -> Response:
        return await self._answer(request, self._message)

    def _message(self, recorded: RecordedRequest) -> Response:
        body = recorded.json
        if not isinstance(body, dict):
            return _error(400, "invalid_request_error", "Invalid JSON body")
        if (problem := _invalid(body)) is not None:
            return problem
        model_id = _model_id(body["model"])
        if model_id is None:
            return _error(404, "not_found_error", f"model: {body['model']}")
        tool, problem = _forced_tool(body)
        if problem is not None:
            return problem
        has_reply, canned = self.next_reply()
        prompt = text_of(body.get("system")) + "\n" + "\n".join(
            text_of(m.get("content")) for m in body["messages"])
        if tool is not None:
            tool_input = canned if has_reply else example_for(tool.get("input_schema") or {})
            content = [{"type": "tool_use", "id": self.new_id("toolu_"), "name": tool["name"],
                        "input": tool_input}]
            stop_reason, produced = "tool_use", json.dumps(tool_input)
        else:
            output_format = (body.get("output_config") or {}).get("format") or {}
            produced = _text(output_format, prompt, has_reply, canned)
            content = [{"type": "text", "text": produced}]
            stop_reason = "end_turn"
        return JSONResponse({
            "id": self.new_id("msg_"), "type": "message", "role": "assistant", "model": model_id,
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": tokens(prompt), "output_tokens": tokens(produced),
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                      "service_tier": "standard"},
        })

    async def _unknown(self, request: Request) -> Response:
        return await self._answer(request, lambda r: _error(404, "not_found_error", "Not Found"))


# --------------------------------------------------------------------------- shapes


def _error(status: int, type_: str, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"type": "error", "error": {"type": type_, "message": message},
                         "request_id": f"req_{uuid.uuid4().hex[:24]}"},
                        status_code=status, headers=headers)


def _auth(recorded: RecordedRequest) -> Response | None:
    key = recorded.headers.get("x-api-key")
    if not key:
        return _error(401, "authentication_error", "x-api-key header is required")
    if key != ANTHROPIC_KEY:
        return _error(401, "authentication_error", "invalid x-api-key")
    if not recorded.headers.get("anthropic-version"):
        return _error(400, "invalid_request_error", "anthropic-version: header is required")
    if recorded.headers["anthropic-version"] not in ("2023-06-01", "2023-01-01"):
        return _error(400, "invalid_request_error",
                      f"anthropic-version: invalid version "
                      f"{recorded.headers['anthropic-version']!r}")
    return None


_FAILURES = {
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


def _failure(failure: Failure) -> Response:
    type_, message = _FAILURES.get(
        failure.status, ("api_error", "Internal server error") if failure.status >= 500
        else ("invalid_request_error", "Invalid request"))
    headers = {"retry-after": str(failure.retry_after)} if failure.retry_after else None
    return _error(failure.status, type_, message, headers)


def _models_page(recorded: RecordedRequest) -> Response:
    try:
        limit = int(recorded.query.get("limit", "20"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 1000:
        return _error(400, "invalid_request_error", "limit: Input should be between 1 and 1000")
    ids = [m[0] for m in _MODELS]
    start, end = 0, len(ids)
    if "after_id" in recorded.query and recorded.query["after_id"] in ids:
        start = ids.index(recorded.query["after_id"]) + 1
    if "before_id" in recorded.query and recorded.query["before_id"] in ids:
        end = ids.index(recorded.query["before_id"])
        start = max(start, end - limit)
    page = _MODELS[start:min(end, start + limit)]
    return JSONResponse({"data": [_model_object(m) for m in page],
                         "has_more": start + len(page) < end,
                         "first_id": page[0][0] if page else None,
                         "last_id": page[-1][0] if page else None})


def _model_object(model: tuple[str, str, str]) -> dict[str, Any]:
    return {"type": "model", "id": model[0], "display_name": model[1], "created_at": model[2]}


def _invalid(body: dict[str, Any]) -> Response | None:
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return _error(400, "invalid_request_error", f"{name}: Field required")
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return _error(400, "invalid_request_error",
                      "max_tokens: Input should be greater than or equal to 1")
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return _error(400, "invalid_request_error", "messages: at least one message is required")
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "system":
            return _error(400, "invalid_request_error",
                          'messages: Unexpected role "system". The Messages API accepts a '
                          "top-level `system` parameter, not \"system\" as an input message "
                          "role.")
        if role not in ("user", "assistant"):
            return _error(400, "invalid_request_error",
                          f"messages: Input tag '{role}' found using 'role' does not match any "
                          "of the expected tags: 'user', 'assistant'")
    if body.get("stream"):
        return _error(400, "invalid_request_error", "stream: not supported by the fake provider")
    return None


def _forced_tool(body: dict[str, Any]) -> tuple[dict[str, Any] | None, Response | None]:
    tools = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    choice = body.get("tool_choice") or {}
    kind = choice.get("type")
    if kind in (None, "auto", "none"):
        return None, None
    if not tools:
        return None, _error(400, "invalid_request_error",
                            "tool_choice: tool_choice may only be specified while providing "
                            "tools.")
    if kind == "any":
        return tools[0], None
    tool = next((t for t in tools if t.get("name") == choice.get("name")), None)
    if tool is None:
        return None, _error(400, "invalid_request_error",
                            f"tool_choice: Tool '{choice.get('name')}' not found in provided "
                            "tools")
    return tool, None


def _text(output_format: dict[str, Any], prompt: str, has_reply: bool, canned: Any) -> str:
    if has_reply:
        return canned if isinstance(canned, str) else json.dumps(canned)
    if output_format.get("type") == "json_schema":
        return json.dumps(example_for(output_format.get("schema") or {}))
    return echo(prompt)
