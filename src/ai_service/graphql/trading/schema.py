"""GraphQL for trading: a thin layer over TradingService, TradingRuns and SignalService.

Series come back columnar (`timestamps` in epoch seconds, UTC, beside each value column), not
as thousands of objects. Every row is its owner's: another user's id is NOT_FOUND.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.unset import UNSET

from ai_service.core.errors import BadUserInput
from ai_service.core.jobs.models import JobState
from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.jobs import JobType
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.scalars import FloatSeries, IntSeries
from ai_service.graphql.uploads import uploaded
from ai_service.platform.market import BarColumns, SymbolSummary
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.backtest import DEFAULT_CAPITAL
from ai_service.trading.models import Backtest as BacktestRow
from ai_service.trading.models import Optimization as OptimizationRow
from ai_service.trading.models import RunStatus, SignalAction, StrategyStatus
from ai_service.trading.models import Signal as SignalRow
from ai_service.trading.models import Strategy as StrategyRow
from ai_service.trading.optimize import ScoreMetric
from ai_service.trading.runs import BacktestRequest, OptimizeRequest
from ai_service.trading.service import ImportReport
from ai_service.trading.strategies import PARAM_SPECS, StrategyKind

strawberry.enum(Timeframe, name="Timeframe")
strawberry.enum(StrategyKind, name="StrategyKind")
strawberry.enum(StrategyStatus, name="StrategyStatus")
strawberry.enum(RunStatus, name="RunStatus")
strawberry.enum(SignalAction, name="SignalAction")
strawberry.enum(ScoreMetric, name="OptimizationMetric",
                description="What the optimiser ranks by (MAX_DRAWDOWN: smallest first).")


def _time(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


# --------------------------------------------------------------------------- market data


@strawberry.type
class MarketDataRowError:
    row: int = strawberry.field(description="As a spreadsheet numbers it: the header is row 1.")
    message: str


@strawberry.type
class MarketDataImport:
    symbol: str
    timeframe: Timeframe
    rows: int = strawberry.field(description="Data rows read.")
    inserted: int
    updated: int = strawberry.field(description="Stored bars whose values the file corrected.")
    unchanged: int = strawberry.field(description="Bars already stored as they are.")
    rejected: int = strawberry.field(description="Rows that failed a check: when any did, "
                                                 "nothing was stored.")
    stored: bool
    errors: list[MarketDataRowError] = strawberry.field(
        description="The first rejected rows with every reason.")
    first: datetime | None
    last: datetime | None

    @classmethod
    def of(cls, report: ImportReport) -> MarketDataImport:
        return cls(symbol=report.symbol, timeframe=report.timeframe, rows=report.rows,
                   inserted=report.inserted, updated=report.updated,
                   unchanged=report.unchanged, rejected=report.rejected, stored=report.stored,
                   errors=[MarketDataRowError(row=e.row, message=e.message)
                           for e in report.errors],
                   first=report.first, last=report.last)


@strawberry.type
class MarketSymbol:
    symbol: str
    timeframe: Timeframe
    first: datetime
    last: datetime
    bar_count: int

    @classmethod
    def of(cls, summary: SymbolSummary) -> MarketSymbol:
        return cls(symbol=summary.symbol, timeframe=summary.timeframe, first=summary.first,
                   last=summary.last, bar_count=summary.count)


@strawberry.type(description="Bars as columns; timestamps are each bar's start in epoch "
                             "seconds (UTC).")
class Candles:
    symbol: str
    timeframe: Timeframe
    timestamps: IntSeries
    open: FloatSeries
    high: FloatSeries
    low: FloatSeries
    close: FloatSeries
    volume: FloatSeries

    @classmethod
    def of(cls, symbol: str, timeframe: Timeframe, bars: BarColumns) -> Candles:
        return cls(symbol=symbol, timeframe=timeframe,
                   timestamps=IntSeries(bars.timestamps.tolist()),
                   open=FloatSeries(bars.open.tolist()), high=FloatSeries(bars.high.tolist()),
                   low=FloatSeries(bars.low.tolist()), close=FloatSeries(bars.close.tolist()),
                   volume=FloatSeries(bars.volume.tolist()))


# --------------------------------------------------------------------------- strategies


@strawberry.type
class StrategyParameterSpec:
    name: str
    description: str
    default: float
    minimum: float
    maximum: float
    integer: bool
    exclusive: bool = strawberry.field(description="True: the bounds themselves are excluded.")


@strawberry.type
class StrategyKindInfo:
    kind: StrategyKind
    parameters: list[StrategyParameterSpec]


@strawberry.type
class RiskSettings:
    position_size: float = strawberry.field(description="Fraction of equity per position.")
    stop_loss_pct: float | None
    take_profit_pct: float | None
    fee_bps: float
    slippage_bps: float
    allow_short: bool = strawberry.field(description="False: long-only.")

    @classmethod
    def of(cls, risk: dict[str, Any]) -> RiskSettings:
        return cls(position_size=risk.get("positionSize", 1.0),
                   stop_loss_pct=risk.get("stopLossPct"),
                   take_profit_pct=risk.get("takeProfitPct"), fee_bps=risk.get("feeBps", 0.0),
                   slippage_bps=risk.get("slippageBps", 0.0),
                   allow_short=risk.get("allowShort", False))


@strawberry.input
class RiskSettingsInput:
    position_size: float | None = 1.0
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None
    fee_bps: float | None = 0.0
    slippage_bps: float | None = 0.0
    allow_short: bool | None = False

    def as_dict(self) -> dict[str, Any]:
        return {"positionSize": self.position_size, "stopLossPct": self.stop_loss_pct,
                "takeProfitPct": self.take_profit_pct, "feeBps": self.fee_bps,
                "slippageBps": self.slippage_bps, "allowShort": self.allow_short}


@strawberry.type(name="Strategy")
class StrategyType:
    id: strawberry.ID
    name: str
    kind: StrategyKind
    symbol: str
    timeframe: Timeframe
    parameters: JSON
    risk: RiskSettings
    status: StrategyStatus
    evaluated_through: datetime | None = strawberry.field(
        description="The last bar whose signals were evaluated (ACTIVE strategies).")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: StrategyRow) -> StrategyType:
        through = row.evaluated_through
        return cls(id=strawberry.ID(str(row.id)), name=row.name, kind=row.kind,
                   symbol=row.symbol, timeframe=row.timeframe,
                   parameters=cast(JSON, row.parameters),
                   risk=RiskSettings.of(row.risk), status=row.status,
                   evaluated_through=None if through is None else _time(through),
                   created_at=row.created_at, updated_at=row.updated_at)

    @strawberry.field(description="Newest first.")
    async def signals(self, info: Info[Context, None], first: int = 20,
                      after: str | None = None) -> Connection[SignalType]:
        page = await info.context.services.signals.signals(
            await info.context.user(), int(self.id), first, after)
        return Connection.of(page, SignalType.of)


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


@strawberry.input
class UpdateStrategyInput:
    name: str | None = UNSET
    kind: StrategyKind | None = UNSET
    symbol: str | None = UNSET
    timeframe: Timeframe | None = UNSET
    parameters: JSON | None = UNSET
    risk: RiskSettingsInput | None = UNSET


# --------------------------------------------------------------------------- backtests


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
            side=t["side"], entry_time=_time(t["entryTime"]), entry_price=t["entryPrice"],
            exit_time=_time(t["exitTime"]), exit_price=t["exitPrice"], quantity=t["quantity"],
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


async def _full(row: BacktestRow, column: str) -> Any:
    """Lists defer the bulky columns; read one when a field asks for it."""
    if row.__dict__.get(column) is not None:
        return row.__dict__[column]
    if row.status is not RunStatus.SUCCEEDED:
        return None
    values = await BacktestRow.filter(id=row.id).values_list(column, flat=True)
    return values[0] if values else None


async def _job(info: Info[Context, None], job_id: int | None) -> JobType | None:
    if job_id is None:
        return None
    job = await info.context.loaders.job.load(job_id)
    return JobType.of(job) if job else None


@strawberry.input
class RunBacktestInput:
    strategy_id: strawberry.ID
    start: datetime | None = strawberry.field(default=None, name="from")
    end: datetime | None = strawberry.field(default=None, name="to",
                                            description="Exclusive.")
    initial_capital: float = DEFAULT_CAPITAL
    in_background: bool = strawberry.field(
        default=False, description="Run as a job even when short (long runs always are).")


# --------------------------------------------------------------------------- optimisation


@strawberry.input
class OptimizeStrategyInput:
    strategy_id: strawberry.ID
    grid: JSON = strawberry.field(description="Values to try per parameter, e.g. "
                                              "{\"fast\": [10, 20], \"slow\": [50, 100]}.")
    metric: ScoreMetric = ScoreMetric.SHARPE
    train_bars: int | None = strawberry.field(
        default=None, description="Bars each window fits on (default: 3 x testBars).")
    test_bars: int | None = strawberry.field(
        default=None, description="Bars each window tests on, out of sample (default: a tenth).")
    step_bars: int | None = strawberry.field(default=None,
                                             description="Default: testBars.")
    start: datetime | None = strawberry.field(default=None, name="from")
    end: datetime | None = strawberry.field(default=None, name="to")
    initial_capital: float = DEFAULT_CAPITAL


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
            train_from=_time(w["trainFrom"]), train_to=_time(w["trainTo"]),
            test_from=_time(w["testFrom"]), test_to=_time(w["testTo"]),
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


# --------------------------------------------------------------------------- signals


@strawberry.type(name="Signal")
class SignalType:
    id: strawberry.ID
    strategy_id: strawberry.ID
    time: datetime = strawberry.field(description="The bar on whose close it was decided.")
    action: SignalAction
    price: float = strawberry.field(description="That close.")
    notified_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: SignalRow) -> SignalType:
        return cls(id=strawberry.ID(str(row.id)), strategy_id=strawberry.ID(str(row.strategy_id)),
                   time=_time(row.ts), action=row.action, price=row.price,
                   notified_at=row.notified_at, created_at=row.created_at)


# --------------------------------------------------------------------------- operations


@strawberry.type
class TradingQuery:
    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Each (symbol, timeframe) you have bars for.")
    async def market_symbols(self, info: Info[Context, None]) -> list[MarketSymbol]:
        user = await info.context.user()
        return [MarketSymbol.of(s) for s in await info.context.services.trading.symbols(user)]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Bars of `timeframe` with from <= time < to; a timeframe "
                                  "larger than the stored one is rolled up in the store.")
    async def candles(
        self, info: Info[Context, None], symbol: str, timeframe: Timeframe,
        start: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to")] = None,
    ) -> Candles:
        user = await info.context.user()
        bars = await info.context.services.trading.candles(user, symbol, timeframe, start, end)
        return Candles.of(symbol, timeframe, bars)

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="The strategy kinds and their parameters, for forms.")
    async def strategy_kinds(self, info: Info[Context, None]) -> list[StrategyKindInfo]:
        await info.context.user()
        return [StrategyKindInfo(kind=kind, parameters=[
            StrategyParameterSpec(**{k: v for k, v in asdict(spec).items()})
            for spec in specs]) for kind, specs in PARAM_SPECS.items()]

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Yours; ARCHIVED ones only when asked for by `status`.")
    async def strategies(self, info: Info[Context, None], first: int = 20,
                         after: str | None = None, status: StrategyStatus | None = None,
                         ) -> Connection[StrategyType]:
        user = await info.context.user()
        page = await info.context.services.trading.strategies(user, first, after, status)
        return Connection.of(page, StrategyType.of)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def strategy(self, info: Info[Context, None], id: strawberry.ID) -> StrategyType:
        user = await info.context.user()
        return StrategyType.of(await info.context.services.trading.strategy(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first.")
    async def backtests(self, info: Info[Context, None], strategy_id: strawberry.ID | None = None,
                        first: int = 20, after: str | None = None) -> Connection[BacktestType]:
        user = await info.context.user()
        page = await info.context.services.runs.backtests(
            user, None if strategy_id is None else parse_id(strategy_id, "strategyId"),
            first, after)
        return Connection.of(page, BacktestType.of)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def backtest(self, info: Info[Context, None], id: strawberry.ID) -> BacktestType:
        user = await info.context.user()
        return BacktestType.of(await info.context.services.runs.backtest(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Newest first.")
    async def optimizations(
        self, info: Info[Context, None], strategy_id: strawberry.ID | None = None,
        first: int = 20, after: str | None = None,
    ) -> Connection[OptimizationType]:
        user = await info.context.user()
        page = await info.context.services.runs.optimizations(
            user, None if strategy_id is None else parse_id(strategy_id, "strategyId"),
            first, after)
        return Connection.of(page, OptimizationType.of)

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def optimization(self, info: Info[Context, None],
                           id: strawberry.ID) -> OptimizationType:
        user = await info.context.user()
        return OptimizationType.of(
            await info.context.services.runs.optimization(user, parse_id(id)))

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="What an ACTIVE strategy signalled, newest first.")
    async def signals(self, info: Info[Context, None], strategy_id: strawberry.ID,
                      first: int = 20, after: str | None = None) -> Connection[SignalType]:
        user = await info.context.user()
        page = await info.context.services.signals.signals(
            user, parse_id(strategy_id, "strategyId"), first, after)
        return Connection.of(page, SignalType.of)


@strawberry.type
class TradingMutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="OHLCV CSV (multipart upload). Idempotent; a file with "
                                     "any invalid row stores nothing and lists the rows.")
    async def import_market_data(self, info: Info[Context, None], symbol: str,
                                 timeframe: Timeframe, file: Upload) -> MarketDataImport:
        user = await info.context.user()
        report = await info.context.services.trading.import_market_data(
            user, symbol, timeframe, uploaded(file).stream)
        return MarketDataImport.of(report)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Removes your bars of one symbol and timeframe; returns "
                                     "how many there were.")
    async def delete_market_data(self, info: Info[Context, None], symbol: str,
                                 timeframe: Timeframe) -> int:
        user = await info.context.user()
        return await info.context.services.trading.delete_market_data(user, symbol, timeframe)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_strategy(self, info: Info[Context, None],
                              input: CreateStrategyInput) -> StrategyType:
        user = await info.context.user()
        row = await info.context.services.trading.create_strategy(
            user, name=input.name, kind=input.kind, symbol=input.symbol,
            timeframe=input.timeframe, parameters=_object(input.parameters, "parameters"),
            risk=input.risk.as_dict() if input.risk else None)
        return StrategyType.of(row)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Changes the given fields only; `risk` replaces all risk "
                                     "settings.")
    async def update_strategy(self, info: Info[Context, None], id: strawberry.ID,
                              input: UpdateStrategyInput) -> StrategyType:
        user = await info.context.user()
        changes: dict[str, Any] = {}
        for name in ("name", "kind", "symbol", "timeframe"):
            value = getattr(input, name)
            if value is not UNSET and value is not None:
                changes[name] = value
        if input.parameters is not UNSET:
            changes["parameters"] = _object(input.parameters, "parameters")
        if input.risk is not UNSET:
            changes["risk"] = input.risk.as_dict() if input.risk else {}
        row = await info.context.services.trading.update_strategy(user, parse_id(id), changes)
        return StrategyType.of(row)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="ACTIVE strategies signal on bars newer than the moment "
                                     "they were activated.")
    async def set_strategy_status(self, info: Info[Context, None], id: strawberry.ID,
                                  status: StrategyStatus) -> StrategyType:
        user = await info.context.user()
        return StrategyType.of(
            await info.context.services.trading.set_status(user, parse_id(id), status))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="With its backtests, optimisations and signals.")
    async def delete_strategy(self, info: Info[Context, None], id: strawberry.ID) -> bool:
        user = await info.context.user()
        return await info.context.services.trading.delete_strategy(user, parse_id(id))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Short runs finish in the request (status SUCCEEDED); "
                                     "long ones return QUEUED with a `job` to follow on "
                                     "`jobUpdates`.")
    async def run_backtest(self, info: Info[Context, None],
                           input: RunBacktestInput) -> BacktestType:
        user = await info.context.user()
        row = await info.context.services.runs.run_backtest(user, BacktestRequest(
            strategy_id=parse_id(input.strategy_id, "strategyId"), start=input.start,
            end=input.end, initial_capital=input.initial_capital,
            in_background=input.in_background))
        return BacktestType.of(row)

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Every combination of a small grid, walked forward, in "
                                     "one job; follow its `job`.")
    async def optimize_strategy(self, info: Info[Context, None],
                                input: OptimizeStrategyInput) -> OptimizationType:
        user = await info.context.user()
        row = await info.context.services.runs.optimize_strategy(user, OptimizeRequest(
            strategy_id=parse_id(input.strategy_id, "strategyId"),
            grid=_object(input.grid, "grid") or {}, metric=input.metric,
            train_bars=input.train_bars, test_bars=input.test_bars,
            step_bars=input.step_bars, start=input.start, end=input.end,
            initial_capital=input.initial_capital))
        return OptimizationType.of(row)


def _object(value: Any, field: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadUserInput(f"{field} must be an object", field=field)
    return value

