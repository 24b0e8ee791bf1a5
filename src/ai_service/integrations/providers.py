"""The providers a user can connect, and the fields each one takes.

Clients build their forms from this catalogue (`integrationProviders`), and every value that comes
in is checked here, so the rest of the code only ever sees valid, normalised values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ai_service.core.errors import BadUserInput


class Provider(StrEnum):
    OPENAI = "OPENAI"
    ANTHROPIC = "ANTHROPIC"
    GOCARDLESS = "GOCARDLESS"
    ENABLE_BANKING = "ENABLE_BANKING"
    TELEGRAM = "TELEGRAM"


class FieldKind(StrEnum):
    TEXT = "TEXT"
    SECRET = "SECRET"  # noqa: S105 - a field kind, not a password
    INTEGER = "INTEGER"
    BOOLEAN = "BOOLEAN"
    CHOICE = "CHOICE"
    PEM = "PEM"


MAX_VALUE_LENGTH = 16_384  # a 4096-bit RSA key in PEM is about 3.3 KB


def _text(pattern: str, hint: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(hint)
        return value

    return check


def _integer(low: int, high: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return str(number)

    return check


def _boolean(value: str) -> str:
    lowered = value.lower()
    if lowered in {"true", "1", "yes", "on"}:
        return "true"
    if lowered in {"false", "0", "no", "off"}:
        return "false"
    raise ValueError("must be true or false")


def _private_key(value: str) -> str:
    """An RSA private key in PEM: Enable Banking signs request tokens with it (RS256)."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    text = value.strip().replace("\r\n", "\n")
    try:
        key = load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("must be an unencrypted private key in PEM format "
                         "(-----BEGIN PRIVATE KEY-----)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("must be an RSA private key (Enable Banking signs with RS256)")
    if key.key_size < 2048:
        raise ValueError("must be an RSA key of at least 2048 bits")
    return text + "\n"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    default: str | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    check: Callable[[str], str] | None = field(default=None, compare=False)

    @property
    def secret(self) -> bool:
        return self.kind in {FieldKind.SECRET, FieldKind.PEM}

    def clean(self, value: str) -> str:
        """The normalised value, or BadUserInput naming the field (never echoing a secret)."""
        value = value if self.kind is FieldKind.PEM else value.strip()
        try:
            if len(value) > MAX_VALUE_LENGTH:
                raise ValueError(f"is longer than {MAX_VALUE_LENGTH} characters")
            if any(ord(c) < 32 for c in value) and self.kind is not FieldKind.PEM:
                raise ValueError("must not contain control characters")
            if self.kind is FieldKind.BOOLEAN:
                value = _boolean(value)
            elif self.kind is FieldKind.CHOICE:
                if value.lower() not in self.choices:
                    raise ValueError(f"must be one of {', '.join(self.choices)}")
                value = value.lower()
            elif self.kind is FieldKind.PEM:
                value = _private_key(value)
            if self.check is not None:
                value = self.check(value)
        except ValueError as exc:
            raise BadUserInput(f"{self.label} ({self.name}) {exc}", field=self.name) from None
        return value


@dataclass(frozen=True)
class ProviderSpec:
    provider: Provider
    label: str
    description: str
    fields: tuple[FieldSpec, ...]
    docs_url: str
    notice: str | None = None

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)


_MODEL = _text(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}", "must be a model name such as gpt-4.1-mini")
_API_KEY = _text(r"\S{8,512}", "must be 8 to 512 characters without spaces")

