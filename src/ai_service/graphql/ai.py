"""GraphQL for the AI usage ledger: members see their own calls, administrators anyone's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from ai_service.core.errors import BadUserInput, Forbidden
from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.scalars import BigInt
from ai_service.platform.ai.usage import UsageRow, UsageSummary, usage_summary

MAX_RANGE = timedelta(days=3653)  # ten years, leap days included

@strawberry.type(name="AiUsageByModel")
class AiUsageByModelType:
    provider: str
    model: str
    calls: int
    failed_calls: int
    input_tokens: BigInt
    output_tokens: BigInt
    cost_usd: Decimal = strawberry.field(description="Estimated from list prices, in USD.")

    @classmethod
    def of(cls, row: UsageRow) -> AiUsageByModelType:
        return cls(provider=row.provider, model=row.model, calls=row.calls,
                   failed_calls=row.failed_calls, input_tokens=BigInt(row.input_tokens),
                   output_tokens=BigInt(row.output_tokens), cost_usd=row.cost_usd)


@strawberry.type(name="AiUsage")
class AiUsageType:
    start: datetime = strawberry.field(name="from")
    end: datetime = strawberry.field(name="to")
    user_id: strawberry.ID | None = strawberry.field(
        description="Whose calls these are; null for the whole instance.")
    calls: int
    failed_calls: int
    input_tokens: BigInt
    output_tokens: BigInt
    cost_usd: Decimal = strawberry.field(description="Estimated from list prices, in USD.")
    by_model: list[AiUsageByModelType]

    @classmethod
    def of(cls, summary: UsageSummary) -> AiUsageType:
        return cls(
            start=summary.start, end=summary.end,
            user_id=None if summary.user_id is None else strawberry.ID(str(summary.user_id)),
            calls=summary.calls, failed_calls=summary.failed_calls,
            input_tokens=BigInt(summary.input_tokens),
            output_tokens=BigInt(summary.output_tokens),
            cost_usd=summary.cost_usd, by_model=[AiUsageByModelType.of(r) for r in summary.rows],
        )


@strawberry.type
class LLMQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="AI calls made in [from, to), their tokens and estimated cost, per provider "
        "and model. Members see their own; an administrator may name a user, or leave userId "
        "out for the whole instance."
    )
    async def ai_usage(
        self,
        info: Info[Context, None],
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime, strawberry.argument(name="to")],
        user_id: strawberry.ID | None = None,
    ) -> AiUsageType:
        user = await info.context.user()
        start, end = _utc(start), _utc(end)
        if start > end:
            raise BadUserInput("`from` must not be after `to`", field="from")
        if end - start > MAX_RANGE:
            raise BadUserInput("The range may span at most ten years", field="to")
        target: int | None
        if user_id is not None:
            target = parse_id(user_id, "userId")
            if target != user.id and not user.is_admin:
                raise Forbidden("Only administrators may see another user's AI usage")
        else:
            target = None if user.is_admin else user.id
        return AiUsageType.of(await usage_summary(start, end, target))


def _utc(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC, as everything is stored."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
