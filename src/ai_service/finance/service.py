"""Accounts, transactions, categories, clients and rules of one user: the service under the
finance GraphQL. Every read and write is scoped to the owner; someone else's id is NOT_FOUND."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import IO, Any, TypeVar

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum
from tortoise.models import Model

from ai_service.core.colors import check_color
from ai_service.core.errors import BadUserInput, NotFound
from ai_service.core.pagination import Page, check_first
from ai_service.core.patch import KEEP, changes
from ai_service.finance.importing import import_file, mapping_json
from ai_service.finance.imports import ImportMapping, read_limited
from ai_service.finance.ingest import IngestReport
from ai_service.finance.inputs import (
    AccountPatch,
    ClientFields,
    ImportRequest,
    NewAccount,
    RuleFields,
    TransactionFilter,
)
from ai_service.finance.models import (
    Account,
    AccountSource,
    Category,
    CategoryKind,
    Client,
    Rule,
    Transaction,
)
from ai_service.finance.money import check_currency, from_units, to_units
from ai_service.finance.rules import RuleRun, apply_rules, check_conditions
from ai_service.tagging.models import Tag, TaggedKind, TagLink
from ai_service.tagging.service import TagService, owned_by
from ai_service.users.models import User

M = TypeVar("M", bound=Model)
DEFAULT_CATEGORIES: dict[CategoryKind, dict[str, list[str]]] = {
    CategoryKind.INCOME: {"Salary": [], "Freelance": [], "Interest & dividends": [],
                          "Refunds": [], "Other income": []},
    CategoryKind.EXPENSE: {
        "Housing": ["Rent", "Utilities", "Maintenance"],
        "Food": ["Groceries", "Restaurants"],
        "Transport": ["Fuel", "Public transport", "Car"],
        "Health": [], "Insurance": [], "Subscriptions": [], "Shopping": [],
        "Entertainment": [], "Travel": [], "Education": [], "Taxes": [], "Fees": [],
        "Gifts & donations": [], "Other expenses": []},
    CategoryKind.TRANSFER: {"Transfers": [], "Savings": []},
}


def encode_cursor(row: Transaction) -> str:
    return base64.urlsafe_b64encode(
        f"t:{row.booking_date.isoformat()}:{row.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, day, key = raw.split(":")
        if prefix != "t":
            raise ValueError(prefix)
        return date.fromisoformat(day), int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadUserInput("Invalid cursor", field="after") from exc


def _text(value: str | None, field: str, length: int) -> str | None:
    if value is None:
        return None
    clean = " ".join(value.split())
    if len(clean) > length:
        raise BadUserInput(f"{field} is at most {length} characters", field=field)
    return clean or None


def _lines(value: str | None, field: str, length: int) -> str | None:
    """Like `_text`, but an address or a note keeps its line breaks (blank lines at most one)."""
    if value is None:
        return None
    lines = [" ".join(line.split()) for line in value.replace("\r\n", "\n").split("\n")]
    clean = "\n".join(lines).strip("\n")
    while "\n\n\n" in clean:
        clean = clean.replace("\n\n\n", "\n\n")
    if len(clean) > length:
        raise BadUserInput(f"{field} is at most {length} characters", field=field)
    return clean or None


def _iban(value: str | None) -> str | None:
    if not value:
        return None
    iban = value.replace(" ", "").upper()
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit()
            and iban.isalnum()):
        raise BadUserInput("That is not an IBAN", field="iban")
    rotated = iban[4:] + iban[:4]
    if int("".join(str(int(ch, 36)) for ch in rotated)) % 97 != 1:
        raise BadUserInput("That IBAN's check digits are wrong", field="iban")
    return iban


class FinanceService:
    def __init__(self, tags: TagService) -> None:
        self.tags = tags
        tags.register(TaggedKind.TRANSACTION, owned_by(Transaction))
        tags.register(TaggedKind.CLIENT, owned_by(Client))

    @staticmethod
    async def _get(model: type[M], user: User, row_id: int) -> M:
        row = await model.get_or_none(id=row_id, owner_id=user.id)
        if row is None:
            raise NotFound(f"{model.__name__} {row_id} not found")
        return row

    # ------------------------------------------------------------------ accounts

    async def accounts(self, user: User, include_archived: bool = False) -> list[Account]:
        query = Account.filter(owner_id=user.id)
        if not include_archived:
            query = query.filter(archived=False)
        return await query.order_by("name", "id")

    async def account(self, user: User, account_id: int) -> Account:
        return await self._get(Account, user, account_id)

    async def create_account(self, user: User, new: NewAccount) -> Account:
        clean = _text(new.name, "name", 100)
        if not clean:
            raise BadUserInput("An account needs a name", field="name")
        if new.source not in (AccountSource.MANUAL, AccountSource.IMPORT):
            raise BadUserInput("Bank accounts are created by connecting the bank",
                               field="source")
        return await Account.create(
            owner_id=user.id, name=clean, currency=check_currency(new.currency),
            institution=_text(new.institution, "institution", 100), iban=_iban(new.iban),
            type=new.type, source=new.source,
            opening_balance_units=self._units(new.opening_balance, "openingBalance"))

    @staticmethod
    def _units(amount: Decimal | None, field: str) -> int:
        if amount is None:
            return 0
        try:
            return to_units(amount)
        except ValueError as exc:
            raise BadUserInput(str(exc), field=field) from None

    async def update_account(self, user: User, account_id: int,
                             patch: AccountPatch) -> Account:
        account = await self.account(user, account_id)
        if patch.name is not KEEP:
            name = _text(patch.name, "name", 100)
            if not name:
                raise BadUserInput("An account needs a name", field="name")
            account.name = name
        if patch.institution is not KEEP:
            account.institution = _text(patch.institution, "institution", 100)
        if patch.iban is not KEEP:
            account.iban = _iban(patch.iban)
        if patch.type is not KEEP:
            if patch.type is None:
                raise BadUserInput("An account needs a type", field="type")
            account.type = patch.type
        if patch.opening_balance is not KEEP:
            account.opening_balance_units = self._units(patch.opening_balance,
                                                        "openingBalance")
        if patch.currency is not KEEP and (
                currency := check_currency(patch.currency or "")) != account.currency:
            if await Transaction.exists(account_id=account.id):
                raise BadUserInput("The account has transactions: its currency stays",
                                   field="currency")
            account.currency = currency
        await account.save()
        return account

    async def archive_account(self, user: User, account_id: int, archived: bool = True,
                              ) -> Account:
        account = await self.account(user, account_id)
        account.archived = archived
        await account.save(update_fields=["archived", "updated_at"])
        return account

    async def balances(self, account_ids: list[int]) -> dict[int, Decimal]:
        """The bank's balance for synced accounts, else opening balance + every booked
        transaction: one GROUP BY for all of them."""
        accounts = await Account.filter(id__in=account_ids)
        sums = dict(await Transaction.filter(account_id__in=account_ids).group_by(
            "account_id").annotate(total=Sum("amount_units")).values_list("account_id",
                                                                             "total"))
        return {a.id: from_units(a.balance_units if a.balance_units is not None
                                 else a.opening_balance_units + int(sums.get(a.id) or 0))
                for a in accounts}

    # ------------------------------------------------------------------ transactions

    async def transactions(self, user: User, first: int, after: str | None,
                           where: TransactionFilter) -> Page[Transaction]:
        """Newest first, keyset on (booking date, id): stable while rows arrive."""
        check_first(first)
        query = Transaction.filter(owner_id=user.id)
        if where.account_ids is not None:
            query = query.filter(account_id__in=list(where.account_ids))
        if where.date_from is not None:
            query = query.filter(booking_date__gte=where.date_from)
        if where.date_to is not None:
            query = query.filter(booking_date__lte=where.date_to)
        if where.amount_min is not None:
            query = query.filter(amount_units__gte=self._units(where.amount_min, "amountMin"))
        if where.amount_max is not None:
            query = query.filter(amount_units__lte=self._units(where.amount_max, "amountMax"))
        if where.uncategorised:
            query = query.filter(category_id__isnull=True)
        elif where.category_ids is not None:
            query = query.filter(category_id__in=list(where.category_ids))
        if where.client_ids is not None:
            query = query.filter(client_id__in=list(where.client_ids))
        if where.tag_ids is not None:
            tagged = TagLink.filter(entity_type=TaggedKind.TRANSACTION,
                                    tag_id__in=list(where.tag_ids)).values("entity_id")
            query = query.filter(id__in=Subquery(tagged))
        if where.search:
            term = where.search.strip()[:200]
            query = query.filter(Q(description__icontains=term)
                                 | Q(counterparty_name__icontains=term)
                                 | Q(reference__icontains=term))
        if after is not None:
            day, key = decode_cursor(after)
            query = query.filter(Q(booking_date__lt=day) | Q(booking_date=day, id__lt=key))
        rows = await query.order_by("-booking_date", "-id").limit(first + 1)
        return Page(rows[:first], len(rows) > first, after is not None)

    async def transaction(self, user: User, transaction_id: int) -> Transaction:
        return await self._get(Transaction, user, transaction_id)

    async def categorize(self, user: User, transaction_id: int,
                         category_id: int | None) -> Transaction:
        row = await self.transaction(user, transaction_id)
        if category_id is not None:
            await self._get(Category, user, category_id)
        row.category_id = category_id
        await row.save(update_fields=["category_id", "updated_at"])
        return row

    async def assign_client(self, user: User, transaction_id: int,
                            client_id: int | None) -> Transaction:
        row = await self.transaction(user, transaction_id)
        if client_id is not None:
            await self._get(Client, user, client_id)
        row.client_id = client_id
        await row.save(update_fields=["client_id", "updated_at"])
        return row

    # ------------------------------------------------------------------ imports

    async def import_transactions(self, user: User, request: ImportRequest,
                                  stream: IO[bytes]) -> IngestReport:
        account = await self.account(user, request.account_id)
        return await import_file(account, read_limited(stream), request)

    async def set_import_mapping(self, user: User, account_id: int,
                                 mapping: ImportMapping | None) -> Account:
        """What the account remembers of how its files read; None forgets it."""
        account = await self.account(user, account_id)
        account.import_mapping = mapping_json(mapping)
        await account.save(update_fields=["import_mapping", "updated_at"])
        return account

    # ------------------------------------------------------------------ categories

    async def categories(self, user: User) -> list[Category]:
        """The user's categories; the default set is created on first use."""
        rows = await Category.filter(owner_id=user.id).order_by("kind", "name")
        if rows:
            return rows
        for kind, tree in DEFAULT_CATEGORIES.items():
            for name, children in tree.items():
                parent = await Category.create(owner_id=user.id, name=name, kind=kind)
                for child in children:
                    await Category.create(owner_id=user.id, name=child, kind=kind,
                                          parent_id=parent.id)
        return await Category.filter(owner_id=user.id).order_by("kind", "name")

    async def create_category(self, user: User, name: str, kind: CategoryKind,
                              parent_id: int | None = None, color: str | None = None,
                              ) -> Category:
        clean = _text(name, "name", 80)
        if not clean:
            raise BadUserInput("A category needs a name", field="name")
        if parent_id is not None:
            parent = await self._get(Category, user, parent_id)
            if parent.kind is not kind:
                raise BadUserInput("A subcategory has its parent's kind", field="kind")
        return await Category.create(owner_id=user.id, name=clean, kind=kind,
                                     parent_id=parent_id, color=check_color(color))

    async def category(self, user: User, category_id: int) -> Category:
        return await self._get(Category, user, category_id)

    async def by_ids(self, model: type[M], ids: list[int]) -> dict[int, M]:
        return {row.pk: row for row in await model.filter(id__in=ids)}

    # ------------------------------------------------------------------ clients

    async def clients(self, user: User) -> list[Client]:
        return await Client.filter(owner_id=user.id).order_by("name", "id")

    async def client(self, user: User, client_id: int) -> Client:
        return await self._get(Client, user, client_id)

    # column: (the API's name in messages, longest length, how to tidy it)
    _CLIENT_TEXT: dict[str, tuple[str, int, Callable[[str | None, str, int], str | None]]] = {
        "name": ("name", 200, _text), "business_name": ("businessName", 200, _text),
        "tax_id": ("taxId", 50, _text), "email": ("email", 254, _text),
        "phone": ("phone", 50, _text), "address": ("address", 1000, _lines),
        "notes": ("notes", 5000, _lines)}

    def _client_values(self, fields: ClientFields) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for column, value in changes(fields).items():
            if column in self._CLIENT_TEXT:
                label, length, tidy = self._CLIENT_TEXT[column]
                clean[column] = tidy(value, label, length)
            elif column == "currency":
                clean[column] = check_currency(value) if value else None
            elif column == "payment_terms_days":
                if value is not None and not 0 <= value <= 365:
                    raise BadUserInput("paymentTermsDays is 0 to 365", field="paymentTermsDays")
                clean[column] = value
        if clean.get("email") and "@" not in clean["email"]:
            raise BadUserInput("That is not an email address", field="email")
        return clean

    async def create_client(self, user: User, fields: ClientFields) -> Client:
        clean = self._client_values(fields)
        if not clean.get("name"):
            raise BadUserInput("A client needs a name", field="name")
        return await Client.create(owner_id=user.id, **clean)

    async def update_client(self, user: User, client_id: int, fields: ClientFields) -> Client:
        client = await self.client(user, client_id)
        clean = self._client_values(fields)
        if "name" in clean and not clean["name"]:
            raise BadUserInput("A client needs a name", field="name")
        client.update_from_dict(clean)
        await client.save()
        return client

    async def delete_client(self, user: User, client_id: int) -> bool:
        """Its transactions stay, without a client."""
        deleted = await Client.filter(id=client_id, owner_id=user.id).delete()
        if deleted:
            await self.tags.forget(TaggedKind.CLIENT, [client_id])
        return bool(deleted)

    async def client_totals(self, client_ids: list[int]) -> dict[int, list[tuple[str, Decimal,
                                                                               Decimal, int]]]:
        """Per client and currency: money in, money out, count. One GROUP BY for all."""
        rows = await Transaction.filter(client_id__in=client_ids).group_by(
            "client_id", "currency").annotate(
            income=Sum("amount_units", _filter=Q(amount_units__gt=0)),
            expenses=Sum("amount_units", _filter=Q(amount_units__lt=0)),
            count=Count("id")).values_list("client_id", "currency", "income", "expenses",
                                           "count")
        totals: dict[int, list[tuple[str, Decimal, Decimal, int]]] = {i: [] for i in client_ids}
        for client_id, currency, income, expenses, count in rows:
            totals[int(client_id)].append((str(currency), from_units(int(income or 0)),
                                           from_units(int(expenses or 0)), int(count)))
        return totals

    # ------------------------------------------------------------------ rules

    async def rules(self, user: User) -> list[Rule]:
        return await Rule.filter(owner_id=user.id).order_by("priority", "id")

    async def _rule_values(self, user: User, fields: RuleFields) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        if fields.name is not KEEP:
            name = _text(fields.name, "name", 100)
            if not name:
                raise BadUserInput("A rule needs a name", field="name")
            clean["name"] = name
        if fields.priority is not KEEP and fields.priority is not None:
            clean["priority"] = fields.priority
        if fields.enabled is not KEEP and fields.enabled is not None:
            clean["enabled"] = fields.enabled
        if fields.conditions is not KEEP:
            conditions = check_conditions(fields.conditions or {})
            if "accountId" in conditions:
                await self.account(user, conditions["accountId"])
            clean["conditions"] = conditions
        if fields.category_id is not KEEP:
            if fields.category_id is not None:
                await self._get(Category, user, fields.category_id)
            clean["category_id"] = fields.category_id
        if fields.client_id is not KEEP:
            if fields.client_id is not None:
                await self._get(Client, user, fields.client_id)
            clean["client_id"] = fields.client_id
        if fields.tag_ids is not KEEP:
            ids = sorted(set(fields.tag_ids or []))
            mine = await owned_by(Tag)(user.id, ids)
            if missing := [i for i in ids if i not in mine]:
                raise NotFound(f"Tag {missing[0]} not found")
            clean["tag_ids"] = ids
        return clean

    async def create_rule(self, user: User, fields: RuleFields) -> Rule:
        clean = await self._rule_values(user, fields)
        if not clean.get("name"):
            raise BadUserInput("A rule needs a name", field="name")
        if not (clean.get("category_id") or clean.get("client_id") or clean.get("tag_ids")):
            raise BadUserInput("A rule sets a category, a client or tags", field="categoryId")
        return await Rule.create(owner_id=user.id, **clean)

    async def update_rule(self, user: User, rule_id: int, fields: RuleFields) -> Rule:
        rule = await self._get(Rule, user, rule_id)
        rule.update_from_dict(await self._rule_values(user, fields))
        await rule.save()
        return rule

    async def delete_rule(self, user: User, rule_id: int) -> bool:
        return bool(await Rule.filter(id=rule_id, owner_id=user.id).delete())

    async def apply_rules(self, user: User) -> RuleRun:
        return await apply_rules(user.id)
