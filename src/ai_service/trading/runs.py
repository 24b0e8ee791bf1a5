"""Backtests and walk-forward optimisations of stored strategies, stored with their results.

A backtest of up to INLINE_BARS bars runs in the request (the engine does a million bars in
well under a second); a longer one, or one asked for in the background, is a job that reports
progress. An optimisation is always a job. Both store what ran (`config`), so a result still
explains itself after the strategy changed. The CPU work runs in a thread: the event loop keeps
serving while a long run computes.

Jobs are idempotent: a run that already finished is not computed again, and a retry starts over.
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
from tortoise.queryset import QuerySet

from ai_service.core.errors import BadUserInput, NotFound
from ai_service.core.jobs import JobContext, JobQueue, JobRegistry
from ai_service.core.jobs.models import Job
from ai_service.core.jobs.worker import PermanentJobError
from ai_service.core.pagination import Page, keyset_page
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.backtest import BacktestResult, run_backtest
from ai_service.trading.bars import Bars
from ai_service.trading.metrics import periods_per_year
from ai_service.trading.models import Backtest, Optimization, RunStatus, Strategy
from ai_service.trading.optimize import (
    OptimizationResult,
    optimize,
    parameter_grid,
    walk_forward_windows,
)
from ai_service.trading.requests import BacktestRequest, OptimizeRequest
from ai_service.trading.risk import risk_settings
from ai_service.trading.service import TradingService
from ai_service.trading.strategies import Strategy as StrategyRule
from ai_service.users.models import User

BACKTEST_KIND = "trading.backtest"
OPTIMIZE_KIND = "trading.optimize"
INLINE_BARS = 200_000
EQUITY_POINTS = 4_000  # stored per backtest; the metrics use every bar
MAX_CAPITAL = 1e15
_BACKTEST_LIST_FIELDS = ("id", "owner_id", "strategy_id", "status", "job_id", "range_start",
                         "range_end", "initial_capital", "config", "bar_count", "metrics",
                         "error", "created_at", "finished_at")


def _capital(value: float) -> float:
    if not math.isfinite(value) or not 0 < value <= MAX_CAPITAL:
        raise BadUserInput("initialCapital must be a positive amount", field="initialCapital")
    return float(value)


def _range(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and start >= end:
        raise BadUserInput("`from` must be before `to`", field="from")


def strategy_config(strategy: Strategy) -> dict[str, Any]:
    return {"name": strategy.name, "kind": strategy.kind.value, "symbol": strategy.symbol,
            "timeframe": strategy.timeframe.value, "parameters": dict(strategy.parameters),
            "risk": dict(strategy.risk)}


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN: an undefined figure is null."""
    return value if not isinstance(value, float) or math.isfinite(value) else None


def _epoch(times: np.ndarray) -> list[int]:
    return [int(t) for t in times.astype("datetime64[s]").astype(np.int64)]


def thin(timestamps: np.ndarray, values: np.ndarray, points: int = EQUITY_POINTS,
         ) -> tuple[np.ndarray, np.ndarray]:
    """At most `points` points that keep the curve's shape: the first and last bar and, in
    each of points/2 - 1 slices, its lowest and highest value (so drawdowns stay visible)."""
    count = len(values)
    if count <= points:
        return timestamps, values
    buckets = points // 2 - 1
    edges = np.linspace(1, count - 1, buckets + 1).astype(np.int64)
    keep = [0, count - 1]
    for lo, hi in itertools.pairwise(edges.tolist()):
        if hi > lo:
            part = values[lo:hi]
            keep += [lo + int(part.argmin()), lo + int(part.argmax())]
    index = np.unique(np.asarray(keep, dtype=np.int64))
    return timestamps[index], values[index]


