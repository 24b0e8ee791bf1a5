"""GraphQL inputs of trading, each converted to the request its service takes: UNSET, null
and JSON objects end here, and IDs are parsed. The defaults shown are the requests' own."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

from ai_service.core.errors import BadUserInput
from ai_service.core.pagination import parse_id
from ai_service.core.patch import KEEP, Keep
from ai_service.graphql.trading.enums import ScoreMetric, StrategyKind, Timeframe
from ai_service.trading.backtest import RiskSettings
from ai_service.trading.requests import (
    BacktestRequest,
    NewStrategy,
    OptimizeRequest,
    StrategyPatch,
)

T = TypeVar("T")


def _object(value: object, field: str) -> dict[str, Any] | None:
    """A JSON object, or None when not given."""
    if value is None or value is UNSET:
        return None
    if not isinstance(value, dict):
        raise BadUserInput(f"{field} must be an object", field=field)
    return value


def _kept(value: T | None) -> T | Keep:
    """Not given, or null: left as it is."""
    return KEEP if value is None or value is UNSET else value


@strawberry.input
class RiskSettingsInput:
    position_size: float | None = RiskSettings.position_size
    stop_loss_pct: float | None = RiskSettings.stop_loss_pct
    take_profit_pct: float | None = RiskSettings.take_profit_pct
    fee_bps: float | None = RiskSettings.fee_bps
    slippage_bps: float | None = RiskSettings.slippage_bps
    allow_short: bool | None = RiskSettings.allow_short

    def settings(self) -> RiskSettings:
        """A null setting takes its default. RiskSettings check themselves; the field an error
        names is this input's place in the request (risk.stopLossPct)."""
        given = {name: value for name, value in asdict(self).items() if value is not None}
        try:
            return RiskSettings(**given)
        except BadUserInput as exc:
            raise BadUserInput(exc.message, field=f"risk.{exc.extensions['field']}") from None


@strawberry.input
class CreateStrategyInput:
    name: str
    kind: StrategyKind
    symbol: str
    timeframe: Timeframe
    parameters: JSON | None = strawberry.field(
        default=None, description="By name, e.g. {\"fast\": 20, \"slow\": 50}; missing ones "
                                  "take their default (see `strategyKinds`).")
    risk: RiskSettingsInput | None = None

    def request(self) -> NewStrategy:
        return NewStrategy(name=self.name, kind=self.kind, symbol=self.symbol,
                           timeframe=self.timeframe,
                           parameters=_object(self.parameters, "parameters"),
                           risk=None if self.risk is None else self.risk.settings())


@strawberry.input
class UpdateStrategyInput:
    name: str | None = UNSET
    kind: StrategyKind | None = UNSET
    symbol: str | None = UNSET
    timeframe: Timeframe | None = UNSET
    parameters: JSON | None = UNSET
    risk: RiskSettingsInput | None = UNSET

    def patch(self) -> StrategyPatch:
        """Fields not given, or null, stay; but a null `risk` resets every risk setting."""
        risk: RiskSettings | Keep | None = KEEP
        if self.risk is not UNSET:
            risk = None if self.risk is None else self.risk.settings()
        return StrategyPatch(name=_kept(self.name), kind=_kept(self.kind),
                             symbol=_kept(self.symbol), timeframe=_kept(self.timeframe),
                             parameters=_kept(_object(self.parameters, "parameters")),
                             risk=risk)


@strawberry.input
class RunBacktestInput:
    strategy_id: strawberry.ID
    start: datetime | None = strawberry.field(default=None, name="from")
    end: datetime | None = strawberry.field(default=None, name="to",
                                            description="Exclusive.")
    initial_capital: float = BacktestRequest.initial_capital
    in_background: bool = strawberry.field(
        default=BacktestRequest.in_background,
        description="Run as a job even when short (long runs always are).")

    def request(self) -> BacktestRequest:
        return BacktestRequest(strategy_id=parse_id(self.strategy_id, "strategyId"),
                               start=self.start, end=self.end,
                               initial_capital=self.initial_capital,
                               in_background=self.in_background)


@strawberry.input
class OptimizeStrategyInput:
    strategy_id: strawberry.ID
    grid: JSON = strawberry.field(description="Values to try per parameter, e.g. "
                                              "{\"fast\": [10, 20], \"slow\": [50, 100]}.")
    metric: ScoreMetric = OptimizeRequest.metric
    train_bars: int | None = strawberry.field(
        default=None, description="Bars each window fits on (default: 3 x testBars).")
    test_bars: int | None = strawberry.field(
        default=None, description="Bars each window tests on, out of sample (default: a tenth).")
    step_bars: int | None = strawberry.field(default=None,
                                             description="Default: testBars.")
    start: datetime | None = strawberry.field(default=None, name="from")
    end: datetime | None = strawberry.field(default=None, name="to")
    initial_capital: float = OptimizeRequest.initial_capital

    def request(self) -> OptimizeRequest:
        return OptimizeRequest(strategy_id=parse_id(self.strategy_id, "strategyId"),
                               grid=_object(self.grid, "grid") or {}, metric=self.metric,
                               train_bars=self.train_bars, test_bars=self.test_bars,
                               step_bars=self.step_bars, start=self.start, end=self.end,
                               initial_capital=self.initial_capital)
