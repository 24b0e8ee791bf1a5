"""`POST /api/telegram/webhook`: the global bot's updates, answered in the response body.

Telegram sends back the secret_token given to setWebhook in X-Telegram-Bot-Api-Secret-Token;
anything else gets 403, whether or not Telegram is configured at all, so the route reveals
nothing. Replies are the webhook response itself (`{"method": "sendMessage", ...}`, which the
Bot API documents), so answering needs no outbound call. Only the configured chat is answered.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ai_service.integrations.service import IntegrationConfig
from ai_service.notifications.commands import CommandContext, parse_command
from ai_service.notifications.telegram import MAX_MESSAGE_LENGTH, escape

if TYPE_CHECKING:
    from ai_service.services import Services

log = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 - a header name
MAX_UPDATE_BYTES = 256 * 1024  # a text message update is a few KB


class _TooLarge(Exception):
    pass


async def telegram_webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    notifier = services.notifier
    given = request.headers.get(SECRET_HEADER)
    if not given:
        return _forbidden()
    config = await notifier.webhook_config()
    if config is None or not hmac.compare_digest(given.encode(),
                                                 notifier.webhook_secret(config).encode()):
        return _forbidden()
    try:
        body = await _read(request)
    except _TooLarge:
        return JSONResponse({"error": "update too large"}, status_code=413)
    try:
        update = orjson.loads(body)
    except orjson.JSONDecodeError:
        return JSONResponse({"error": "not JSON"}, status_code=400)
    reply = await answer(services, config, update) if isinstance(update, dict) else None
    # 200 even when ignored: anything else makes Telegram send the update again.
    return JSONResponse(reply) if reply else Response(status_code=200)


async def answer(services: Services, config: IntegrationConfig, update: Mapping[str, Any]
                 ) -> dict[str, Any] | None:
    """The sendMessage call answering this update, or None to ignore it."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    if not isinstance(chat, dict) or not _is_configured_chat(chat, config["chatId"]):
        log.info("Telegram update from another chat ignored")
        return None
    text = message.get("text")
    text = text.strip() if isinstance(text, str) else ""
    registry = services.notifier.commands
    parsed = parse_command(text)
    command = registry.get(parsed[0]) if parsed else None
    if command is None:
        reply = registry.help_text(unknown=f"/{parsed[0]}" if parsed else "")
    else:
        ctx = CommandContext(command.name, parsed[1] if parsed else "", chat["id"], message)
        try:
            reply = await command.handler(ctx)
        except Exception:
            log.exception("bot command failed", extra={"command": command.name})
            reply = f"Sorry, /{escape(command.name)} failed. The server log has the details."
        if len(reply) > MAX_MESSAGE_LENGTH:
            log.warning("bot reply too long", extra={"command": command.name})
            reply = f"The answer to /{escape(command.name)} is too long for Telegram."
    return {"method": "sendMessage", "chat_id": chat["id"], "text": reply,
            "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}


def _is_configured_chat(chat: Mapping[str, Any], configured: str) -> bool:
    if configured.startswith("@"):  # a channel or group given by its public name
        username = chat.get("username")
        return isinstance(username, str) and f"@{username}".lower() == configured.lower()
    return str(chat.get("id")) == configured


async def _read(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPDATE_BYTES):
        raise _TooLarge
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPDATE_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _forbidden() -> JSONResponse:
    return JSONResponse({"error": "forbidden"}, status_code=403)
