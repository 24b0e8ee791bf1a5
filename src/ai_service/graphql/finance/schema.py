"""GraphQL for finance: a thin layer over FinanceService and the metrics. Amounts are
`Decimal` (exact, serialised as strings); relations resolve through per-operation DataLoaders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.unset import UNSET

from ai_service.core.pagination import Page, parse_id
from ai_service.core.patch import KEEP, Keep
from ai_service.finance import metrics
from ai_service.finance.imports import CsvMapping
from ai_service.finance.ingest import IngestReport
from ai_service.finance.inputs import (
    AccountPatch,
    ClientFields,
    NewAccount,
    RuleFields,
    TransactionFilter,
)
from ai_service.finance.metrics import Granularity
from ai_service.finance.models import (
    Account,
    AccountSource,
    AccountType,
    Category,
    CategoryKind,
    CategorySuggestion,
    Client,
    ImportFormat,
    Rule,
    SuggestionStatus,
    Transaction,
    TransactionStatus,
)
from ai_service.finance.money import from_units
from ai_service.finance.service import encode_cursor
from ai_service.graphql.context import Context
from ai_service.graphql.pagination import PageInfo
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.tagging import TagType
from ai_service.graphql.uploads import uploaded
from ai_service.tagging.models import TaggedKind

if TYPE_CHECKING:
    from ai_service.graphql.finance.bank import BankConnectionType

strawberry.enum(AccountSource, name="AccountSource")
strawberry.enum(AccountType, name="AccountType")
strawberry.enum(TransactionStatus, name="TransactionStatus")
strawberry.enum(CategoryKind, name="CategoryKind")
strawberry.enum(ImportFormat, name="ImportFormat")
strawberry.enum(Granularity, name="Granularity")
strawberry.enum(SuggestionStatus, name="SuggestionStatus")


def _id(value: int) -> strawberry.ID:
    return strawberry.ID(str(value))


def _ids(values: list[strawberry.ID] | None, field: str) -> list[int] | None:
    return None if values is None else [parse_id(v, field) for v in values]


T = TypeVar("T")


def _given(value: T) -> T | Keep:
    """A field the client left out (UNSET) leaves the stored value as it is."""
    return KEEP if value is UNSET else value


def _given_id(value: strawberry.ID | None, field: str) -> int | Keep | None:
    if value is UNSET:
        return KEEP
    return None if value is None else parse_id(value, field)


@strawberry.type(name="Account")
class AccountType_:
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
    bank_connection_id: strawberry.Private[int | None] = None

    @classmethod
    def of(cls, row: Account) -> AccountType_:
        return cls(id=_id(row.id), name=row.name, institution=row.institution, iban=row.iban,
                   currency=row.currency, type=row.type, source=row.source,
                   opening_balance=from_units(row.opening_balance_units),
                   archived=row.archived, last_synced_at=row.last_synced_at,
                   created_at=row.created_at, bank_connection_id=row.bank_connection_id)

    @strawberry.field(description="The bank connection a synced account belongs to.")
    async def connection(self, info: Info[Context, None]) -> Annotated[
            BankConnectionType, strawberry.lazy("ai_service.graphql.finance.bank")] | None:
        if self.bank_connection_id is None:
            return None
        from ai_service.graphql.finance.bank import connection_of

        return await connection_of(info, self.bank_connection_id)

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
    async def account(self, info: Info[Context, None]) -> AccountType_:
        account = await info.context.loaders.account.load(self.row.account_id)
        assert account is not None  # a transaction goes with its account
        return AccountType_.of(account)

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


@strawberry.type
class TransactionEdge:
    cursor: str
    node: TransactionType


@strawberry.type
class TransactionConnection:
    edges: list[TransactionEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Transaction]) -> TransactionConnection:
        edges = [TransactionEdge(cursor=encode_cursor(r), node=TransactionType.of(r))
                 for r in page.items]
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None))


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
    uncategorised: bool = False
    search: str | None = strawberry.field(
        default=None, description="Words in the description, counterparty or reference.")

    def as_filter(self) -> TransactionFilter:
        return TransactionFilter(
            account_ids=_ids(self.account_ids, "accountIds"), date_from=self.start,
            date_to=self.end, amount_min=self.amount_min, amount_max=self.amount_max,
            category_ids=_ids(self.category_ids, "categoryIds"),
            tag_ids=_ids(self.tag_ids, "tagIds"), client_ids=_ids(self.client_ids, "clientIds"),
            uncategorised=self.uncategorised, search=self.search)


@strawberry.input
class CsvMappingInput:
    date: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    description: str | None = None
    counterparty: str | None = None
    counterparty_iban: str | None = None
    reference: str | None = None
    value_date: str | None = None
    currency: str | None = None
    date_format: str | None = strawberry.field(default=None,
                                               description="strptime, e.g. %d.%m.%Y")
    decimal_comma: bool | None = None
    delimiter: str | None = None

    def as_mapping(self) -> CsvMapping:
        return CsvMapping(**{k: getattr(self, k) for k in CsvMapping.__dataclass_fields__})


@strawberry.type
class ImportRowError:
    row: int
    message: str


@strawberry.type
class ImportPreviewRow:
    row: int
    booking_date: date
    amount: Decimal
    description: str
    counterparty_name: str | None


@strawberry.type
class ImportReport:
    rows: int
    inserted: int = strawberry.field(description="With dryRun: how many would be.")
    duplicates: int
    rejected: int
    stored: bool
    dry_run: bool
    errors: list[ImportRowError]
    preview: list[ImportPreviewRow] = strawberry.field(description="The first new rows.")
    categorised_by_rules: int

    @classmethod
    def of(cls, report: IngestReport) -> ImportReport:
        return cls(rows=report.rows, inserted=report.inserted, duplicates=report.duplicates,
                   rejected=report.rejected, stored=report.stored, dry_run=report.dry_run,
                   errors=[ImportRowError(row=e.row, message=e.message) for e in report.errors],
                   preview=[ImportPreviewRow(row=p.row, booking_date=p.booking_date,
                                             amount=p.amount, description=p.description,
                                             counterparty_name=p.counterparty_name)
                            for p in report.preview],
                   categorised_by_rules=report.rules.categorised)


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


@strawberry.type
class CurrencySeries:
    currency: str
    periods: list[date]
    income: list[Decimal]
    expenses: list[Decimal]
    net: list[Decimal]
    balance: list[Decimal] = strawberry.field(description="At the end of each period.")


@strawberry.type
class CategoryTotal:
    currency: str
    category_id: strawberry.ID | None
    total: Decimal
    count: int

    @strawberry.field
    async def category(self, info: Info[Context, None]) -> CategoryType | None:
        if self.category_id is None:
            return None
        row = await info.context.loaders.category.load(int(self.category_id))
        return CategoryType.of(row) if row else None


@strawberry.type
class CounterpartyTotal:
    currency: str
    name: str
    total: Decimal
    count: int


@strawberry.type
class RecurringPayment:
    currency: str
    name: str
    amount: Decimal
    cadence: str = strawberry.field(description="WEEKLY, BIWEEKLY, MONTHLY, QUARTERLY, YEARLY")
    interval_days: float
    count: int
    first: date
    last: date
    next_expected: date


@strawberry.type(description="Each part is computed (one SQL aggregate or three) only when "
                             "selected.")
class FinancialMetrics:
    scope: strawberry.Private[metrics.Scope]
    granularity: strawberry.Private[Granularity]

    @strawberry.field(description="Income, expenses, net and running balance per period.")
    async def series(self) -> list[CurrencySeries]:
        return [CurrencySeries(currency=s.currency, periods=s.periods, income=s.income,
                               expenses=s.expenses, net=s.net, balance=s.balance)
                for s in await metrics.series(self.scope, self.granularity)]

    @strawberry.field
    async def by_category(self) -> list[CategoryTotal]:
        return [CategoryTotal(currency=c.currency, category_id=None if c.category_id is None
                              else _id(c.category_id), total=c.total, count=c.count)
                for c in await metrics.by_category(self.scope)]

    @strawberry.field
    async def top_counterparties(self, limit: int = 20) -> list[CounterpartyTotal]:
        return [CounterpartyTotal(currency=c.currency, name=c.name, total=c.total,
                                  count=c.count)
                for c in await metrics.top_counterparties(self.scope, max(1, min(limit, 100)))]

    @strawberry.field
    async def recurring_payments(self) -> list[RecurringPayment]:
        return [RecurringPayment(**vars(r)) for r in await metrics.recurring_payments(self.scope)]


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


@strawberry.input
class CreateAccountInput:
    name: str
    currency: str
    institution: str | None = NewAccount.institution
    iban: str | None = NewAccount.iban
    type: AccountType = NewAccount.type
    source: AccountSource = strawberry.field(default=NewAccount.source,
                                             description="MANUAL or IMPORT.")
    opening_balance: Decimal | None = NewAccount.opening_balance

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
            tag_ids=KEEP if self.tag_ids is UNSET else _ids(self.tag_ids, "tagIds"))


@strawberry.type
class FinanceQuery:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def accounts(self, info: Info[Context, None],
                       include_archived: bool = False) -> list[AccountType_]:
        user = await info.context.user()
        return [AccountType_.of(a) for a in
                await info.context.services.finance.accounts(user, include_archived)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def account(self, info: Info[Context, None], id: strawberry.ID) -> AccountType_:
        user = await info.context.user()
        return AccountType_.of(await info.context.services.finance.account(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first (booking date, then id).")
    async def transactions(self, info: Info[Context, None], first: int = 50,
                           after: str | None = None,
                           filter: TransactionFilterInput | None = None,
                           ) -> TransactionConnection:
        user = await info.context.user()
        where = filter.as_filter() if filter else TransactionFilter()
        return TransactionConnection.of(
            await info.context.services.finance.transactions(user, first, after, where))

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def transaction(self, info: Info[Context, None], id: strawberry.ID) -> TransactionType:
        user = await info.context.user()
        return TransactionType.of(
            await info.context.services.finance.transaction(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Created with a default set on first use.")
    async def categories(self, info: Info[Context, None]) -> list[CategoryType]:
        user = await info.context.user()
        return [CategoryType.of(c) for c in await info.context.services.finance.categories(user)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="In the order they run.")
    async def rules(self, info: Info[Context, None]) -> list[RuleType]:
        user = await info.context.user()
        return [RuleType.of(r) for r in await info.context.services.finance.rules(user)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def clients(self, info: Info[Context, None]) -> list[ClientType]:
        user = await info.context.user()
        return [ClientType.of(c) for c in await info.context.services.finance.clients(user)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def client(self, info: Info[Context, None], id: strawberry.ID) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.client(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The review queue of AI suggestions, most confident first.")
    async def category_suggestions(
        self, info: Info[Context, None], status: SuggestionStatus = SuggestionStatus.PENDING,
    ) -> list[CategorySuggestionType]:
        user = await info.context.user()
        return [CategorySuggestionType.of(s) for s in
                await info.context.services.suggestions.queue(user, status)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Per currency: series of income, expenses, net and running "
                                  "balance; totals by category; top counterparties; recurring "
                                  "payments.")
    async def financial_metrics(
        self, info: Info[Context, None],
        start: Annotated[date, strawberry.argument(name="from")],
        end: Annotated[date, strawberry.argument(name="to")],
        granularity: Granularity = Granularity.MONTH,
        account_ids: list[strawberry.ID] | None = None,
    ) -> FinancialMetrics:
        user = await info.context.user()
        accounts = _ids(account_ids, "accountIds")
        if accounts:  # someone else's account is NOT_FOUND, not silently empty
            for account_id in set(accounts):
                await info.context.services.finance.account(user, account_id)
        scope = metrics.Scope(user.id, start, end, None if accounts is None else tuple(accounts))
        return FinancialMetrics(scope=scope, granularity=granularity)


@strawberry.type
class FinanceMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_account(self, info: Info[Context, None],
                             input: CreateAccountInput) -> AccountType_:
        user = await info.context.user()
        return AccountType_.of(await info.context.services.finance.create_account(
            user, input.as_new()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_account(self, info: Info[Context, None], id: strawberry.ID,
                             input: UpdateAccountInput) -> AccountType_:
        user = await info.context.user()
        return AccountType_.of(await info.context.services.finance.update_account(
            user, parse_id(id), input.as_patch()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Hides the account from lists; its transactions stay.")
    async def archive_account(self, info: Info[Context, None], id: strawberry.ID,
                              archived: bool = True) -> AccountType_:
        user = await info.context.user()
        return AccountType_.of(await info.context.services.finance.archive_account(
            user, parse_id(id), archived))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="A bank file as a multipart upload. All or nothing: any "
                                     "bad row writes nothing; dryRun previews.")
    async def import_transactions(
        self, info: Info[Context, None], account_id: strawberry.ID, file: Upload,
        format: ImportFormat = ImportFormat.CSV, mapping: CsvMappingInput | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        user = await info.context.user()
        upload = uploaded(file)
        return ImportReport.of(await info.context.services.finance.import_transactions(
            user, parse_id(account_id, "accountId"), upload.stream, format,
            mapping.as_mapping() if mapping else None, upload.filename, dry_run))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Null removes the category.")
    async def categorize_transaction(self, info: Info[Context, None], id: strawberry.ID,
                                     category_id: strawberry.ID | None) -> TransactionType:
        user = await info.context.user()
        category = None if category_id is None else parse_id(category_id, "categoryId")
        return TransactionType.of(await info.context.services.finance.categorize(
            user, parse_id(id), category))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Null unlinks the client.")
    async def set_transaction_client(self, info: Info[Context, None], id: strawberry.ID,
                                     client_id: strawberry.ID | None) -> TransactionType:
        user = await info.context.user()
        client = None if client_id is None else parse_id(client_id, "clientId")
        return TransactionType.of(await info.context.services.finance.assign_client(
            user, parse_id(id), client))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_category(self, info: Info[Context, None], name: str, kind: CategoryKind,
                              parent_id: strawberry.ID | None = None,
                              color: str | None = None) -> CategoryType:
        user = await info.context.user()
        parent = None if parent_id is None else parse_id(parent_id, "parentId")
        return CategoryType.of(await info.context.services.finance.create_category(
            user, name, kind, parent, color))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_rule(self, info: Info[Context, None], input: RuleInput) -> RuleType:
        user = await info.context.user()
        return RuleType.of(await info.context.services.finance.create_rule(user, input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_rule(self, info: Info[Context, None], id: strawberry.ID,
                          input: RuleInput) -> RuleType:
        user = await info.context.user()
        return RuleType.of(await info.context.services.finance.update_rule(
            user, parse_id(id), input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_rule(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.finance.delete_rule(user, parse_id(id))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Runs every enabled rule over all your transactions; "
                                     "what is already set stays.")
    async def apply_rules(self, info: Info[Context, None]) -> RulesApplied:
        user = await info.context.user()
        run = await info.context.services.finance.apply_rules(user)
        return RulesApplied(categorised=run.categorised, assigned_to_clients=run.assigned,
                            tagged=run.tagged)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="The AI proposes a category and a rule for uncategorised "
                                     "transactions (the given ones, else the latest 200).")
    async def suggest_categories(
        self, info: Info[Context, None], transaction_ids: list[strawberry.ID] | None = None,
    ) -> CategorySuggestions:
        user = await info.context.user()
        run = await info.context.services.suggestions.suggest(
            user, _ids(transaction_ids, "transactionIds"))
        return CategorySuggestions(
            suggestions=[CategorySuggestionType.of(s) for s in run.suggestions],
            accepted=run.accepted, queued=run.queued, skipped=run.skipped)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Creates the rule (with another category if given) and "
                                     "runs it.")
    async def accept_category_suggestion(
        self, info: Info[Context, None], id: strawberry.ID,
        category_id: strawberry.ID | None = None,
    ) -> CategorySuggestionType:
        user = await info.context.user()
        category = None if category_id is None else parse_id(category_id, "categoryId")
        if category is not None:
            await info.context.services.finance.category(user, category)
        return CategorySuggestionType.of(
            await info.context.services.suggestions.accept(user, parse_id(id), category))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def reject_category_suggestion(self, info: Info[Context, None],
                                         id: strawberry.ID) -> CategorySuggestionType:
        user = await info.context.user()
        return CategorySuggestionType.of(
            await info.context.services.suggestions.reject(user, parse_id(id)))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_client(self, info: Info[Context, None], input: ClientInput) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.create_client(
            user, input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_client(self, info: Info[Context, None], id: strawberry.ID,
                            input: ClientInput) -> ClientType:
        user = await info.context.user()
        return ClientType.of(await info.context.services.finance.update_client(
            user, parse_id(id), input.as_fields()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Its transactions stay, without a client.")
    async def delete_client(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.finance.delete_client(user, parse_id(id))
