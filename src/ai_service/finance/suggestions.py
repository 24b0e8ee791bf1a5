"""AI category suggestions that become ordinary rules.

The AI gateway proposes, for uncategorised transactions in batches, a category with a
confidence and a deterministic rule a person can read ("counterparty contains NETFLIX"). The
rule is checked against the transaction it came from and previewed against the history (how
many transactions it would match). Confident suggestions are accepted at once; the others wait
in a review queue. Accepting creates the rule and runs it, so the AI's judgement becomes
auditable and repeatable, and the next import needs no AI at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ai_service.core import db
from ai_service.core.errors import BadUserInput, NotFound
from ai_service.finance.inputs import RuleFields
from ai_service.finance.models import (
    Category,
    CategorySuggestion,
    Rule,
    SuggestionStatus,
    Transaction,
)
from ai_service.finance.money import from_units
from ai_service.finance.rules import apply_rules, check_conditions, where_clause
from ai_service.finance.service import FinanceService
from ai_service.platform.ai import LLMGateway
from ai_service.users.models import User

BATCH = 25
MAX_TRANSACTIONS = 200
AUTO_ACCEPT = 0.9
SYSTEM = ("You categorise bank transactions for a personal finance app. For each transaction "
          "choose one category id from the list, a confidence from 0 to 1, and a rule that "
          "would recognise similar transactions: the field (counterparty or description) and a "
          "short distinctive text that literally occurs in that field, such as a merchant "
          "name. Never invent a category id.")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"suggestions": {"type": "array", "items": {
        "type": "object",
        "properties": {
            "transactionId": {"type": "integer"},
            "categoryId": {"type": "integer"},
            "confidence": {"type": "number"},
            "field": {"type": "string", "enum": ["counterparty", "description"]},
            "contains": {"type": "string"},
            "reason": {"type": "string"},
        },
        "required": ["transactionId", "categoryId", "confidence", "field", "contains"],
    }}},
    "required": ["suggestions"],
}


@dataclass(frozen=True)
class SuggestionRun:
    suggestions: list[CategorySuggestion]
    accepted: int
    queued: int
    skipped: int  # answers that named an unknown category or a text absent from the field


class SuggestionService:
    def __init__(self, finance: FinanceService, llm: LLMGateway) -> None:
        self.finance = finance
        self.llm = llm

    async def suggest(self, user: User, transaction_ids: Sequence[int] | None = None,
                      ) -> SuggestionRun:
        query = Transaction.filter(owner_id=user.id, category_id__isnull=True)
        if transaction_ids is not None:
            if len(transaction_ids) > MAX_TRANSACTIONS:
                raise BadUserInput(f"At most {MAX_TRANSACTIONS} transactions at once",
                                   field="transactionIds")
            query = query.filter(id__in=list(transaction_ids))
        rows = await query.order_by("-booking_date", "-id").limit(MAX_TRANSACTIONS)
        categories = {c.id: c for c in await self.finance.categories(user)}
        made: list[CategorySuggestion] = []
        accepted = queued = skipped = 0
        for start in range(0, len(rows), BATCH):
            batch = {row.id: row for row in rows[start:start + BATCH]}
            completion = await self.llm.complete(
                self._prompt(list(batch.values()), categories), user_id=user.id, system=SYSTEM,
                schema=SCHEMA, temperature=0, purpose="finance.categorize")
            for answer in (completion.data or {}).get("suggestions", []):
                suggestion = await self._record(user, answer, batch, categories)
                if suggestion is None:
                    skipped += 1
                    continue
                made.append(suggestion)
                if suggestion.status is SuggestionStatus.ACCEPTED:
                    accepted += 1
                else:
                    queued += 1
        return SuggestionRun(made, accepted, queued, skipped)

    @staticmethod
    def _prompt(rows: list[Transaction], categories: dict[int, Category]) -> str:
        listed = [{"id": c.id, "name": c.name, "kind": c.kind.value,
                   "parentId": c.parent_id} for c in categories.values()]
        items = [{"transactionId": r.id, "date": r.booking_date.isoformat(),
                  "amount": str(from_units(r.amount_units)), "currency": r.currency,
                  "counterparty": r.counterparty_name or "", "description": r.description}
                 for r in rows]
        return (f"Categories:\n{json.dumps(listed, ensure_ascii=False)}\n\n"
                f"Transactions:\n{json.dumps(items, ensure_ascii=False)}")

    async def _record(self, user: User, answer: dict[str, Any], batch: dict[int, Transaction],
                      categories: dict[int, Category]) -> CategorySuggestion | None:
        row = batch.get(answer.get("transactionId"))  # type: ignore[arg-type]
        category = categories.get(answer.get("categoryId"))  # type: ignore[arg-type]
        if row is None or category is None:
            return None
        text = " ".join(str(answer.get("contains", "")).split())[:200]
        field = "counterparty" if answer.get("field") == "counterparty" else "description"
        source = row.counterparty_name if field == "counterparty" else row.description
        if not text or text.lower() not in (source or "").lower():
            return None  # a rule that would not even match its own example is no rule
        key = "counterpartyContains" if field == "counterparty" else "descriptionContains"
        conditions = check_conditions({key: text})
        confidence = min(1.0, max(0.0, float(answer.get("confidence") or 0)))
        probe = Rule(owner_id=user.id, conditions=conditions)
        where, params = where_clause(probe, "1 = 1", [])
        [(matches,)] = await db.fetch(
            f"SELECT COUNT(*) FROM transactions t WHERE {where}", params)  # noqa: S608
        await CategorySuggestion.filter(transaction_id=row.id,
                                        status=SuggestionStatus.PENDING).delete()
        suggestion = await CategorySuggestion.create(
            owner_id=user.id, transaction_id=row.id, category_id=category.id,
            confidence=confidence, conditions=conditions, matches=int(matches),
            reason=str(answer.get("reason") or "")[:300])
        if confidence >= AUTO_ACCEPT:
            await self.accept(user, suggestion.id)
            await suggestion.refresh_from_db()
        return suggestion

    async def queue(self, user: User, status: SuggestionStatus = SuggestionStatus.PENDING,
                    ) -> list[CategorySuggestion]:
        return await CategorySuggestion.filter(owner_id=user.id, status=status).order_by(
            "-confidence", "id")

    async def _pending(self, user: User, suggestion_id: int) -> CategorySuggestion:
        suggestion = await CategorySuggestion.get_or_none(id=suggestion_id, owner_id=user.id)
        if suggestion is None:
            raise NotFound(f"Suggestion {suggestion_id} not found")
        if suggestion.status is not SuggestionStatus.PENDING:
            raise BadUserInput(f"The suggestion was {suggestion.status.value.lower()} already",
                               field="id")
        return suggestion

    async def accept(self, user: User, suggestion_id: int,
                     category_id: int | None = None) -> CategorySuggestion:
        """Creates the rule (with another category if given) and runs it on everything
        uncategorised, the suggestion's own transaction included."""
        suggestion = await self._pending(user, suggestion_id)
        chosen = category_id or suggestion.category_id
        text = next(iter(suggestion.conditions.values()))
        rule = await self.finance.create_rule(user, RuleFields(
            name=f"AI: {text}"[:100], conditions=suggestion.conditions, category_id=chosen))
        await apply_rules(user.id)
        suggestion.status = SuggestionStatus.ACCEPTED
        suggestion.category_id = chosen
        suggestion.rule_id = rule.id
        await suggestion.save(update_fields=["status", "category_id", "rule_id"])
        return suggestion

    async def reject(self, user: User, suggestion_id: int) -> CategorySuggestion:
        suggestion = await self._pending(user, suggestion_id)
        suggestion.status = SuggestionStatus.REJECTED
        await suggestion.save(update_fields=["status"])
        return suggestion
