"""What FinanceService takes: typed values with Python names and their defaults, one place each.

On a patch (or on fields shared by create and update) `KEEP` leaves a value as it is, or on
create as the column's default; `None` clears it. Ids are ints: the API layer parses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ai_service.core.patch import KEEP, Keep
from ai_service.finance.imports import ImportMapping
from ai_service.finance.models import AccountSource, AccountType, ImportFormat


@dataclass(frozen=True)
class NewAccount:
    name: str
    currency: str
    institution: str | None = None
    iban: str | None = None
    type: AccountType = AccountType.CHECKING
    source: AccountSource = AccountSource.MANUAL  # MANUAL or IMPORT: banks link their own
    opening_balance: Decimal | None = None


@dataclass(frozen=True)
class AccountPatch:
    name: str | Keep | None = KEEP
    institution: str | Keep | None = KEEP
    iban: str | Keep | None = KEEP
    currency: str | Keep | None = KEEP
    type: AccountType | Keep | None = KEEP
    opening_balance: Decimal | Keep | None = KEEP


@dataclass(frozen=True)
class ClientFields:
    """A client's details, to create one (a name is required) or to change some."""

    name: str | Keep | None = KEEP
    business_name: str | Keep | None = KEEP
    tax_id: str | Keep | None = KEEP
    email: str | Keep | None = KEEP
    phone: str | Keep | None = KEEP
    address: str | Keep | None = KEEP
    currency: str | Keep | None = KEEP
    payment_terms_days: int | Keep | None = KEEP
    notes: str | Keep | None = KEEP


@dataclass(frozen=True)
class RuleFields:
    """A rule, to create one (it must set a category, a client or tags) or to change some.
    A `None` priority or `enabled` leaves that one as it is."""

    name: str | Keep | None = KEEP
    priority: int | Keep | None = KEEP
    enabled: bool | Keep | None = KEEP
    conditions: Mapping[str, Any] | Keep | None = KEEP  # see rules.CONDITIONS
    category_id: int | Keep | None = KEEP
    client_id: int | Keep | None = KEEP
    tag_ids: Sequence[int] | Keep | None = KEEP


@dataclass(frozen=True)
class TransactionFilter:
    account_ids: Sequence[int] | None = None
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    category_ids: Sequence[int] | None = None
    tag_ids: Sequence[int] | None = None
    client_ids: Sequence[int] | None = None
    uncategorised: bool = False
    search: str | None = None


@dataclass(frozen=True)
class ImportRequest:
    """A bank file for an account: `format` None is told from the file; `mapping` corrects
    how it is read (over what the account remembers); `remember_mapping` keeps the reading
    for the account's next files."""

    account_id: int
    format: ImportFormat | None = None
    mapping: ImportMapping | None = None
    filename: str | None = None
    dry_run: bool = False
    remember_mapping: bool = False
