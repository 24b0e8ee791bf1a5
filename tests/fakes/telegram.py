"""Telegram's Bot API ({server}/telegram/bot<token>/<method>): getMe, getChat, sendMessage
(with Telegram's HTML and MarkdownV2 checks), and the webhook methods. Tests read back what
was sent (`messages`, `webhook`) and add chats the bot can reach (`add_chat`)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .recording import Failure, ProviderFake

TELEGRAM_TOKEN = "123456789:AAHfakeTelegramTestToken_012345-xyz"
TELEGRAM_BOT_USERNAME = "fake_ai_service_bot"
TELEGRAM_CHAT_ID = "987654321"

assert len(TELEGRAM_TOKEN.split(":")[1]) == 35


class TelegramFake(ProviderFake):
    name = "telegram"

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/bot{token}/{method}", self._call, methods=["GET", "POST"]),
            Route("/{rest:path}", self._not_found, methods=["GET", "POST"]),
        ]

    def reset(self) -> None:
        """No messages or webhook; the one chat of the test user."""
        super().reset()
        with self._lock:
            self._messages: list[dict[str, Any]] = []
            self._webhook: dict[str, Any] | None = None
            self._chats: dict[str, dict[str, Any]] = {}
        self.add_chat(TELEGRAM_CHAT_ID, type="private", first_name="Test", username="test_user")

    def add_chat(self, chat_id: str | int, type: str = "private", **fields: Any) -> None:
        """A chat the bot can reach; `username` makes it reachable as @username too."""
        chat = {"id": int(chat_id), "type": type, **fields}
        with self._lock:
            self._chats[str(chat_id)] = chat

    @property
    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._messages)

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._lock:
            return self._webhook

    # -- the API ---------------------------------------------------------------------------

    async def _call(self, request: Request) -> Response:
        recorded, failure = await self.enter(request)
        if failure:
            return _failure(failure)
        token = request.path_params["token"]
        if not re.fullmatch(r"\d+:[A-Za-z0-9_-]{35}", token):
            return _error(404, "Not Found")
        if token != TELEGRAM_TOKEN:
            return _error(401, "Unauthorized")
        params = {**recorded.query, **(recorded.form or {}),
                  **(recorded.json if isinstance(recorded.json, dict) else {})}
        method = request.path_params["method"].lower()
        handler = self._methods.get(method)
        if handler is None:
            return _error(404, "Not Found")
        return handler(self, params)

    async def _not_found(self, request: Request) -> Response:
        await self.enter(request)
        return _error(404, "Not Found")

    def _bot(self) -> dict[str, Any]:
        return {"id": int(TELEGRAM_TOKEN.split(":")[0]), "is_bot": True,
                "first_name": "AI Service (fake)", "username": TELEGRAM_BOT_USERNAME}

    def _get_me(self, params: dict[str, Any]) -> Response:
        return _ok({**self._bot(), "can_join_groups": True, "can_read_all_group_messages": False,
                    "supports_inline_queries": False, "can_connect_to_business": False,
                    "has_main_web_app": False})

    def _chat(self, chat_id: Any) -> dict[str, Any] | None:
        key = str(chat_id if chat_id is not None else "").strip()
        with self._lock:
            chats = dict(self._chats)
        if key in chats:
            return chats[key]
        if key.startswith("@"):
            return next((c for c in chats.values()
                         if f"@{c.get('username', '')}".lower() == key.lower()), None)
        return None

    def _get_chat(self, params: dict[str, Any]) -> Response:
        if not params.get("chat_id"):
            return _error(400, "Bad Request: chat_id is empty")
        chat = self._chat(params["chat_id"])
        if chat is None:
            return _error(400, "Bad Request: chat not found")
        return _ok({**chat, "accent_color_id": 0, "max_reaction_count": 11})

    def _send_message(self, params: dict[str, Any]) -> Response:
        if not params.get("chat_id"):
            return _error(400, "Bad Request: chat_id is empty")
        chat = self._chat(params["chat_id"])
        if chat is None:
            return _error(400, "Bad Request: chat not found")
        text = str(params.get("text") or "")
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        if (problem := parse_problem(text, params.get("parse_mode"))) is not None:
            return _error(400, f"Bad Request: can't parse entities: {problem}")
        with self._lock:
            message_id = len(self._messages) + 1
            self._messages.append(
                {**params, "chat_id": str(params["chat_id"]), "message_id": message_id})
        return _ok({"message_id": message_id, "from": self._bot(), "chat": chat,
                    "date": int(time.time()), "text": text})

    def _set_webhook(self, params: dict[str, Any]) -> Response:
        url = str(params.get("url") or "")
        if not url:  # an empty url removes the webhook, as deleteWebhook does
            return self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https":
            return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for "
                               "webhook")
        if (parts.port or 443) not in (80, 88, 443, 8443):
            return _error(400, "Bad Request: bad webhook: Webhook can be set up only on ports "
                               "80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            return _error(400, "Bad Request: secret token contains unallowed characters")
        with self._lock:
            self._webhook = dict(params)
        return _ok(True, "Webhook was set")

    def _delete_webhook(self, params: dict[str, Any]) -> Response:
        with self._lock:
            had = self._webhook is not None
            self._webhook = None
        return _ok(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _get_webhook_info(self, params: dict[str, Any]) -> Response:
        hook = self.webhook or {}
        info: dict[str, Any] = {"url": hook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": 0}
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        return _ok(info)

    _methods: dict[str, Callable[[TelegramFake, dict[str, Any]], Response]] = {
        "getme": _get_me, "getchat": _get_chat, "sendmessage": _send_message,
        "setwebhook": _set_webhook, "deletewebhook": _delete_webhook,
        "getwebhookinfo": _get_webhook_info,
    }


# --------------------------------------------------------------------------- shapes


def _ok(result: Any, description: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def _error(status: int, description: str,
           parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def _failure(failure: Failure) -> Response:
    status = failure.status
    if status == 429:
        seconds = failure.retry_after or 5
        return _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
    if status in (502, 503, 504):  # nginx in front of the Bot API answers these in HTML
        return HTMLResponse(f"<html><head><title>{status} Bad Gateway</title></head><body>"
                            f"<center><h1>{status} Bad Gateway</h1></center><hr>"
                            "<center>nginx/1.18.0</center></body></html>", status_code=status)
    descriptions = {400: "Bad Request: chat not found", 401: "Unauthorized",
                    403: "Forbidden: bot was blocked by the user", 404: "Not Found",
                    409: "Conflict: terminated by other getUpdates request"}
    return _error(status, descriptions.get(status, "Internal Server Error"))


_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
              "a", "code", "pre", "blockquote", "tg-emoji"}


class _TelegramHTML(HTMLParser):
    """Telegram's HTML subset: known tags, properly nested, `<` and `&` escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
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


def parse_problem(text: str, parse_mode: Any) -> str | None:
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
