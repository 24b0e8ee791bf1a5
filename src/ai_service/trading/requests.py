"""What callers hand the trading services: typed, snake_case requests. Their defaults are the
only ones (the GraphQL inputs advertise these); the services check the values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ai_service.core.patch import KEEP, Keep
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.backtest import DEFAULT_CAPITAL, RiskSettings
from ai_service.trading.optimize import ScoreMetric
from ai_service.trading.strategies import StrategyKind


@dataclass(frozen=True)
class NewStrategy:
    name: str
    kind: StrategyKind
    symbol: str
    timeframe: Timeframe
    parameters: Mapping[str, object] | None = None  # by name; missing ones take their default
    risk: RiskSettings | None = None  # None: the engine's defaults, nothing stored


@dataclass(frozen=True)
class StrategyPatch:
    """Changes to a strategy; a field left at KEEP stays as it is."""

    name: str | Keep = KEEP
    kind: StrategyKind | Keep = KEEP
    symbol: str | Keep = KEEP
    timeframe: Timeframe | Keep = KEEP
    # Kept: the stored ones while the kind stays, the new kind's defaults otherwise.
    parameters: Mapping[str, object] | Keep = KEEP
    risk: RiskSettings | Keep | None = KEEP  # replaces all risk settings; None: the defaults


@dataclass(frozen=True)
class BacktestRequest:
    strategy_id: int
    start: datetime | None = None
    end: datetime | None = None  # exclusive
    initial_capital: float = DEFAULT_CAPITAL
    in_background: bool = False  # a job even when short (long runs always are)


@dataclass(frozen=True)
class OptimizeRequest:
    strategy_id: int
    grid: Mapping[str, Sequence[object]]  # values to try per parameter
    metric: ScoreMetric = ScoreMetric.SHARPE
    train_bars: int | None = None  # None: three test windows' worth
    test_bars: int | None = None  # None: a tenth of the bars
    step_bars: int | None = None  # None: test_bars
    start: datetime | None = None
    end: datetime | None = None
    initial_capital: float = DEFAULT_CAPITAL
