"""AI calls and tokens from the `ai_usage` ledger, for `/metrics` (read at scrape time)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily, Metric
from tortoise.functions import Count, Sum

from ai_service.platform.ai.models import AiUsage


async def ai_metrics() -> Iterable[Metric]:
    rows = await AiUsage.annotate(calls=Count("id"), tin=Sum("input_tokens"),
                                  tout=Sum("output_tokens")).group_by(
        "provider", "model", "succeeded").values("provider", "model", "succeeded", "calls",
                                                 "tin", "tout")
    tokens = CounterMetricFamily("ai_service_ai_tokens", "AI tokens used (ai_usage ledger)",
                                 labels=["provider", "model", "direction"])
    calls = CounterMetricFamily("ai_service_ai_calls", "AI provider calls (ai_usage ledger)",
                                labels=["provider", "model", "result"])
    totals: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        key = (str(row["provider"]), str(row["model"]))
        total = totals.setdefault(key, [0.0, 0.0])
        total[0] += float(row["tin"] or 0)
        total[1] += float(row["tout"] or 0)
        calls.add_metric([*key, "ok" if row["succeeded"] else "error"], float(row["calls"]))
    for (provider, model), (tin, tout) in totals.items():
        tokens.add_metric([provider, model, "input"], tin)
        tokens.add_metric([provider, model, "output"], tout)
    return [tokens, calls]
