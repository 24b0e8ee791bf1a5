"""Rules: conditions on a transaction that set its category and client and add tags.

Rules run in priority order (lower first, then oldest) as one UPDATE each, in SQL, over the
transactions they are asked to cover (a new import batch, or everything): the first rule that
matches a transaction without a category gives it one, and likewise for the client, so choices
made by hand are never overwritten; every matching rule adds its tags. Running them again
changes nothing that is already set (`applyRules` is idempotent).

Text conditions compare case-insensitively with LIKE; SQLite folds ASCII letters only.

The rows of an import are new, so nothing on them is set by hand: `Assigner` decides their
category and client in Python while they are written (one pass over rows already in memory
instead of an UPDATE per rule that rewrites every matching row), with the same result as the
SQL. Where the SQL's answer could depend on the database (a text condition over a text with
non-ASCII letters, which SQLite does not fold and PostgreSQL folds by its locale), the row is
left for the SQL to decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from ai_service.core import db
from ai_service.core.errors import BadUserInput
from ai_service.finance.models import Rule
from ai_service.finance.money import to_units

CONDITIONS = ("descriptionContains", "counterpartyContains", "counterpartyIban", "amountMin",
              "amountMax", "accountId")


@dataclass(frozen=True)
class RuleRun:
    categorised: int = 0
    assigned: int = 0
    tagged: int = 0


def check_conditions(conditions: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form: text trimmed, amounts as decimal strings; at least one condition."""
    unknown = sorted(set(conditions) - set(CONDITIONS))
    if unknown:
        raise BadUserInput(f"Unknown condition {unknown[0][:40]!r} (conditions: "
                           f"{', '.join(CONDITIONS)})", field=f"conditions.{unknown[0][:40]}")
    clean: dict[str, Any] = {}
    for key in ("descriptionContains", "counterpartyContains", "counterpartyIban"):
        value = conditions.get(key)
        if value is not None:
            text = " ".join(str(value).split())
            if not text or len(text) > 200:
                raise BadUserInput(f"{key} must be 1 to 200 characters", field=f"conditions.{key}")
            clean[key] = text.replace(" ", "").upper() if key == "counterpartyIban" else text
    for key in ("amountMin", "amountMax"):
        value = conditions.get(key)
        if value is not None:
            try:
                to_units(Decimal(str(value)))
            except (ArithmeticError, ValueError):
                raise BadUserInput(f"{key} must be an amount", field=f"conditions.{key}",
                                   ) from None
            clean[key] = str(Decimal(str(value)))
    if "amountMin" in clean and "amountMax" in clean and (
            Decimal(clean["amountMin"]) > Decimal(clean["amountMax"])):
        raise BadUserInput("amountMin is more than amountMax", field="conditions.amountMin")
    if conditions.get("accountId") is not None:
        clean["accountId"] = int(conditions["accountId"])
    if not clean:
        raise BadUserInput("A rule needs at least one condition", field="conditions")
    return clean


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(rule: Rule, scope: str, scope_params: list[Any]) -> tuple[str, list[Any]]:
    """The rule's conditions as SQL over `transactions t` (values as parameters)."""
    parts = ["t.owner_id = ?", scope]
    params: list[Any] = [rule.owner_id, *scope_params]
    c = rule.conditions
    if "descriptionContains" in c:
        parts.append("LOWER(t.description) LIKE ? ESCAPE '\\'")
        params.append(_like(c["descriptionContains"]))
    if "counterpartyContains" in c:
        parts.append("LOWER(COALESCE(t.counterparty_name, '')) LIKE ? ESCAPE '\\'")
        params.append(_like(c["counterpartyContains"]))
    if "counterpartyIban" in c:
        parts.append("t.counterparty_iban = ?")
        params.append(c["counterpartyIban"])
    if "amountMin" in c:
        parts.append("t.amount_units >= ?")
        params.append(to_units(Decimal(c["amountMin"])))
    if "amountMax" in c:
        parts.append("t.amount_units <= ?")
        params.append(to_units(Decimal(c["amountMax"])))
    if "accountId" in c:
        parts.append("t.account_id = ?")
        params.append(int(c["accountId"]))
    return " AND ".join(parts), params


