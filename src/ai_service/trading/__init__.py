"""Trading: indicators, strategy signals, a vectorised backtester, metrics and walk-forward
optimisation. Pure computation on numpy arrays; no database, no GraphQL."""

from ai_service.trading.backtest import (
    BacktestResult,
    EquityCurve,
    ExitReason,
    RiskSettings,
    Side,
    Trade,
    TradeLog,
    run_backtest,
    simulate,
)
from ai_service.trading.bars import Bars
from ai_service.trading.metrics import TRADING_DAYS_PER_YEAR, Metrics, compute_metrics
from ai_service.trading.optimize import (
    MAX_COMBINATIONS,
    OptimizationResult,
    RankedParams,
    ScoreMetric,
    Window,
    WindowResult,
    optimize,
    parameter_grid,
    walk_forward_windows,
)
from ai_service.trading.strategies import (
    PARAM_SPECS,
    ParamSpec,
    Signals,
    Strategy,
    StrategyKind,
    validate_params,
)

__all__ = [
    "MAX_COMBINATIONS",
    "PARAM_SPECS",
    "TRADING_DAYS_PER_YEAR",
    "BacktestResult",
    "Bars",
    "EquityCurve",
    "ExitReason",
    "Metrics",
    "OptimizationResult",
    "ParamSpec",
    "RankedParams",
    "RiskSettings",
    "ScoreMetric",
    "Side",
    "Signals",
    "Strategy",
    "StrategyKind",
    "Trade",
    "TradeLog",
    "Window",
    "WindowResult",
    "compute_metrics",
    "optimize",
    "parameter_grid",
    "run_backtest",
    "simulate",
    "validate_params",
    "walk_forward_windows",
]
