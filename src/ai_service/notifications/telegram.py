"""A small Telegram Bot API client: the four calls this service makes, with typed errors.

The bot token is part of every request URL (`/bot<token>/<method>`), so neither the URL nor the
token ever goes into an exception message or a log line: errors carry Telegram's `description`
(which never repeats the token) or an exception class name, and are raised `from None` so a
traceback cannot show the httpx exception that holds the request.
"""

from __future__ import annotations

import html
from typing import Any

import httpx
import orjson

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit for sendMessage text
_MAX_DESCRIPTION = 200


class TelegramError(Exception):
    """A call failed; the message is safe to log and to show."""

    permanent = False  # retrying the same call cannot help

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TelegramUnauthorized(TelegramError):
    """401 (or 404 for a malformed one): the bot token is wrong or was revoked."""

    permanent = True


class TelegramRejected(TelegramError):
    """400/403: chat not found, the bot was blocked or removed, or the request was invalid."""

    permanent = True


class TelegramRateLimited(TelegramError):
    """429: Telegram asks to wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class TelegramUnavailable(TelegramError):
    """Network trouble, a timeout or a 5xx: worth retrying later."""


def escape(text: str) -> str:
    """Text for a message sent with parse_mode HTML."""
    return html.escape(text, quote=False)


def fit(text: str, budget: int) -> str:
    """`text` escaped for HTML in at most `budget` characters, cut with an ellipsis between
    characters (never inside an entity such as &amp;)."""
    escaped = escape(text)
    if len(escaped) <= budget:
        return escaped
    out: list[str] = []
    used = 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > budget - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + "…"


class TelegramClient:
    """One connection pool for every bot token; the token is given with each call."""

    def __init__(self, base_url: str, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def send_message(self, token: str, chat_id: str | int, text: str) -> dict[str, Any]:
        """Send `text`, already HTML (user content escaped with `escape`/`fit`)."""
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ValueError(f"message is {len(text)} characters; Telegram takes "
                             f"{MAX_MESSAGE_LENGTH}")
        result: dict[str, Any] = await self.call(token, "sendMessage", {
            "chat_id": chat_id, "text": text, "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        })
        return result

    async def get_me(self, token: str) -> dict[str, Any]:
        result = await self.call(token, "getMe", {})
        if not isinstance(result, dict):
            raise TelegramUnavailable("Telegram answered getMe without a bot")
        return result

    async def set_webhook(self, token: str, url: str, secret_token: str) -> bool:
        return bool(await self.call(token, "setWebhook", {
            "url": url, "secret_token": secret_token, "allowed_updates": ["message"],
        }))

    async def delete_webhook(self, token: str) -> bool:
        return bool(await self.call(token, "deleteWebhook", {}))

    async def call(self, token: str, method: str, payload: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(f"/bot{token}/{method}", json=payload)
        except httpx.TimeoutException as exc:
            raise TelegramUnavailable(f"Telegram did not answer in time ({type(exc).__name__})"
                                      ) from None
        except httpx.HTTPError as exc:
            raise TelegramUnavailable(f"Telegram cannot be reached ({type(exc).__name__})"
                                      ) from None
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        if status == 200 and body.get("ok") is True:
            return body.get("result")
        description = _description(body, token) or f"HTTP {status}"
        if status in (401, 404):  # 404: a malformed token names no bot at all
            raise TelegramUnauthorized(f"Telegram rejected the bot token ({description})",
                                       status=status)
        if status == 429:
            parameters = body.get("parameters")
            retry = parameters.get("retry_after") if isinstance(parameters, dict) else None
            seconds = retry if isinstance(retry, int) and retry > 0 else 5
            raise TelegramRateLimited(f"Telegram asks to wait {seconds}s ({description})",
                                      retry_after=seconds)
        if status in (400, 403):
            raise TelegramRejected(f"Telegram refused {method}: {description}", status=status)
        raise TelegramUnavailable(f"Telegram failed {method}: {description}", status=status)


def _description(body: dict[str, Any], token: str) -> str:
    description = body.get("description")
    if not isinstance(description, str):
        return ""
    # Telegram does not echo the token, but a proxy in between might.
    return description.replace(token, "[redacted]")[:_MAX_DESCRIPTION]
