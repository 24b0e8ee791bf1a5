"""Expected failures. Services raise these; the GraphQL layer turns them into errors whose
`extensions.code` clients can act on. Anything else is a bug and is masked."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions = extensions


class Unauthenticated(AppError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Authentication required", **extensions: Any) -> None:
        super().__init__(message, **extensions)


class Forbidden(AppError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "You are not allowed to do this", **extensions: Any) -> None:
        super().__init__(message, **extensions)


class BadUserInput(AppError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None, **extensions: Any) -> None:
        if field:
            extensions["field"] = field
        super().__init__(message, **extensions)
        self.field = field


class NotFound(AppError):
    code = "NOT_FOUND"


class Conflict(AppError):
    code = "CONFLICT"


class RateLimited(AppError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retryAfter=retry_after)
        self.retry_after = retry_after


class IntegrationNotConfigured(AppError):
    """A feature needs a provider nobody has configured: says which, and where to do it."""

    code = "INTEGRATION_NOT_CONFIGURED"

    def __init__(self, message: str, *, providers: list[str]) -> None:
        super().__init__(message, providers=providers)
        self.providers = providers


class IntegrationUnavailable(AppError):
    """The provider is configured but cannot be used now: its key is gone, or it failed."""

    code = "INTEGRATION_UNAVAILABLE"

    def __init__(self, message: str, *, provider: str, **extensions: Any) -> None:
        super().__init__(message, provider=provider, **extensions)
        self.provider = provider
