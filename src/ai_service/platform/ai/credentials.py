"""What the gateway needs of the integrations vault, as protocols: the composition root hands it
the vault (`IntegrationService` fits), so this package never imports a domain. Providers are
named by their string value, which both enums share."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Protocol


class AiProvider(StrEnum):
    """The model providers; the values are the integrations vault's provider names."""

    OPENAI = "OPENAI"
    ANTHROPIC = "ANTHROPIC"


LABELS = {AiProvider.OPENAI: "OpenAI", AiProvider.ANTHROPIC: "Claude (Anthropic)"}


class ProviderCredentials(Protocol):
    """One configured provider: its values (key, models, base URL) with secrets opened."""

    @property
    def id(self) -> int: ...

    @property
    def provider(self) -> str: ...

    def get(self, name: str) -> str | None: ...

    def __getitem__(self, name: str) -> str: ...

    def scrub(self, text: str) -> str:
        """The text with every secret replaced, for errors and logs."""
        ...


class CredentialSource(Protocol):
    async def find(self, provider: str, user_id: int | None) -> ProviderCredentials | None:
        """What applies to this user (None: the instance); None when not configured. Raises
        IntegrationUnavailable when configured but its secrets do not open."""
        ...

    async def configured(self, user_id: int | None) -> Collection[str]: ...