def backtest_outcome(result: BacktestResult) -> dict[str, Any]:
    trades = result.trades
    records = [
        {"side": t.side.value, "entryTime": int(t.entry_time.replace(tzinfo=UTC).timestamp()),
         "entryPrice": t.entry_price,
         "exitTime": int(t.exit_time.replace(tzinfo=UTC).timestamp()),
         "exitPrice": t.exit_price, "quantity": t.quantity, "pnl": t.pnl,
         "returnPct": t.return_pct, "fees": t.fees, "exitReason": t.exit_reason.value}
        for t in trades.records()
    ]
    stamps, values = thin(result.equity_curve.timestamps, result.equity_curve.values)
    return {
        "metrics": {k: _finite(v) for k, v in result.metrics.as_dict().items()},
        "trades": records,
        "equity": {"timestamps": _epoch(stamps), "values": [float(v) for v in values]},
    }


def optimization_outcome(result: OptimizationResult) -> dict[str, Any]:
    def metrics(m: Any) -> dict[str, Any]:
        return {k: _finite(v) for k, v in m.as_dict().items()}

    def when(moment: datetime) -> int:
        return int(moment.replace(tzinfo=UTC).timestamp())

    return {
        "combinations": result.combinations,
        "skipped": result.skipped,
        "inSampleScore": _finite(result.in_sample_score),
        "outOfSampleScore": _finite(result.out_of_sample_score),
        "outOfSampleReturn": _finite(result.out_of_sample_return),
        "windows": [{"trainFrom": when(w.train_from), "trainTo": when(w.train_to),
                     "testFrom": when(w.test_from), "testTo": when(w.test_to),
                     "parameters": w.params, "inSample": metrics(w.in_sample),
                     "outOfSample": metrics(w.out_of_sample)} for w in result.windows],
        "ranking": [{"rank": r.rank, "parameters": r.params, "score": _finite(r.score),
                     "metrics": metrics(r.metrics)} for r in result.ranking],
    }