PROVIDERS: dict[Provider, ProviderSpec] = {
    spec.provider: spec
    for spec in (
        ProviderSpec(
            Provider.OPENAI, "OpenAI",
            "Chat completions and embeddings (document search, analysis, categorisation).",
            (
                FieldSpec("apiKey", "API key", FieldKind.SECRET, required=True, check=_API_KEY,
                          help="From platform.openai.com → API keys; starts with sk-"),
                FieldSpec("organization", "Organization ID",
                          check=_text(r"[A-Za-z0-9_-]{1,64}", "must be an ID such as org-abc123"),
                          help="Only if your key belongs to several organizations"),
                FieldSpec("chatModel", "Chat model", default="gpt-4.1-mini", check=_MODEL),
                FieldSpec("embeddingModel", "Embedding model", default="text-embedding-3-small",
                          check=_MODEL),
            ),
            "https://platform.openai.com/docs/api-reference",
        ),
        ProviderSpec(
            Provider.ANTHROPIC, "Claude (Anthropic)",
            "Chat completions: summaries, analysis and answers with citations.",
            (
                FieldSpec("apiKey", "API key", FieldKind.SECRET, required=True, check=_API_KEY,
                          help="From console.anthropic.com → API keys; starts with sk-ant-"),
                FieldSpec("model", "Model", default="claude-sonnet-4-5", check=_MODEL),
                FieldSpec("maxTokens", "Maximum output tokens", FieldKind.INTEGER,
                          default="1024", check=_integer(1, 64_000)),
            ),
            "https://docs.anthropic.com/en/api",
        ),
        ProviderSpec(
            Provider.GOCARDLESS, "GoCardless Bank Account Data",
            "Open-banking access to European bank accounts (formerly Nordigen).",
            (
                FieldSpec("secretId", "Secret ID", FieldKind.SECRET, required=True,
                          check=_API_KEY),
                FieldSpec("secretKey", "Secret key", FieldKind.SECRET, required=True,
                          check=_API_KEY),
                FieldSpec("environment", "Environment", FieldKind.CHOICE, default="live",
                          choices=("sandbox", "live"),
                          help="sandbox uses the SANDBOXFINANCE_SFIN0000 test bank"),
            ),
            "https://developer.gocardless.com/bank-account-data/overview",
            notice="GoCardless stopped taking new sign-ups for Bank Account Data in July 2025. "
                   "Existing accounts keep working; new users should connect Enable Banking.",
        ),
        ProviderSpec(
            Provider.ENABLE_BANKING, "Enable Banking",
            "Open-banking access to European bank accounts, for new sign-ups.",
            (
                FieldSpec("applicationId", "Application ID", required=True,
                          check=_text(r"[A-Za-z0-9-]{8,64}", "must be the application's ID "
                                      "(a UUID) from the Enable Banking control panel")),
                FieldSpec("privateKey", "Private key (PEM)", FieldKind.PEM, required=True,
                          help="The RSA key generated with the application; requests are "
                               "signed with it"),
                FieldSpec("environment", "Environment", FieldKind.CHOICE, default="production",
                          choices=("sandbox", "production")),
            ),
            "https://enablebanking.com/docs/api/reference/",
        ),
        ProviderSpec(
            Provider.TELEGRAM, "Telegram",
            "Alerts and a bot that answers /status.",
            (
                FieldSpec("botToken", "Bot token", FieldKind.SECRET, required=True,
                          check=_text(r"\d{3,15}:[A-Za-z0-9_-]{30,64}",
                                      "must look like 123456789:AA... (from @BotFather)")),
                FieldSpec("chatId", "Chat ID", required=True,
                          check=_text(r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}",
                                      "must be a numeric chat ID or an @channel name")),
                FieldSpec("alertsEnabled", "Send alerts", FieldKind.BOOLEAN, default="true"),
            ),
            "https://core.telegram.org/bots/api",
        ),
    )
}


def spec_for(provider: Provider | str) -> ProviderSpec:
    try:
        return PROVIDERS[Provider(provider)]
    except ValueError:
        raise BadUserInput(f"Unknown provider {str(provider)[:40]!r}", field="provider") from None


def mask(value: str) -> str:
    """Enough to recognise a secret, never enough to use it: `sk-…9f2a`."""
    if value.startswith("-----BEGIN"):
        return "PEM private key"
    if len(value) >= 16:
        return f"{value[:3]}…{value[-4:]}"
    return "••••"
