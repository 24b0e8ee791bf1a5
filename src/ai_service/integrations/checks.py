"""Connection tests: one real call per provider through its real client.

Nothing is retried (a test should say what the provider answers now), everything is bounded by
INTEGRATION_TIMEOUT_SECONDS, and every message is written for the user: it names the provider and
what went wrong, never a credential or a URL that carries one (the Telegram token is in the path).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import anthropic
import httpx
import jwt
import openai

from ai_service.config import Settings
from ai_service.integrations.providers import PROVIDERS, Provider
from ai_service.integrations.service import Checker, CheckResult, IntegrationConfig

ENABLE_BANKING_TOKEN_SECONDS = 3600  # Enable Banking accepts up to 86 400
_DATED = re.compile(r"-\d{8}$")


class _HttpStatus(Exception):
    """A provider answered an error status; turned into a message by `_explain`."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


_Check = Callable[[Settings, IntegrationConfig], Awaitable[CheckResult]]


def make_checker(settings: Settings) -> Checker:
    async def check(config: IntegrationConfig) -> CheckResult:
        label = PROVIDERS[config.provider].label
        seconds = settings.integration_timeout_seconds
        try:
            # The clients bound each request; this bounds the whole test (Telegram makes two).
            async with asyncio.timeout(seconds):
                return await _CHECKS[config.provider](settings, config)
        except (TimeoutError, openai.APIError, anthropic.APIError, httpx.HTTPError,
                _HttpStatus) as exc:
            return CheckResult(False, _explain(label, exc, seconds, _host(settings,
                                                                          config.provider)))

    return check


# --------------------------------------------------------------------------- failures


def _explain(label: str, exc: Exception, seconds: float, host: str) -> str:
    timeouts = (TimeoutError, openai.APITimeoutError, anthropic.APITimeoutError,
                httpx.TimeoutException)
    if isinstance(exc, timeouts):
        return f"{label}: no answer within {seconds:g}s"
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError
                  | httpx.TransportError):
        return f"{label}: could not reach {host}"
    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        return _status_message(label, exc.status_code)
    if isinstance(exc, _HttpStatus):
        return _status_message(label, exc.status)
    # An SDK error without a status (a response it could not parse): its text may quote the
    # request, so only the type is shown.
    return f"{label}: unexpected answer ({type(exc).__name__})"


def _status_message(label: str, status: int) -> str:
    if status in (401, 403):
        return f"{label} rejected the credentials ({status})"
    if status == 429:
        return f"{label} is rate-limiting requests (429); try again later"
    return f"{label} answered {status}"


def _host(settings: Settings, provider: Provider) -> str:
    url = {
        Provider.OPENAI: settings.openai_base_url or "https://api.openai.com",
        Provider.ANTHROPIC: settings.anthropic_base_url or "https://api.anthropic.com",
        Provider.TELEGRAM: settings.telegram_api_url,
        Provider.GOCARDLESS: settings.gocardless_api_url,
        Provider.ENABLE_BANKING: settings.enable_banking_api_url,
    }[provider]
    return urlsplit(url).netloc.rpartition("@")[2]  # never user:password@ from a proxy URL


