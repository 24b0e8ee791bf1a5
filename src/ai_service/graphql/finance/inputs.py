"""The finance domain's GraphQL inputs, each turned into what FinanceService takes: ids parsed
(a bad one is BAD_USER_INPUT naming its argument), a field left out (UNSET) as `KEEP`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from ai_service.core.pagination import parse_id
from ai_service.core.patch import KEEP, Keep
from ai_service.finance.inputs import (
    AccountPatch,
    ClientFields,
    NewAccount,
    RuleFields,
    TransactionFilter,
)
from ai_service.finance.models import AccountSource, AccountType

T = TypeVar("T")


def parse_ids(values: list[strawberry.ID] | None, field: str) -> list[int] | None:
    return None if values is None else [parse_id(v, field) for v in values]


def _given(value: T) -> T | Keep:
    """A field the client left out (UNSET) leaves the stored value as it is."""
    return KEEP if value is UNSET else value


def _given_id(value: strawberry.ID | None, field: str) -> int | Keep | None:
    if value is UNSET:
        return KEEP
    return None if value is None else parse_id(value, field)


@strawberry.input
class TransactionFilterInput:
    account_ids: list[strawberry.ID] | None = None
    start: date | None = strawberry.field(default=None, name="from")
    end: date | None = strawberry.field(default=None, name="to")
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    category_ids: list[strawberry.ID] | None = None
    tag_ids: list[strawberry.ID] | None = None
    client_ids: list[strawberry.ID] | None = None
    uncategorised: bool = TransactionFilter.uncategorised
    search: str | None = strawberry.field(
        default=None, description="Words in the description, counterparty or reference.")

    def as_filter(self) -> TransactionFilter:
        return TransactionFilter(
            account_ids=parse_ids(self.account_ids, "accountIds"), date_from=self.start,
            date_to=self.end, amount_min=self.amount_min, amount_max=self.amount_max,
            category_ids=parse_ids(self.category_ids, "categoryIds"),
            tag_ids=parse_ids(self.tag_ids, "tagIds"),
            client_ids=parse_ids(self.client_ids, "clientIds"),
            uncategorised=self.uncategorised, search=self.search)


@strawberry.input
class CreateAccountInput:
    name: str
    currency: str
    institution: str | None = None
    iban: str | None = None
    type: AccountType = NewAccount.type
    source: AccountSource = strawberry.field(default=NewAccount.source,
                                             description="MANUAL or IMPORT.")
    opening_balance: Decimal | None = None

    def as_new(self) -> NewAccount:
        return NewAccount(name=self.name, currency=self.currency, institution=self.institution,
                          iban=self.iban, type=self.type, source=self.source,
                          opening_balance=self.opening_balance)


@strawberry.input
class UpdateAccountInput:
    name: str | None = UNSET
    institution: str | None = UNSET
    iban: str | None = UNSET
    currency: str | None = UNSET
    type: AccountType | None = UNSET
    opening_balance: Decimal | None = UNSET

    def as_patch(self) -> AccountPatch:
        return AccountPatch(name=_given(self.name), institution=_given(self.institution),
                            iban=_given(self.iban), currency=_given(self.currency),
                            type=_given(self.type),
                            opening_balance=_given(self.opening_balance))


@strawberry.input
class ClientInput:
    name: str | None = UNSET
    business_name: str | None = UNSET
    tax_id: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    address: str | None = UNSET
    currency: str | None = UNSET
    payment_terms_days: int | None = UNSET
    notes: str | None = UNSET

    def as_fields(self) -> ClientFields:
        return ClientFields(
            name=_given(self.name), business_name=_given(self.business_name),
            tax_id=_given(self.tax_id), email=_given(self.email), phone=_given(self.phone),
            address=_given(self.address), currency=_given(self.currency),
            payment_terms_days=_given(self.payment_terms_days), notes=_given(self.notes))


@strawberry.input
class RuleInput:
    name: str | None = UNSET
    priority: int | None = UNSET
    enabled: bool | None = UNSET
    conditions: JSON | None = strawberry.field(
        default=UNSET, description="Any of descriptionContains, counterpartyContains, "
                                   "counterpartyIban, amountMin, amountMax, accountId.")
    category_id: strawberry.ID | None = UNSET
    client_id: strawberry.ID | None = UNSET
    tag_ids: list[strawberry.ID] | None = UNSET

    def as_fields(self) -> RuleFields:
        return RuleFields(
            name=_given(self.name), priority=_given(self.priority),
            enabled=_given(self.enabled),
            conditions=_given(cast("Mapping[str, Any] | None", self.conditions)),
            category_id=_given_id(self.category_id, "categoryId"),
            client_id=_given_id(self.client_id, "clientId"),
            tag_ids=KEEP if self.tag_ids is UNSET else parse_ids(self.tag_ids, "tagIds"))
