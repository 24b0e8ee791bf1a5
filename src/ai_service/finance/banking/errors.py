"""What can go wrong with a bank provider, in words a user can act on.

Each message names the provider and says what to do; none quotes a credential, a token or a URL
(the callers put these messages in Telegram notifications and GraphQL errors as they are).
"""

from __future__ import annotations

from datetime import UTC, datetime

from ai_service.core.errors import AppError


class BankError(AppError):
    """A provider call failed; `reason` is a stable machine word for the sync job's bookkeeping."""

    code = "INTEGRATION_UNAVAILABLE"
    reason = "error"

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(message, provider=provider, reason=self.reason)
        self.provider = provider


class BankAuthFailed(BankError):
    """The provider refused our credentials (secret id/key, application key)."""

    reason = "auth_failed"


class ConsentExpired(BankError):
    """The user's consent has lapsed or was revoked: they must link the bank again."""

    reason = "consent_expired"


class ConsentRejected(BankError):
    """The user cancelled or the bank refused the consent."""

    reason = "consent_rejected"


class BankRateLimited(BankError):
    """The bank or the provider allows no more requests until `retry_at`."""

    code = "RATE_LIMITED"
    reason = "rate_limited"

    def __init__(self, message: str, *, provider: str, retry_at: datetime,
                 scope: str | None = None) -> None:
        super().__init__(message, provider=provider)
        self.retry_at = retry_at
        self.scope = scope
        self.extensions["retryAt"] = retry_at.isoformat()
        self.extensions["retryAfter"] = max(0, int((retry_at - datetime.now(UTC))
                                                   .total_seconds()))


class InstitutionError(BankError):
    """The bank itself failed or refused the request (its API is down, the account is blocked)."""

    reason = "institution_error"


class BankUnavailable(BankError):
    """The provider could not be reached, timed out or answered with a server error."""

    reason = "unavailable"


class BankRequestRejected(BankError):
    """The provider refused the request as invalid (a bug or a stale id on our side)."""

    reason = "bad_request"


class InstitutionIdInvalid(ValueError):
    """An institution id of a form the provider cannot have issued: the caller's mistake, found
    before any request."""


def when(moment: datetime) -> str:
    """A retry time as people read it: '14:05 UTC' today, else '3 Mar 14:05 UTC'."""
    moment = moment.astimezone(UTC)
    if moment.date() == datetime.now(UTC).date():
        return moment.strftime("%H:%M UTC")
    return f"{moment.day} {moment.strftime('%b %H:%M')} UTC"
