"""The AI gateway (completions and embeddings through the configured providers) and its ledger.

`schema` (GraphQL) is not imported here: it needs the GraphQL context, which needs the services.
"""

from ai_service.platform.ai.gateway import (
    COMPLETION_TIMEOUT_SECONDS,
    EMBEDDING_TIMEOUT_SECONDS,
    Capability,
    Completion,
    Embeddings,
    InvalidOutput,
    LLMGateway,
    Message,
)
from ai_service.platform.ai.models import AiUsage
from ai_service.platform.ai.pricing import estimate_cost, price_for
from ai_service.platform.ai.usage import UsageRow, UsageSummary, usage_summary

__all__ = [
    "COMPLETION_TIMEOUT_SECONDS",
    "EMBEDDING_TIMEOUT_SECONDS",
    "AiUsage",
    "Capability",
    "Completion",
    "Embeddings",
    "InvalidOutput",
    "LLMGateway",
    "Message",
    "UsageRow",
    "UsageSummary",
    "estimate_cost",
    "price_for",
    "usage_summary",
]