def _json(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer, or {} (a proxy in front may answer HTML)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        raise _HttpStatus(response.status_code)


# --------------------------------------------------------------------------- model providers


async def _check_openai(settings: Settings, config: IntegrationConfig) -> CheckResult:
    async with openai.AsyncOpenAI(
        api_key=config["apiKey"], organization=config.get("organization"),
        base_url=settings.openai_base_url, timeout=settings.integration_timeout_seconds,
        max_retries=0,
    ) as client:
        page = await client.models.list()
    available = {model.id for model in page.data}
    details = {"models": str(len(available))}
    for name in ("chatModel", "embeddingModel"):
        if (model := config.get(name)) and model not in available:
            details[name] = f"{model} is not among the models this key can use"
    return CheckResult(True, details=details)


async def _check_anthropic(settings: Settings, config: IntegrationConfig) -> CheckResult:
    async with anthropic.AsyncAnthropic(
        api_key=config["apiKey"], base_url=settings.anthropic_base_url,
        timeout=settings.integration_timeout_seconds, max_retries=0,
    ) as client:
        page = await client.models.list(limit=1000)
    # The list has dated ids (claude-sonnet-4-5-20250929); the setting is often the alias.
    available = {model.id for model in page.data} | {_DATED.sub("", m.id) for m in page.data}
    details = {"models": str(len(page.data))}
    model = config.get("model")
    if model and model.removesuffix("-latest") not in available:
        details["model"] = f"{model} is not among the models this key can use"
    return CheckResult(True, details=details)


# --------------------------------------------------------------------------- Telegram


async def _check_telegram(settings: Settings, config: IntegrationConfig) -> CheckResult:
    base = f"{settings.telegram_api_url}/bot{config['botToken']}"
    chat_id = config["chatId"]
    async with httpx.AsyncClient(timeout=settings.integration_timeout_seconds) as client:
        me = await client.get(f"{base}/getMe")
        if me.status_code == 404:  # the Bot API's answer to a token it cannot parse
            return CheckResult(False, "Telegram rejected the credentials (404)")
        _raise_for_status(me)
        chat = await client.post(f"{base}/getChat", json={"chat_id": chat_id})
    bot = _json(me).get("result") or {}
    details = {"bot": f"@{bot.get('username', '?')}"}
    if chat.status_code in (400, 403):  # the token is fine (getMe worked); the chat is not
        reason = str(_json(chat).get("description") or f"error {chat.status_code}")[:200]
        return CheckResult(False, f"Telegram: the bot cannot reach chat {chat_id} ({reason}); "
                                  "send the bot a message or add it to the group first",
                           details)
    _raise_for_status(chat)
    found = _json(chat).get("result") or {}
    details["chat"] = str(found.get("title") or found.get("username")
                          or found.get("first_name") or chat_id)
    return CheckResult(True, details=details)


# --------------------------------------------------------------------------- banks


async def _check_gocardless(settings: Settings, config: IntegrationConfig) -> CheckResult:
    async with httpx.AsyncClient(timeout=settings.integration_timeout_seconds) as client:
        response = await client.post(
            f"{settings.gocardless_api_url}/api/v2/token/new/",
            json={"secret_id": config["secretId"], "secret_key": config["secretKey"]},
        )
    _raise_for_status(response)
    body = _json(response)
    if not body.get("access"):
        return CheckResult(False, "GoCardless Bank Account Data answered without an access "
                                  "token")
    return CheckResult(True, details={"accessExpiresSeconds": str(body.get("access_expires"))})


def enable_banking_jwt(config: IntegrationConfig, now: float | None = None) -> str:
    """The RS256 token Enable Banking wants on every request: signed with the application's
    private key, its id as `kid`."""
    issued = int(time.time() if now is None else now)
    return jwt.encode(
        {"iss": "enablebanking.com", "aud": "api.enablebanking.com", "iat": issued,
         "exp": issued + ENABLE_BANKING_TOKEN_SECONDS},
        config["privateKey"], algorithm="RS256",
        headers={"typ": "JWT", "alg": "RS256", "kid": config["applicationId"]},
    )


async def _check_enable_banking(settings: Settings, config: IntegrationConfig) -> CheckResult:
    try:
        token = enable_banking_jwt(config)
    except (ValueError, TypeError, jwt.PyJWTError):
        return CheckResult(False, "Enable Banking: the private key cannot sign requests; "
                                  "enter it again")
    async with httpx.AsyncClient(timeout=settings.integration_timeout_seconds) as client:
        response = await client.get(f"{settings.enable_banking_api_url}/application",
                                    headers={"Authorization": f"Bearer {token}"})
    _raise_for_status(response)
    app = _json(response)
    registered = str(app.get("environment") or "?").upper()
    details = {"application": str(app.get("name") or "?"), "environment": registered,
               "countries": ", ".join(app.get("countries") or [])}
    configured = config.get("environment") or "production"
    if registered != configured.upper():
        return CheckResult(False, f"Enable Banking: the application is registered for "
                                  f"{registered}, but this integration is set to {configured}",
                           details)
    if app.get("active") is not True:
        return CheckResult(False, "Enable Banking: the application is not active yet; "
                                  "activate it in the Enable Banking control panel", details)
    return CheckResult(True, details=details)


_CHECKS: dict[Provider, _Check] = {
    Provider.OPENAI: _check_openai,
    Provider.ANTHROPIC: _check_anthropic,
    Provider.TELEGRAM: _check_telegram,
    Provider.GOCARDLESS: _check_gocardless,
    Provider.ENABLE_BANKING: _check_enable_banking,
}