class Assigner:
    """The category and client the rules give a new transaction of one account, decided in
    Python: the first matching rule with a category gives it, likewise for the client."""

    def __init__(self, rules: Sequence[Rule], account_id: int) -> None:
        self._checks: list[tuple[int | None, int | None, str | None, str | None, str | None,
                                 int | None, int | None]] = []
        self._reads_description = self._reads_counterparty = False
        for rule in rules:
            c = rule.conditions
            if (rule.category_id is None and rule.client_id is None) or (
                    "accountId" in c and int(c["accountId"]) != account_id):
                continue
            description, counterparty = (c.get("descriptionContains"),
                                         c.get("counterpartyContains"))
            self._reads_description |= description is not None
            self._reads_counterparty |= counterparty is not None
            if not all(text is None or text.isascii() for text in (description, counterparty)):
                # Non-ASCII letters never match a text of ASCII letters only, on either
                # database, and other texts are left to the SQL.
                continue
            self._checks.append((
                rule.category_id, rule.client_id,
                None if description is None else description.lower(),
                None if counterparty is None else counterparty.lower(),
                c.get("counterpartyIban"),
                None if "amountMin" not in c else to_units(Decimal(c["amountMin"])),
                None if "amountMax" not in c else to_units(Decimal(c["amountMax"]))))

    def assign(self, description: str, counterparty: str | None, iban: str | None,
               units: int) -> tuple[int | None, int | None] | None:
        """(category id, client id) for a row as it is stored (texts clipped to their
        columns), or None when only the SQL can tell (see the module's docstring)."""
        if self._reads_description:
            if not description.isascii():
                return None
            description = description.lower()  # ASCII: as LOWER() in SQL
        if counterparty is None:
            counterparty = ""  # COALESCE(counterparty_name, '')
        elif self._reads_counterparty:
            if not counterparty.isascii():
                return None
            counterparty = counterparty.lower()
        category = client = None
        for (category_id, client_id, in_description, in_counterparty, equal_iban, least,
             most) in self._checks:
            if ((category_id is None or category is not None)
                    and (client_id is None or client is not None)):
                continue  # nothing left for this rule to give
            if ((least is not None and units < least) or (most is not None and units > most)
                    or (equal_iban is not None and iban != equal_iban)
                    or (in_description is not None and in_description not in description)
                    or (in_counterparty is not None and in_counterparty not in counterparty)):
                continue
            category = category if category is not None else category_id
            client = client if client is not None else client_id
        return category, client


async def enabled_rules(owner_id: int, client: BaseDBAsyncClient | None = None) -> list[Rule]:
    """The order they run in: priority (lower first), then the oldest."""
    return await Rule.filter(owner_id=owner_id, enabled=True).order_by(
        "priority", "id").using_db(client)


async def apply_rules(owner_id: int, *, batch_id: int | None = None,
                      transaction_ids: list[int] | None = None,
                      client: BaseDBAsyncClient | None = None,
                      rules: Sequence[Rule] | None = None, assign: bool = True) -> RuleRun:
    """Runs the owner's enabled rules (or `rules`, in that order) over a batch, some
    transactions, or all of them. `assign=False` adds only tags: the caller has set
    categories and clients already (see `Assigner`)."""
    if batch_id is not None:
        scope, scope_params = "t.import_batch_id = ?", [batch_id]
    elif transaction_ids is not None:
        if not transaction_ids:
            return RuleRun()
        scope = f"t.id IN ({', '.join('?' * len(transaction_ids))})"
        scope_params = list(transaction_ids)
    else:
        scope, scope_params = "1 = 1", []
    categorised = assigned = tagged = 0
    if rules is None:
        rules = await enabled_rules(owner_id, client)
    for rule in rules:
        where, params = where_clause(rule, scope, scope_params)
        # UPDATE cannot alias its table on SQLite: match the row by id through a subquery.
        matching = f"SELECT t.id FROM transactions t WHERE {where}"  # noqa: S608 - params only
        if assign and rule.category_id is not None:
            categorised += await db.execute(
                f"UPDATE transactions SET category_id = ? WHERE category_id IS NULL "  # noqa: S608
                f"AND id IN ({matching})", [rule.category_id, *params], client)
        if assign and rule.client_id is not None:
            assigned += await db.execute(
                f"UPDATE transactions SET client_id = ? WHERE client_id IS NULL "  # noqa: S608
                f"AND id IN ({matching})", [rule.client_id, *params], client)
        for tag_id in rule.tag_ids:
            tagged += await db.execute(
                "INSERT INTO tag_links (owner_id, tag_id, entity_type, entity_id) "  # noqa: S608
                f"SELECT ?, ?, 'TRANSACTION', t.id FROM transactions t WHERE {where} "
                "AND NOT EXISTS (SELECT 1 FROM tag_links l WHERE l.tag_id = ? "
                "AND l.entity_type = 'TRANSACTION' AND l.entity_id = t.id)",
                [owner_id, tag_id, *params, tag_id], client)
    return RuleRun(categorised, assigned, tagged)
