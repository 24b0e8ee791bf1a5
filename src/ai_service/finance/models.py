"""Accounts, transactions and what organises them: categories, rules, clients, import batches.

Money is stored as whole ten-thousandths of the currency unit in a BIGINT (`*_units`,
AMOUNT_SCALE = 4): exact, summed exactly by SQL on SQLite and PostgreSQL alike (SQLite has no
decimal type), and turned into `Decimal` at the edge. Four places cover every ISO 4217 currency.
Model docstrings are comments on purpose: Tortoise copies docstrings into migrations.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from ai_service.finance.bank_models import BankConnection
    from ai_service.users.models import User

AMOUNT_SCALE = 4


class AccountSource(StrEnum):
    MANUAL = "MANUAL"
    IMPORT = "IMPORT"
    GOCARDLESS = "GOCARDLESS"
    ENABLE_BANKING = "ENABLE_BANKING"


class AccountType(StrEnum):
    CHECKING = "CHECKING"
    SAVINGS = "SAVINGS"
    CREDIT_CARD = "CREDIT_CARD"
    CASH = "CASH"
    INVESTMENT = "INVESTMENT"
    LOAN = "LOAN"
    OTHER = "OTHER"


class TransactionStatus(StrEnum):
    BOOKED = "BOOKED"
    PENDING = "PENDING"


class CategoryKind(StrEnum):
    INCOME = "INCOME"
    EXPENSE = "EXPENSE"
    TRANSFER = "TRANSFER"


class ImportFormat(StrEnum):
    CSV = "CSV"
    OFX = "OFX"  # also QFX (Quicken) and QBO (QuickBooks): the same format
    CAMT053 = "CAMT053"
    CAMT052 = "CAMT052"  # intraday account report
    CAMT054 = "CAMT054"  # debit/credit notification
    MT940 = "MT940"  # SWIFT statement (and MT942 interim reports)
    QIF = "QIF"


class Account(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="accounts", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    institution = fields.CharField(max_length=100, null=True)
    iban = fields.CharField(max_length=34, null=True)
    currency = fields.CharField(max_length=3)
    type = fields.CharEnumField(AccountType, max_length=16, default=AccountType.CHECKING)
    source = fields.CharEnumField(AccountSource, max_length=16, default=AccountSource.MANUAL)
    # The bank's balance when synced; for other accounts, opening balance + transactions.
    opening_balance_units = fields.BigIntField(default=0)
    balance_units = fields.BigIntField(null=True)
    balance_at = fields.DatetimeField(null=True)
    last_synced_at = fields.DatetimeField(null=True)
    provider_account_id = fields.CharField(max_length=200, null=True)
    # The bank link a synced account belongs to (moved to the new one when the bank is linked
    # again); null for manual and import accounts.
    bank_connection: fields.ForeignKeyNullableRelation[BankConnection] = fields.ForeignKeyField(
        "ai_service.BankConnection", related_name="accounts", null=True,
        on_delete=fields.SET_NULL)
    archived = fields.BooleanField(default=False)
    # How this account's bank files are read, as a person corrected or confirmed it (the
    # fields `imports.ImportMapping` sets, by name); used when an import names no mapping.
    import_mapping: dict[str, Any] | None = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    owner_id: int
    bank_connection_id: int | None

    class Meta:
        table = "accounts"


class ImportBatch(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="import_batches", on_delete=fields.CASCADE)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ai_service.Account", related_name="import_batches", on_delete=fields.CASCADE)
    source = fields.CharField(max_length=20)  # CSV, OFX, CAMT053 or a bank provider
    filename = fields.CharField(max_length=255, null=True)
    sha256 = fields.CharField(max_length=64, null=True)
    inserted = fields.IntField(default=0)
    duplicates = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    account_id: int

    class Meta:
        table = "import_batches"


class Category(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="categories", on_delete=fields.CASCADE)
    parent: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "ai_service.Category", related_name="children", null=True, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=80)
    kind = fields.CharEnumField(CategoryKind, max_length=16)
    color = fields.CharField(max_length=7, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    parent_id: int | None

    class Meta:
        table = "categories"


class Client(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="clients", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=200)
    business_name = fields.CharField(max_length=200, null=True)
    tax_id = fields.CharField(max_length=50, null=True)
    email = fields.CharField(max_length=254, null=True)
    phone = fields.CharField(max_length=50, null=True)
    address = fields.TextField(null=True)
    currency = fields.CharField(max_length=3, null=True)
    payment_terms_days = fields.IntField(null=True)
    notes = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    owner_id: int

    class Meta:
        table = "clients"


class Transaction(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="transactions", on_delete=fields.CASCADE)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ai_service.Account", related_name="transactions", on_delete=fields.CASCADE)
    booking_date = fields.DateField()
    value_date = fields.DateField(null=True)
    amount_units = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    description = fields.CharField(max_length=1000, default="")
    counterparty_name = fields.CharField(max_length=200, null=True)
    counterparty_iban = fields.CharField(max_length=34, null=True)
    reference = fields.CharField(max_length=200, null=True)
    status = fields.CharEnumField(TransactionStatus, max_length=8,
                                  default=TransactionStatus.BOOKED)
    # Deduplication: the provider's id when it gives one, else a fingerprint of the row.
    provider_id = fields.CharField(max_length=200, null=True)
    fingerprint = fields.CharField(max_length=64)
    raw_payload: dict[str, Any] | None = fields.JSONField(null=True)
    import_batch: fields.ForeignKeyNullableRelation[ImportBatch] = fields.ForeignKeyField(
        "ai_service.ImportBatch", related_name="transactions", null=True,
        on_delete=fields.SET_NULL)
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "ai_service.Category", related_name="transactions", null=True,
        on_delete=fields.SET_NULL)
    client: fields.ForeignKeyNullableRelation[Client] = fields.ForeignKeyField(
        "ai_service.Client", related_name="transactions", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    owner_id: int
    account_id: int
    category_id: int | None
    client_id: int | None
    import_batch_id: int | None

    class Meta:
        table = "transactions"
        unique_together = (("account", "fingerprint"), ("account", "provider_id"))
        # The transactions list: an owner's rows newest first, keyset on (date, id).
        indexes = (("owner_id", "booking_date", "id"), ("import_batch_id",))


class Rule(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="rules", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    priority = fields.IntField(default=100)  # lower runs first; the first match wins
    enabled = fields.BooleanField(default=True)
    # descriptionContains, counterpartyContains, counterpartyIban, amountMin, amountMax,
    # accountId: all given ones must hold.
    conditions: dict[str, Any] = fields.JSONField(default=dict)
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "ai_service.Category", related_name="rules", null=True, on_delete=fields.CASCADE)
    client: fields.ForeignKeyNullableRelation[Client] = fields.ForeignKeyField(
        "ai_service.Client", related_name="rules", null=True, on_delete=fields.CASCADE)
    tag_ids: list[int] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    category_id: int | None
    client_id: int | None

    class Meta:
        table = "rules"


class SuggestionStatus(StrEnum):
    PENDING = "PENDING"  # waiting in the review queue
    ACCEPTED = "ACCEPTED"  # by the user, or automatically when confident: the rule exists
    REJECTED = "REJECTED"


class CategorySuggestion(Model):
    # The AI's proposal for one uncategorised transaction, as a readable deterministic rule.
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="category_suggestions", on_delete=fields.CASCADE)
    transaction: fields.ForeignKeyRelation[Transaction] = fields.ForeignKeyField(
        "ai_service.Transaction", related_name="suggestions", on_delete=fields.CASCADE)
    category: fields.ForeignKeyRelation[Category] = fields.ForeignKeyField(
        "ai_service.Category", related_name="suggestions", on_delete=fields.CASCADE)
    confidence = fields.FloatField()
    conditions: dict[str, Any] = fields.JSONField(default=dict)
    matches = fields.IntField(default=0)  # transactions the rule matches in the history
    reason = fields.CharField(max_length=300, default="")
    status = fields.CharEnumField(SuggestionStatus, max_length=16,
                                  default=SuggestionStatus.PENDING)
    rule: fields.ForeignKeyNullableRelation[Rule] = fields.ForeignKeyField(
        "ai_service.Rule", related_name="suggestions", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    transaction_id: int
    category_id: int
    rule_id: int | None

    class Meta:
        table = "category_suggestions"


class DailyTotal(Model):
    # Money in and out of one account on one day, kept in step with the transactions by
    # `finance.daily.refresh_days` wherever transactions are written: the metrics series then
    # reads a few hundred rows a year instead of every transaction.
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="daily_totals", on_delete=fields.CASCADE)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "ai_service.Account", related_name="daily_totals", on_delete=fields.CASCADE)
    currency = fields.CharField(max_length=3)
    day = fields.DateField()
    income_units = fields.BigIntField(default=0)
    expense_units = fields.BigIntField(default=0)
    count = fields.IntField(default=0)

    owner_id: int
    account_id: int

    class Meta:
        table = "transaction_days"
        unique_together = (("account", "day", "currency"),)
        indexes = (("owner_id", "day"),)