def default_windows(bars: int) -> tuple[int, int]:
    """Train on three test-lengths, test on the next, step by a test-length: about seven
    out-of-sample windows whatever the length of the series."""
    test = max(2, bars // 10)
    return max(2, min(3 * test, bars - test)), test


Run = TypeVar("Run", Backtest, Optimization)


async def _owned(model: type[Run], user: User, row_id: int) -> Run:
    row = await model.get_or_none(id=row_id, owner_id=user.id)
    if row is None:
        raise NotFound(f"{model.__name__} {row_id} not found")
    return row


def _of(model: type[Run], user: User, strategy_id: int | None) -> QuerySet[Run]:
    query = model.filter(owner_id=user.id)
    return query if strategy_id is None else query.filter(strategy_id=strategy_id)


class TradingRuns:
    def __init__(self, trading: TradingService, jobs: JobQueue) -> None:
        self.trading = trading
        self.jobs = jobs

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(BACKTEST_KIND, self._backtest_job, max_attempts=3)
        registry.register(OPTIMIZE_KIND, self._optimize_job, max_attempts=3)
        self.jobs.on_dead.append(self._job_died)

    # ------------------------------------------------------------------ backtests

    async def run_backtest(self, user: User, request: BacktestRequest) -> Backtest:
        strategy = await self.trading.strategy(user, request.strategy_id)
        _range(request.start, request.end)
        capital = _capital(request.initial_capital)
        risk_settings(strategy.risk)  # stored settings were checked; a changed rule shows here
        bars = await self._bars(strategy, request.start, request.end)
        backtest = Backtest(
            owner_id=user.id, strategy_id=strategy.id, range_start=request.start,
            range_end=request.end, initial_capital=capital, config=strategy_config(strategy),
            bar_count=len(bars),
        )
        if request.in_background or len(bars) > INLINE_BARS:
            await backtest.save()
            job = await self.jobs.enqueue(BACKTEST_KIND, {"backtestId": backtest.id},
                                          owner_id=user.id)
            backtest.job_id = job.id
            await backtest.save(update_fields=["job_id"])
            return backtest
        outcome = await asyncio.to_thread(self._simulate, backtest.config, bars, capital)
        backtest.status = RunStatus.SUCCEEDED
        backtest.finished_at = datetime.now(UTC)
        backtest.metrics, backtest.trades, backtest.equity = (
            outcome["metrics"], outcome["trades"], outcome["equity"])
        await backtest.save()
        return backtest

    async def _bars(self, strategy: Strategy | Mapping[str, Any], start: datetime | None,
                    end: datetime | None, owner_id: int | None = None) -> Bars:
        config = strategy_config(strategy) if isinstance(strategy, Strategy) else strategy
        owner = strategy.owner_id if isinstance(strategy, Strategy) else owner_id
        assert owner is not None
        columns = await self.trading.store.range(owner, config["symbol"],
                                                 Timeframe(config["timeframe"]), start, end)
        if len(columns) < 2:
            raise BadUserInput(f"{config['symbol']} has {len(columns)} {config['timeframe']} "
                               "bars in that range; a backtest needs at least 2 (import market "
                               "data first)", field="strategyId")
        return Bars.of(columns)

    @staticmethod
    def _simulate(config: Mapping[str, Any], bars: Bars, capital: float) -> dict[str, Any]:
        rule = StrategyRule.create(config["kind"], config["parameters"])
        result = run_backtest(bars, rule, risk_settings(config["risk"]),
                              initial_capital=capital,
                              periods_per_year=periods_per_year(Timeframe(config["timeframe"])))
        return backtest_outcome(result)

    async def _backtest_job(self, ctx: JobContext) -> dict[str, Any]:
        backtest = await Backtest.get_or_none(id=ctx.payload.get("backtestId"))
        if backtest is None:
            raise PermanentJobError("the backtest was deleted")
        if backtest.status is RunStatus.SUCCEEDED:
            return {"backtestId": backtest.id}
        await Backtest.filter(id=backtest.id).update(status=RunStatus.RUNNING)
        await ctx.progress(0.05, "loading bars")
        try:
            bars = await self._bars(backtest.config, backtest.range_start, backtest.range_end,
                                    backtest.owner_id)
            await ctx.progress(0.3, f"simulating {len(bars)} bars")
            outcome = await asyncio.to_thread(self._simulate, backtest.config, bars,
                                              backtest.initial_capital)
        except BadUserInput as exc:
            await self._fail(Backtest, backtest.id, exc.message)
            raise PermanentJobError(exc.message) from None
        await ctx.progress(0.9, "storing results")
        await Backtest.filter(id=backtest.id).update(
            status=RunStatus.SUCCEEDED, bar_count=len(bars), finished_at=datetime.now(UTC),
            error=None, **outcome)
        return {"backtestId": backtest.id, "bars": len(bars)}

    async def backtest(self, user: User, backtest_id: int) -> Backtest:
        return await _owned(Backtest, user, backtest_id)

    async def backtests(self, user: User, strategy_id: int | None, first: int,
                        after: str | None) -> Page[Backtest]:
        # The list leaves the bulky columns behind: trades and equity load per backtest.
        query = _of(Backtest, user, strategy_id).only(*_BACKTEST_LIST_FIELDS)
        return await keyset_page(query, first, after, order="desc")

    # ------------------------------------------------------------------ optimisation

    async def optimize_strategy(self, user: User, request: OptimizeRequest) -> Optimization:
        """Everything a user can get wrong is checked here, before the job is queued."""
        strategy = await self.trading.strategy(user, request.strategy_id)
        _range(request.start, request.end)
        capital = _capital(request.initial_capital)
        grid = parameter_grid(strategy.kind, request.grid)
        bars = await self._bars(strategy, request.start, request.end)
        train, test = default_windows(len(bars))
        train = request.train_bars or train
        test = request.test_bars or test
        windows = walk_forward_windows(len(bars), train, test, request.step_bars)
        config = strategy_config(strategy) | {
            "grid": {name: list(values) for name, values in request.grid.items()},
            "metric": request.metric.value, "trainBars": train, "testBars": test,
            "stepBars": request.step_bars or test, "initialCapital": capital,
            "from": request.start.isoformat() if request.start else None,
            "to": request.end.isoformat() if request.end else None,
            "combinations": len(grid.combinations), "windows": len(windows),
        }
        optimization = await Optimization.create(owner_id=user.id, strategy_id=strategy.id,
                                                 config=config)
        job = await self.jobs.enqueue(OPTIMIZE_KIND, {"optimizationId": optimization.id},
                                      owner_id=user.id)
        optimization.job_id = job.id
        await optimization.save(update_fields=["job_id"])
        return optimization

    async def _optimize_job(self, ctx: JobContext) -> dict[str, Any]:
        row = await Optimization.get_or_none(id=ctx.payload.get("optimizationId"))
        if row is None:
            raise PermanentJobError("the optimisation was deleted")
        if row.status is RunStatus.SUCCEEDED:
            return {"optimizationId": row.id}
        await Optimization.filter(id=row.id).update(status=RunStatus.RUNNING)
        config = row.config
        start = datetime.fromisoformat(config["from"]) if config.get("from") else None
        end = datetime.fromisoformat(config["to"]) if config.get("to") else None
        loop = asyncio.get_running_loop()
        reported = [0.0]

        def progress(fraction: float) -> None:
            # From the computing thread: hand each 5% step to the loop, fire and forget.
            if fraction - reported[0] >= 0.05 or fraction >= 1.0:
                reported[0] = fraction
                asyncio.run_coroutine_threadsafe(
                    ctx.progress(0.05 + 0.9 * fraction, "testing combinations"), loop)

        try:
            bars = await self._bars(config, start, end, row.owner_id)
            await ctx.progress(0.05, f"{config['combinations']} combinations, "
                                     f"{config['windows']} windows")
            result = await asyncio.to_thread(
                optimize, bars, config["kind"], config["grid"], risk_settings(config["risk"]),
                train_bars=config["trainBars"], test_bars=config["testBars"],
                step_bars=config["stepBars"], metric=config["metric"],
                initial_capital=config["initialCapital"],
                periods_per_year=periods_per_year(Timeframe(config["timeframe"])),
                progress=progress)
        except BadUserInput as exc:  # the bars changed since the request was checked
            await self._fail(Optimization, row.id, exc.message)
            raise PermanentJobError(exc.message) from None
        await Optimization.filter(id=row.id).update(
            status=RunStatus.SUCCEEDED, result=optimization_outcome(result), error=None,
            finished_at=datetime.now(UTC))
        return {"optimizationId": row.id, "combinations": result.combinations}

    async def optimization(self, user: User, optimization_id: int) -> Optimization:
        return await _owned(Optimization, user, optimization_id)

    async def optimizations(self, user: User, strategy_id: int | None, first: int,
                            after: str | None) -> Page[Optimization]:
        return await keyset_page(_of(Optimization, user, strategy_id), first, after,
                                 order="desc")

    # ------------------------------------------------------------------ failures

    @staticmethod
    async def _fail(model: type[Backtest] | type[Optimization], row_id: int,
                    error: str) -> None:
        await model.filter(id=row_id).update(status=RunStatus.FAILED, error=error[:500],
                                             finished_at=datetime.now(UTC))

    async def _job_died(self, job: Job) -> None:
        """A run whose job gave up is FAILED, not RUNNING for ever (a cancelled one shows
        FAILED through its job's state, see the schema)."""
        payload = job.payload or {}
        message = (job.error or "the job failed").strip()
        if job.kind == BACKTEST_KIND and "backtestId" in payload:
            await Backtest.filter(id=payload["backtestId"]).exclude(
                status=RunStatus.SUCCEEDED).update(status=RunStatus.FAILED, error=message[:500],
                                                   finished_at=datetime.now(UTC))
        elif job.kind == OPTIMIZE_KIND and "optimizationId" in payload:
            await Optimization.filter(id=payload["optimizationId"]).exclude(
                status=RunStatus.SUCCEEDED).update(status=RunStatus.FAILED, error=message[:500],
                                                   finished_at=datetime.now(UTC))
