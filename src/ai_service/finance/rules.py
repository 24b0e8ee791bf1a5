"""Rules: conditions on a transaction that set its category and client and add tags.

Rules run in priority order (lower first, then oldest) as one UPDATE each, in SQL, over the
transactions they are asked to cover (a new import batch, or everything): the first rule that
matches a transaction without a category gives it one, and likewise for the client, so choices
made by hand are never overwritten; every matching rule adds its tags. Running them again
changes nothing that is already set (`applyRules` is idempotent).

Text conditions compare case-insensitively with LIKE; SQLite folds ASCII letters only.
"""

from __future__ import annotations

from collections.abc import Mapping
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


async def apply_rules(owner_id: int, *, batch_id: int | None = None,
                      transaction_ids: list[int] | None = None,
                      client: BaseDBAsyncClient | None = None) -> RuleRun:
    """Runs the owner's enabled rules over a batch, some transactions, or all of them."""
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
    rules = await Rule.filter(owner_id=owner_id, enabled=True).order_by("priority", "id").using_db(
        client)
    for rule in rules:
        where, params = where_clause(rule, scope, scope_params)
        # UPDATE cannot alias its table on SQLite: match the row by id through a subquery.
        matching = f"SELECT t.id FROM transactions t WHERE {where}"  # noqa: S608 - params only
        if rule.category_id is not None:
            categorised += await db.execute(
                f"UPDATE transactions SET category_id = ? WHERE category_id IS NULL "  # noqa: S608
                f"AND id IN ({matching})", [rule.category_id, *params], client)
        if rule.client_id is not None:
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
