"""What AI calls cost over a period: totals and one row per provider and model, summed by the
database (GROUP BY), so a year of calls is never loaded into memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Sum

from ai_service.platform.ai.models import AiUsage
from ai_service.platform.ai.pricing import COST_QUANTUM


@dataclass(frozen=True)
class UsageRow:
    provider: str
    model: str
    calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal


@dataclass(frozen=True)
class UsageSummary:
    start: datetime
    end: datetime
    user_id: int | None  # None: the whole instance
    calls: int
    failed_calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal
    rows: tuple[UsageRow, ...]  # most expensive first


async def usage_summary(start: datetime, end: datetime, user_id: int | None) -> UsageSummary:
    """Calls made in [start, end), by one user or (None) by everyone."""
    # In UTC, as stored: SQLite compares the stored times as text.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    query = AiUsage.filter(created_at__gte=start, created_at__lt=end)
    if user_id is not None:
        query = query.filter(user_id=user_id)
    grouped = await (
        query.annotate(
            calls=Count("id"),
            failed_calls=Count("id", _filter=Q(succeeded=False)),
            input_sum=Sum("input_tokens"),
            output_sum=Sum("output_tokens"),
            cost_sum=Sum("cost_usd"),
        )
        .group_by("provider", "model")
        .values("provider", "model", "calls", "failed_calls", "input_sum", "output_sum",
                "cost_sum")
    )
    rows = sorted((_row(values) for values in grouped),
                  key=lambda r: (-r.cost_usd, -r.calls, r.provider, r.model))
    # The totals add up the few grouped rows, so both come from one snapshot.
    return UsageSummary(
        start=start, end=end, user_id=user_id,
        calls=sum(r.calls for r in rows),
        failed_calls=sum(r.failed_calls for r in rows),
        input_tokens=sum(r.input_tokens for r in rows),
        output_tokens=sum(r.output_tokens for r in rows),
        cost_usd=sum((r.cost_usd for r in rows), Decimal(0)).quantize(COST_QUANTUM),
        rows=tuple(rows),
    )


def _row(values: dict[str, Any]) -> UsageRow:
    return UsageRow(
        provider=values["provider"],
        model=values["model"],
        calls=int(values["calls"] or 0),
        failed_calls=int(values["failed_calls"] or 0),
        input_tokens=int(values["input_sum"] or 0),
        output_tokens=int(values["output_sum"] or 0),
        cost_usd=_decimal(values["cost_sum"]),
    )


def _decimal(value: Any) -> Decimal:
    """SQLite sums a decimal column as a float, PostgreSQL as an exact numeric."""
    if value is None:
        return Decimal(0).quantize(COST_QUANTUM)
    return Decimal(str(value)).quantize(COST_QUANTUM)
