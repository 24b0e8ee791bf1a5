"""The finance domain's GraphQL object types, bank connections included (an account names its
connection, a connection its accounts). Amounts are `Decimal` (exact, serialised as strings);
relations resolve through the operation's DataLoaders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ai_service.finance.bank_models import BankConnection, ConnectionStatus
from ai_service.finance.banking import Institution
from ai_service.finance.importing import saved_mapping
from ai_service.finance.models import (
    Account,
    AccountSource,
    AccountType,
    Category,
    CategoryKind,
    CategorySuggestion,
    Client,
    Rule,
    SuggestionStatus,
    Transaction,
    TransactionStatus,
)
from ai_service.finance.money import from_units
from ai_service.graphql.context import Context
from ai_service.graphql.finance.imports import ImportMappingType
from ai_service.graphql.tagging import TagType
from ai_service.tagging.models import TaggedKind

strawberry.enum(AccountSource, name="AccountSource")
strawberry.enum(AccountType, name="AccountType")
strawberry.enum(TransactionStatus, name="TransactionStatus")
strawberry.enum(CategoryKind, name="CategoryKind")
strawberry.enum(SuggestionStatus, name="SuggestionStatus")
strawberry.enum(ConnectionStatus, name="BankConnectionStatus")


class BankProviderName(StrEnum):
    GOCARDLESS = "GOCARDLESS"
    ENABLE_BANKING = "ENABLE_BANKING"


strawberry.enum(BankProviderName, name="BankProvider")


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type(name="Account")
class AccountNode:  # not AccountType: that is the kind enum
    id: strawberry.ID
    name: str
    institution: str | None
    iban: str | None
    currency: str
    type: AccountType
    source: AccountSource
    opening_balance: Decimal
    archived: bool
    last_synced_at: datetime | None
    created_at: datetime
    import_mapping: ImportMappingType | None = strawberry.field(
        description="How this account's bank files are read when an import gives no mapping "
                    "(remembered with rememberMapping, or set with setImportMapping).")
    bank_connection_id: strawberry.Private[int | None] = None

    @classmethod
    def of(cls, row: Account) -> AccountNode:
        saved = saved_mapping(row)
        return cls(id=_id(row.id), name=row.name, institution=row.institution, iban=row.iban,
                   currency=row.currency, type=row.type, source=row.source,
                   opening_balance=from_units(row.opening_balance_units),
                   archived=row.archived, last_synced_at=row.last_synced_at,
                   created_at=row.created_at,
                   import_mapping=None if saved is None else ImportMappingType.of(saved),
                   bank_connection_id=row.bank_connection_id)

    @strawberry.field(description="The bank connection a synced account belongs to.")
    async def connection(self, info: Info[Context, None]) -> BankConnectionType | None:
        if self.bank_connection_id is None:
            return None
        row = await info.context.loaders.bank_connection.load(self.bank_connection_id)
        return BankConnectionType.of(row, None) if row is not None else None

    @strawberry.field(description="The bank's balance for a connected account; otherwise the "
                                  "opening balance plus every transaction.")
    async def balance(self, info: Info[Context, None]) -> Decimal:
        return await info.context.loaders.account_balance.load(int(self.id))


@strawberry.type(name="Category")
class CategoryType:
    id: strawberry.ID
    name: str
    kind: CategoryKind
    color: str | None
    parent_id: strawberry.ID | None

    @classmethod
    def of(cls, row: Category) -> CategoryType:
        return cls(id=_id(row.id), name=row.name, kind=row.kind, color=row.color,
                   parent_id=None if row.parent_id is None else _id(row.parent_id))


@strawberry.type
class ClientTotal:
    currency: str
    income: Decimal
    expenses: Decimal = strawberry.field(description="Negative: money paid to the client.")
    count: int


@strawberry.type(name="Client")
class ClientType:
    id: strawberry.ID
    name: str
    business_name: str | None
    tax_id: str | None
    email: str | None
    phone: str | None
    address: str | None
    currency: str | None
    payment_terms_days: int | None
    notes: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Client) -> ClientType:
        return cls(id=_id(row.id), name=row.name, business_name=row.business_name,
                   tax_id=row.tax_id, email=row.email, phone=row.phone, address=row.address,
                   currency=row.currency, payment_terms_days=row.payment_terms_days,
                   notes=row.notes, created_at=row.created_at)

    @strawberry.field
    async def tags(self, info: Info[Context, None]) -> list[TagType]:
        return [TagType.of(t) for t in
                await info.context.loaders.tags_of(TaggedKind.CLIENT).load(int(self.id))]

    @strawberry.field(description="Linked transactions summed per currency.")
    async def totals(self, info: Info[Context, None]) -> list[ClientTotal]:
        rows = await info.context.loaders.client_totals.load(int(self.id))
        return [ClientTotal(currency=c, income=i, expenses=e, count=n) for c, i, e, n in rows]


@strawberry.type(name="Transaction")
class TransactionType:
    id: strawberry.ID
    booking_date: date
    value_date: date | None
    amount: Decimal = strawberry.field(description="Negative: money out.")
    currency: str
    description: str
    counterparty_name: str | None
    counterparty_iban: str | None
    reference: str | None
    status: TransactionStatus
    raw_payload: JSON | None = strawberry.field(
        description="What the bank or file said, kept to re-map later.")
    import_batch_id: strawberry.ID | None
    created_at: datetime
    row: strawberry.Private[Transaction]

    @classmethod
    def of(cls, row: Transaction) -> TransactionType:
        return cls(
            id=_id(row.id), booking_date=row.booking_date, value_date=row.value_date,
            amount=from_units(row.amount_units), currency=row.currency,
            description=row.description, counterparty_name=row.counterparty_name,
            counterparty_iban=row.counterparty_iban, reference=row.reference, status=row.status,
            raw_payload=cast(JSON, row.raw_payload),
            import_batch_id=None if row.import_batch_id is None else _id(row.import_batch_id),
            created_at=row.created_at, row=row)

    @strawberry.field
    async def account(self, info: Info[Context, None]) -> AccountNode:
        account = await info.context.loaders.account.load(self.row.account_id)
        assert account is not None  # a transaction goes with its account
        return AccountNode.of(account)

    @strawberry.field
    async def category(self, info: Info[Context, None]) -> CategoryType | None:
        if self.row.category_id is None:
            return None
        row = await info.context.loaders.category.load(self.row.category_id)
        return CategoryType.of(row) if row else None

    @strawberry.field
    async def client(self, info: Info[Context, None]) -> ClientType | None:
        if self.row.client_id is None:
            return None
        row = await info.context.loaders.client.load(self.row.client_id)
        return ClientType.of(row) if row else None

    @strawberry.field
    async def tags(self, info: Info[Context, None]) -> list[TagType]:
        return [TagType.of(t) for t in
                await info.context.loaders.tags_of(TaggedKind.TRANSACTION).load(self.row.id)]


@strawberry.type(name="Rule")
class RuleType:
    id: strawberry.ID
    name: str
    priority: int
    enabled: bool
    conditions: JSON
    category_id: strawberry.ID | None
    client_id: strawberry.ID | None
    tag_ids: list[strawberry.ID]

    @classmethod
    def of(cls, row: Rule) -> RuleType:
        return cls(id=_id(row.id), name=row.name, priority=row.priority, enabled=row.enabled,
                   conditions=cast(JSON, row.conditions),
                   category_id=None if row.category_id is None else _id(row.category_id),
                   client_id=None if row.client_id is None else _id(row.client_id),
                   tag_ids=[_id(i) for i in row.tag_ids])


@strawberry.type
class RulesApplied:
    categorised: int
    assigned_to_clients: int
    tagged: int


@strawberry.type(name="CategorySuggestion")
class CategorySuggestionType:
    id: strawberry.ID
    confidence: float
    rule: JSON = strawberry.field(description="The conditions of the rule it proposes.")
    matches: int = strawberry.field(description="Your transactions the rule matches today.")
    reason: str
    status: SuggestionStatus
    rule_id: strawberry.ID | None = strawberry.field(description="Once accepted.")
    created_at: datetime
    row: strawberry.Private[CategorySuggestion]

    @classmethod
    def of(cls, row: CategorySuggestion) -> CategorySuggestionType:
        return cls(id=_id(row.id), confidence=row.confidence,
                   rule=cast(JSON, row.conditions), matches=row.matches, reason=row.reason,
                   status=row.status, rule_id=None if row.rule_id is None else _id(row.rule_id),
                   created_at=row.created_at, row=row)

    @strawberry.field
    async def category(self, info: Info[Context, None]) -> CategoryType:
        row = await info.context.loaders.category.load(self.row.category_id)
        assert row is not None  # the suggestion goes with its category
        return CategoryType.of(row)

    @strawberry.field
    async def transaction(self, info: Info[Context, None]) -> TransactionType:
        row = await info.context.services.finance.transaction(
            await info.context.user(), self.row.transaction_id)
        return TransactionType.of(row)


@strawberry.type
class CategorySuggestions:
    suggestions: list[CategorySuggestionType]
    accepted: int = strawberry.field(description="Confident enough to become rules at once.")
    queued: int = strawberry.field(description="Waiting for you in categorySuggestions.")
    skipped: int = strawberry.field(description="Answers that did not hold up (unknown "
                                                "category, a rule missing its own example).")


@strawberry.type
class BankInstitution:
    id: strawberry.ID = strawberry.field(description="What connectBank takes as institutionId.")
    name: str
    bic: str | None
    countries: list[str]
    logo: str | None
    max_history_days: int | None = strawberry.field(
        description="How far back the bank gives transactions; null when it does not say.")
    max_consent_days: int | None

    @classmethod
    def of(cls, item: Institution) -> BankInstitution:
        return cls(id=strawberry.ID(item.id), name=item.name, bic=item.bic,
                   countries=list(item.countries), logo=item.logo,
                   max_history_days=item.max_history_days,
                   max_consent_days=item.max_consent_days)


@strawberry.type(name="BankConnection")
class BankConnectionType:
    id: strawberry.ID
    provider: BankProviderName
    institution_id: str
    institution_name: str
    status: ConnectionStatus
    consent_expires_at: datetime | None
    last_synced_at: datetime | None
    last_error: str | None = strawberry.field(
        description="Why the last sync or link failed, or why the next sync waits, in plain "
                    "words; null when all is well.")
    created_at: datetime
    row: strawberry.Private[BankConnection]
    account_rows: strawberry.Private[list[Account] | None]

    @classmethod
    def of(cls, row: BankConnection, accounts: list[Account] | None) -> BankConnectionType:
        return cls(id=strawberry.ID(str(row.id)), provider=BankProviderName(row.provider),
                   institution_id=row.institution_id, institution_name=row.institution_name,
                   status=row.status, consent_expires_at=row.consent_expires_at,
                   last_synced_at=row.last_synced_at, last_error=row.last_error,
                   created_at=row.created_at, row=row, account_rows=accounts)

    async def _accounts(self, info: Info[Context, None]) -> list[Account]:
        if self.account_rows is None:
            self.account_rows = await info.context.loaders.connection_accounts.load(self.row.id)
        return self.account_rows

    @strawberry.field(description="The accounts this connection syncs.")
    async def accounts(self, info: Info[Context, None]) -> list[AccountNode]:
        return [AccountNode.of(a) for a in await self._accounts(info)]

    @strawberry.field(description="When a sync can next fetch transactions for every account, "
                                  "as the bank's quota allows (now if it can already); null "
                                  "unless LINKED.")
    async def next_sync_at(self, info: Info[Context, None]) -> datetime | None:
        return await info.context.services.banking.next_sync_at(self.row,
                                                                 await self._accounts(info))


@strawberry.type
class BankConnectLink:
    url: str = strawberry.field(description="The bank's consent page: send the browser there.")
    connection: BankConnectionType
