"""GraphQL types of backtests and walk-forward optimisations, read from their stored results."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ai_service.core.jobs.models import JobState
from ai_service.graphql.context import Context
from ai_service.graphql.jobs import JobType
from ai_service.graphql.scalars import FloatSeries, IntSeries
from ai_service.graphql.trading.enums import RunStatus, ScoreMetric
from ai_service.graphql.trading.types import StrategyType
from ai_service.platform.market import utc
from ai_service.trading.models import Backtest as BacktestRow
from ai_service.trading.models import Optimization as OptimizationRow


@strawberry.type
class BacktestMetrics:
    total_return: float = strawberry.field(description="A fraction: 0.25 is +25%.")
    cagr: float | None
    volatility: float | None = strawberry.field(description="Annualised.")
    sharpe: float | None
    sortino: float | None
    max_drawdown: float = strawberry.field(description="A fraction of the peak.")
    max_drawdown_days: float
    win_rate: float | None
    profit_factor: float | None
    trade_count: int
    exposure: float = strawberry.field(description="Fraction of bars in the market.")
    buy_and_hold_return: float

    @classmethod
    def of(cls, m: dict[str, Any]) -> BacktestMetrics:
        return cls(total_return=m["totalReturn"], cagr=m["cagr"], volatility=m["volatility"],
                   sharpe=m["sharpe"], sortino=m["sortino"], max_drawdown=m["maxDrawdown"],
                   max_drawdown_days=m["maxDrawdownDays"], win_rate=m["winRate"],
                   profit_factor=m["profitFactor"], trade_count=m["tradeCount"],
                   exposure=m["exposure"], buy_and_hold_return=m["buyAndHoldReturn"])


@strawberry.type
class BacktestTrade:
    side: str = strawberry.field(description="LONG or SHORT.")
    entry_time: datetime
    entry_price: float
    exit_time: datetime
    exit_price: float
    quantity: float
    pnl: float = strawberry.field(description="Net of fees and slippage.")
    return_pct: float = strawberry.field(description="In percent: 2.5 is +2.5%.")
    fees: float
    exit_reason: str = strawberry.field(
        description="SIGNAL, STOP_LOSS, TAKE_PROFIT or END_OF_DATA.")


@strawberry.type
class EquityCurve:
    timestamps: IntSeries
    values: FloatSeries


async def _run_status(info: Info[Context, None], row: BacktestRow | OptimizationRow,
                      ) -> RunStatus:
    """A run whose job was cancelled, or gave up, is FAILED whatever its row still says."""
    if row.status in (RunStatus.QUEUED, RunStatus.RUNNING) and row.job_id is not None:
        job = await info.context.loaders.job.load(row.job_id)
        if job is None or job.state in (JobState.DEAD, JobState.CANCELLED):
            return RunStatus.FAILED
    return row.status


async def _job(info: Info[Context, None], job_id: int | None) -> JobType | None:
    if job_id is None:
        return None
    job = await info.context.loaders.job.load(job_id)
    return JobType.of(job) if job else None


async def _full(row: BacktestRow, column: str) -> Any:
    """Lists defer the bulky columns; read one when a field asks for it."""
    if row.__dict__.get(column) is not None:
        return row.__dict__[column]
    if row.status is not RunStatus.SUCCEEDED:
        return None
    values = await BacktestRow.filter(id=row.id).values_list(column, flat=True)
    return values[0] if values else None


# --------------------------------------------------------------------------- backtests


@strawberry.type(name="Backtest")
class BacktestType:
    id: strawberry.ID
    strategy_id: strawberry.ID
    error: str | None
    start: datetime | None = strawberry.field(name="from")
    end: datetime | None = strawberry.field(name="to")
    initial_capital: float
    bar_count: int
    configuration: JSON = strawberry.field(
        description="What ran: kind, symbol, timeframe, parameters and risk at the time.")
    created_at: datetime
    finished_at: datetime | None
    row: strawberry.Private[BacktestRow]

    @classmethod
    def of(cls, row: BacktestRow) -> BacktestType:
        return cls(id=strawberry.ID(str(row.id)), strategy_id=strawberry.ID(str(row.strategy_id)),
                   error=row.error, start=row.range_start,
                   end=row.range_end, initial_capital=row.initial_capital,
                   bar_count=row.bar_count, configuration=cast(JSON, row.config),
                   created_at=row.created_at, finished_at=row.finished_at, row=row)

    @strawberry.field
    async def status(self, info: Info[Context, None]) -> RunStatus:
        return await _run_status(info, self.row)

    @strawberry.field
    def metrics(self) -> BacktestMetrics | None:
        return BacktestMetrics.of(self.row.metrics) if self.row.metrics else None

    @strawberry.field(description="Closed trades in time order.")
    async def trades(self) -> list[BacktestTrade]:
        records = await _full(self.row, "trades") or []
        return [BacktestTrade(
            side=t["side"], entry_time=utc(t["entryTime"]), entry_price=t["entryPrice"],
            exit_time=utc(t["exitTime"]), exit_price=t["exitPrice"], quantity=t["quantity"],
            pnl=t["pnl"], return_pct=t["returnPct"], fees=t["fees"],
            exit_reason=t["exitReason"]) for t in records]

    @strawberry.field(description="Account value at bar closes; long runs are thinned to a "
                                  "few thousand points that keep each stretch's low and high.")
    async def equity_curve(self) -> EquityCurve | None:
        equity = await _full(self.row, "equity")
        if not equity:
            return None
        return EquityCurve(timestamps=IntSeries(equity["timestamps"]),
                           values=FloatSeries(equity["values"]))

    @strawberry.field
    async def strategy(self, info: Info[Context, None]) -> StrategyType | None:
        row = await info.context.loaders.strategy.load(int(self.strategy_id))
        return StrategyType.of(row) if row else None

    @strawberry.field(description="The job of a background run.")
    async def job(self, info: Info[Context, None]) -> JobType | None:
        return await _job(info, self.row.job_id)


# --------------------------------------------------------------------------- optimisation


@strawberry.type
class RankedParameters:
    rank: int
    parameters: JSON
    score: float | None
    metrics: BacktestMetrics


@strawberry.type
class WalkForwardWindow:
    train_from: datetime
    train_to: datetime
    test_from: datetime
    test_to: datetime
    parameters: JSON = strawberry.field(description="The best on the train window.")
    in_sample: BacktestMetrics
    out_of_sample: BacktestMetrics


@strawberry.type(name="Optimization")
class OptimizationType:
    id: strawberry.ID
    strategy_id: strawberry.ID
    error: str | None
    configuration: JSON
    created_at: datetime
    finished_at: datetime | None
    row: strawberry.Private[OptimizationRow]

    @classmethod
    def of(cls, row: OptimizationRow) -> OptimizationType:
        return cls(id=strawberry.ID(str(row.id)), strategy_id=strawberry.ID(str(row.strategy_id)),
                   error=row.error, configuration=cast(JSON, row.config),
                   created_at=row.created_at, finished_at=row.finished_at, row=row)

    @strawberry.field
    async def status(self, info: Info[Context, None]) -> RunStatus:
        return await _run_status(info, self.row)

    def _result(self) -> dict[str, Any] | None:
        return self.row.__dict__.get("result")

    @strawberry.field
    async def metric(self) -> ScoreMetric:
        return ScoreMetric(self.row.config["metric"])

    @strawberry.field(description="Combinations tested (invalid ones of the grid skipped).")
    def combinations(self) -> int | None:
        result = self._result()
        return result["combinations"] if result else None

    @strawberry.field(description="Mean score of the chosen parameters on their train windows.")
    def in_sample_score(self) -> float | None:
        result = self._result()
        return result["inSampleScore"] if result else None

    @strawberry.field(description="Mean score of the same parameters on the following, unseen "
                                  "test windows: the figure to trust.")
    def out_of_sample_score(self) -> float | None:
        result = self._result()
        return result["outOfSampleScore"] if result else None

    @strawberry.field(description="The test windows' returns compounded (null when they "
                                  "overlap).")
    def out_of_sample_return(self) -> float | None:
        result = self._result()
        return result["outOfSampleReturn"] if result else None

    @strawberry.field
    def windows(self) -> list[WalkForwardWindow]:
        result = self._result() or {"windows": []}
        return [WalkForwardWindow(
            train_from=utc(w["trainFrom"]), train_to=utc(w["trainTo"]),
            test_from=utc(w["testFrom"]), test_to=utc(w["testTo"]),
            parameters=w["parameters"], in_sample=BacktestMetrics.of(w["inSample"]),
            out_of_sample=BacktestMetrics.of(w["outOfSample"])) for w in result["windows"]]

    @strawberry.field(description="Every combination on the whole range (in sample), best "
                                  "first.")
    def ranking(self, first: int = 20) -> list[RankedParameters]:
        result = self._result() or {"ranking": []}
        return [RankedParameters(rank=r["rank"], parameters=r["parameters"], score=r["score"],
                                 metrics=BacktestMetrics.of(r["metrics"]))
                for r in result["ranking"][:max(0, min(first, 500))]]

    @strawberry.field
    async def job(self, info: Info[Context, None]) -> JobType | None:
        return await _job(info, self.row.job_id)
