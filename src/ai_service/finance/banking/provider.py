"""One interface for every open-banking provider, and the normalised data it returns.

A sync job talks to `BankProvider` only: GoCardless and Enable Banking differ in how consent is
given, how ids look and how amounts are signed, and all of that stays in their modules. Amounts
are `Decimal`, never float; every record keeps the provider's original payload in `raw`, so it
can be re-mapped later without asking the bank again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class ConsentStatus(StrEnum):
    PENDING = "PENDING"  # created, the user has not finished at the bank yet
    LINKED = "LINKED"  # accounts can be read
    EXPIRED = "EXPIRED"  # the consent ran out: link again
    REJECTED = "REJECTED"  # the user cancelled or the bank refused
    REVOKED = "REVOKED"  # deleted by us, the user or the bank


class TransactionStatus(StrEnum):
    BOOKED = "BOOKED"
    PENDING = "PENDING"


class BalanceKind(StrEnum):
    """What a balance means, across the providers' vocabularies (Berlin Group and ISO 20022)."""

    BOOKED = "BOOKED"  # closingBooked, interimBooked, CLBD, ITBD
    AVAILABLE = "AVAILABLE"  # interimAvailable, closingAvailable, CLAV, ITAV
    EXPECTED = "EXPECTED"  # expected, XPCD (booked plus pending)
    OTHER = "OTHER"


@dataclass(frozen=True)
class Institution:
    id: str  # what start_consent takes
    name: str
    bic: str | None
    countries: tuple[str, ...]
    logo: str | None
    max_history_days: int | None  # how far back transactions go; None: the bank does not say
    max_consent_days: int | None  # how long a consent may last
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ConsentLink:
    provider_ref: str  # GoCardless requisition id; Enable Banking authorization id
    url: str  # where to send the user
    reference: str  # our correlation value (GoCardless `reference`, Enable Banking `state`)
    consent_expires_at: datetime | None  # when the consent will lapse once given
    institution_id: str


@dataclass(frozen=True)
class Consent:
    provider_ref: str  # keep this: GoCardless requisition id; Enable Banking session id
    status: ConsentStatus
    account_ids: tuple[str, ...]
    consent_expires_at: datetime | None
    institution_id: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BankAccount:
    provider_account_id: str
    iban: str | None
    name: str | None
    currency: str | None
    owner_name: str | None
    product: str | None
    institution_id: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Balance:
    amount: Decimal
    currency: str
    type: str  # the provider's own word (closingBooked, ITAV, …)
    kind: BalanceKind
    reference_date: date | None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class BankTransaction:
    provider_id: str  # the bank's id, else "h:" + a stable hash of what identifies it
    account_id: str  # the provider's account id
    status: TransactionStatus
    booking_date: date  # pending ones without one carry their value or transaction date
    value_date: date | None
    amount: Decimal  # negative for money going out
    currency: str
    description: str
    counterparty_name: str | None  # the creditor when money goes out, else the debtor
    counterparty_iban: str | None
    reference: str | None  # end-to-end id, structured reference or entry reference
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


class BankProvider(Protocol):
    """An open-banking provider for one set of credentials. All methods raise `BankError`
    subclasses (see errors.py) with a message fit to show to the user."""

    name: str  # the integrations vault's provider name: GOCARDLESS, ENABLE_BANKING
    label: str  # for people: "GoCardless", "Enable Banking"

    async def institutions(self, country: str) -> list[Institution]:
        """The banks of a country (ISO 3166 alpha-2)."""
        ...

    async def institution(self, institution_id: str) -> Institution | None:
        """One bank, to name a connection and bound its history; None when the provider does
        not list it. Raises `InstitutionIdInvalid` for an id of the wrong form."""
        ...

    async def start_consent(self, institution_id: str, redirect_url: str, reference: str,
                            history_days: int | None = None,
                            consent_days: int | None = None) -> ConsentLink:
        """Ask for access; the user opens `url`, and the bank sends them back to
        `redirect_url`. Days default to the longest the institution allows."""
        ...

    async def complete_consent(self, provider_ref: str,
                               callback_params: Mapping[str, str]) -> Consent:
        """After the redirect: the consent as it now stands (LINKED, REJECTED, PENDING…).
        `callback_params` is the query string the bank appended to `redirect_url`."""
        ...

    async def consent(self, provider_ref: str) -> Consent:
        """The consent's current status, accounts and expiry."""
        ...

    async def accounts(self, consent: Consent) -> list[BankAccount]:
        """The consent's accounts with what is known without spending bank quota."""
        ...

    async def account_details(self, account_id: str) -> BankAccount:
        """Name, currency, owner and product (spends the `details` quota on GoCardless)."""
        ...

    async def balances(self, account_id: str) -> list[Balance]:
        ...

    async def transactions(self, account_id: str, date_from: date | None,
                           date_to: date | None) -> list[BankTransaction]:
        """Booked and pending transactions, every page; `date_from=None` asks for all the
        history the bank gives."""
        ...

    async def revoke(self, provider_ref: str) -> None:
        """End the consent at the provider; an already gone consent is not an error."""
        ...


# --------------------------------------------------------------------------- helpers


_BALANCE_KINDS = {
    "closingbooked": BalanceKind.BOOKED, "interimbooked": BalanceKind.BOOKED,
    "openingbooked": BalanceKind.BOOKED, "clbd": BalanceKind.BOOKED,
    "itbd": BalanceKind.BOOKED, "opbd": BalanceKind.BOOKED,
    "interimavailable": BalanceKind.AVAILABLE, "closingavailable": BalanceKind.AVAILABLE,
    "forwardavailable": BalanceKind.AVAILABLE, "clav": BalanceKind.AVAILABLE,
    "itav": BalanceKind.AVAILABLE, "fwav": BalanceKind.AVAILABLE,
    "expected": BalanceKind.EXPECTED, "xpcd": BalanceKind.EXPECTED,
}


def balance_kind(provider_type: str) -> BalanceKind:
    return _BALANCE_KINDS.get(provider_type.lower(), BalanceKind.OTHER)


def current_balance(balances: Sequence[Balance]) -> Balance | None:
    """The balance to show on an account: booked, else expected, else available, else any;
    the newest of that kind."""
    order = (BalanceKind.BOOKED, BalanceKind.EXPECTED, BalanceKind.AVAILABLE, BalanceKind.OTHER)
    for kind in order:
        found = [b for b in balances if b.kind is kind]
        if found:
            return max(found, key=lambda b: b.reference_date or date.min)
    return None
