"""Estimated prices of model calls, for the usage ledger.

List prices in USD per million tokens, by model family. A model is priced by the longest family
name it starts with, so dated snapshots (`gpt-4.1-mini-2025-04-14`, `claude-sonnet-4-5-20250929`)
cost what their family costs. An unknown model (a proxy's, a local server's) costs 0: the ledger
still counts its tokens. Cache discounts and batch pricing are ignored — this is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MILLION = Decimal(1_000_000)
COST_QUANTUM = Decimal("0.000001")  # ai_usage.cost_usd keeps 6 decimal places


@dataclass(frozen=True)
class Price:
    input: Decimal  # USD per 1M input tokens
    output: Decimal  # USD per 1M output tokens


def _p(input_usd: str, output_usd: str = "0") -> Price:
    return Price(Decimal(input_usd), Decimal(output_usd))


PRICES: dict[str, Price] = {
    # OpenAI chat
    "gpt-5": _p("1.25", "10"),
    "gpt-5-mini": _p("0.25", "2"),
    "gpt-5-nano": _p("0.05", "0.40"),
    "gpt-5-pro": _p("15", "120"),
    "gpt-4.1": _p("2", "8"),
    "gpt-4.1-mini": _p("0.40", "1.60"),
    "gpt-4.1-nano": _p("0.10", "0.40"),
    "gpt-4o": _p("2.50", "10"),
    "gpt-4o-mini": _p("0.15", "0.60"),
    "gpt-4-turbo": _p("10", "30"),
    "gpt-3.5-turbo": _p("0.50", "1.50"),
    "o1": _p("15", "60"),
    "o1-mini": _p("1.10", "4.40"),
    "o1-pro": _p("150", "600"),
    "o3": _p("2", "8"),
    "o3-pro": _p("20", "80"),
    "o3-mini": _p("1.10", "4.40"),
    "o4-mini": _p("1.10", "4.40"),
    # OpenAI embeddings (no output tokens)
    "text-embedding-3-small": _p("0.02"),
    "text-embedding-3-large": _p("0.13"),
    "text-embedding-ada-002": _p("0.10"),
    # Anthropic
    "claude-opus-4-5": _p("5", "25"),
    "claude-opus-4-1": _p("15", "75"),
    "claude-opus-4": _p("15", "75"),
    "claude-sonnet-4": _p("3", "15"),  # 4 and 4.5 alike
    "claude-haiku-4-5": _p("1", "5"),
    "claude-3-7-sonnet": _p("3", "15"),
    "claude-3-5-sonnet": _p("3", "15"),
    "claude-3-5-haiku": _p("0.80", "4"),
    "claude-3-opus": _p("15", "75"),
    "claude-3-haiku": _p("0.25", "1.25"),
}
# Longest first: the first match is the most specific family.
_BY_LENGTH = sorted(PRICES.items(), key=lambda item: len(item[0]), reverse=True)


def price_for(model: str) -> Price | None:
    name = model.lower().removeprefix("models/")
    for family, price in _BY_LENGTH:
        if name.startswith(family):
            return price
    return None


def estimate_cost(model: str, input_tokens: int, output_tokens: int) -> Decimal:
    """USD, rounded to the ledger's precision; 0 for a model without a known price."""
    price = price_for(model)
    if price is None:
        return Decimal(0).quantize(COST_QUANTUM)
    cost = (price.input * input_tokens + price.output * output_tokens) / MILLION
    return cost.quantize(COST_QUANTUM)
