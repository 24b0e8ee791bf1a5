"""Live signals: ACTIVE strategies evaluated on bars that arrived since their last evaluation.

A signal is a change of the position the strategy wants after a bar's close (flat → long is
BUY, long → flat EXIT_LONG, long → short SELL_SHORT ...), so a strategy that keeps wanting the
same position says nothing new. Stops and take-profits are orders a broker holds, not signals.

The job runs when an import brings new bars for a strategy's series, and on a schedule. It is
idempotent: a signal is unique per (strategy, bar, action), the strategy's `evaluated_through`
moves only after its signals are stored, and a signal not yet notified is notified on the next
run, so a crash at any point neither loses nor repeats a message.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from tortoise.exceptions import IntegrityError

from ai_service.core.jobs import JobContext, JobRegistry
from ai_service.core.pagination import Page, keyset_page
from ai_service.notifications.service import Alert, Notifier, Priority
from ai_service.platform.market import BarColumns, utc
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.backtest import target_positions
from ai_service.trading.bars import Bars
from ai_service.trading.models import Signal, SignalAction, Strategy, StrategyStatus
from ai_service.trading.risk import risk_settings
from ai_service.trading.service import SIGNALS_KIND, TradingService
from ai_service.trading.strategies import Strategy as StrategyRule
from ai_service.users.models import User

log = logging.getLogger(__name__)
SCHEDULE = timedelta(minutes=15)
MIN_WARMUP_BARS = 300  # bars before the new ones, so averages and channels are settled
_ACTIONS = {(0, 1): [SignalAction.BUY], (0, -1): [SignalAction.SELL_SHORT],
            (1, 0): [SignalAction.EXIT_LONG], (-1, 0): [SignalAction.EXIT_SHORT],
            (1, -1): [SignalAction.SELL_SHORT], (-1, 1): [SignalAction.BUY]}
_WORDS = {SignalAction.BUY: "buy", SignalAction.SELL_SHORT: "sell short",
          SignalAction.EXIT_LONG: "exit the long position",
          SignalAction.EXIT_SHORT: "exit the short position"}


def warmup_bars(strategy: Strategy) -> int:
    longest = max((int(v) for v in strategy.parameters.values()), default=0)
    return max(MIN_WARMUP_BARS, 5 * longest)


def position_changes(strategy: Strategy, bars: BarColumns,
                     after: int) -> list[tuple[int, SignalAction, float]]:
    """(bar time, action, close) for each change of the wanted position on bars after `after`."""
    if len(bars) < 2:
        return []
    rule = StrategyRule.create(strategy.kind, strategy.parameters)
    wanted = target_positions(rule.signals(Bars.of(bars)),
                              risk_settings(strategy.risk).allow_short)
    before = np.concatenate(([0], wanted[:-1]))
    changed = np.flatnonzero((wanted != before) & (bars.timestamps > after))
    return [(int(bars.timestamps[i]), action, float(bars.close[i]))
            for i in changed.tolist()
            for action in _ACTIONS[(int(before[i]), int(wanted[i]))]]


class SignalService:
    def __init__(self, trading: TradingService, notifier: Notifier) -> None:
        self.trading = trading
        self.notifier = notifier

    def register_jobs(self, registry: JobRegistry) -> None:
        registry.register(SIGNALS_KIND, self._job, max_attempts=5)
        registry.every(SIGNALS_KIND, SCHEDULE)

    async def _job(self, ctx: JobContext) -> dict[str, Any]:
        payload = ctx.payload
        query = Strategy.filter(status=StrategyStatus.ACTIVE)
        if "ownerId" in payload:  # an import woke us for one series
            query = query.filter(owner_id=payload["ownerId"], symbol=payload["symbol"],
                                 timeframe=Timeframe(payload["timeframe"]))
        found = 0
        for strategy in await query.order_by("id"):
            found += await self.evaluate(strategy)
        await self.notify_pending()
        return {"signals": found}

    async def evaluate(self, strategy: Strategy) -> int:
        """Stores the signals of bars newer than `evaluated_through`; returns how many."""
        latest = await self.trading.latest_bar(strategy.owner_id, strategy.symbol,
                                               strategy.timeframe)
        if latest is None:
            return 0
        if strategy.evaluated_through is None:  # activated before any bar existed
            await self._advance(strategy, latest)
            return 0
        if latest <= strategy.evaluated_through:
            return 0
        bars = await self._recent_bars(strategy, strategy.evaluated_through)
        changes = position_changes(strategy, bars, strategy.evaluated_through)
        created = 0
        for ts, action, price in changes:
            try:
                await Signal.create(owner_id=strategy.owner_id, strategy_id=strategy.id, ts=ts,
                                    action=action, price=price)
                created += 1
            except IntegrityError:
                pass  # stored by an earlier run that stopped before moving on
        await self._advance(strategy, int(bars.timestamps[-1]) if len(bars) else latest)
        return created

    async def _recent_bars(self, strategy: Strategy, through: int) -> BarColumns:
        """The new bars plus at least `warmup_bars` before them, widening the window when
        gaps (nights, weekends) leave too few."""
        needed = warmup_bars(strategy)
        span = needed * strategy.timeframe.seconds * 2
        for _ in range(4):
            bars = await self.trading.store.range(strategy.owner_id, strategy.symbol,
                                                  strategy.timeframe, utc(through - span))
            if int(np.count_nonzero(bars.timestamps <= through)) >= needed:
                return bars
            span *= 4
        return await self.trading.store.range(strategy.owner_id, strategy.symbol,
                                              strategy.timeframe)

    @staticmethod
    async def _advance(strategy: Strategy, through: int) -> None:
        # Only forward, and only while the strategy is still active with the same series.
        await Strategy.filter(id=strategy.id, status=StrategyStatus.ACTIVE,
                              symbol=strategy.symbol, timeframe=strategy.timeframe).update(
            evaluated_through=through)
        strategy.evaluated_through = through

    async def notify_pending(self) -> None:
        pending = await Signal.filter(notified_at=None).order_by("id").limit(200) \
            .prefetch_related("strategy")
        for signal in pending:
            strategy = signal.strategy
            when = utc(signal.ts).strftime("%Y-%m-%d %H:%M UTC")
            await self.notifier.notify(Alert(
                Priority.MEDIUM,
                f"{strategy.symbol}: {_WORDS[signal.action]}",
                f"Strategy {strategy.name} ({strategy.kind.value}, {strategy.timeframe.value}) "
                f"signals {signal.action.value} on the {when} close at {signal.price:g}.",
                dedupe_key=f"signal:{signal.id}",
                user_id=signal.owner_id,
                link=f"/trading/strategies/{strategy.id}",
            ))
            await Signal.filter(id=signal.id).update(notified_at=datetime.now(UTC))

    async def signals(self, user: User, strategy_id: int, first: int,
                      after: str | None) -> Page[Signal]:
        await self.trading.strategy(user, strategy_id)  # NotFound unless it is theirs
        return await keyset_page(Signal.filter(strategy_id=strategy_id), first, after,
                                 order="desc")
