"""The trading enums under their GraphQL names: import them from here, so they are registered
before a type uses them."""

from __future__ import annotations

import strawberry

from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.models import RunStatus, SignalAction, StrategyStatus
from ai_service.trading.optimize import ScoreMetric
from ai_service.trading.strategies import StrategyKind

__all__ = ["RunStatus", "ScoreMetric", "SignalAction", "StrategyKind", "StrategyStatus",
           "Timeframe"]

strawberry.enum(Timeframe, name="Timeframe")
strawberry.enum(StrategyKind, name="StrategyKind")
strawberry.enum(StrategyStatus, name="StrategyStatus")
strawberry.enum(RunStatus, name="RunStatus")
strawberry.enum(SignalAction, name="SignalAction")
strawberry.enum(ScoreMetric, name="OptimizationMetric",
                description="What the optimiser ranks by (MAX_DRAWDOWN: smallest first).")
