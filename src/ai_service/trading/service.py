"""Market data and strategies, owned per user: the plain service under the trading GraphQL.

Market data goes through the `MarketStore` (InfluxDB or SQL); strategies are rows. A strategy's
parameters and risk settings are checked by the computational core (`strategies`, `backtest`)
before anything is stored, so a stored strategy always runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from tortoise.exceptions import IntegrityError

from ai_service.core.errors import BadUserInput, Conflict, NotFound
from ai_service.core.jobs import JobQueue
from ai_service.core.pagination import Page, keyset_page
from ai_service.core.patch import changes
from ai_service.platform.market import (
    BarColumns,
    MarketStore,
    SymbolSummary,
    epoch,
    validate_symbol,
)
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.marketdata import RowError, parse_ohlcv
from ai_service.trading.models import Strategy, StrategyStatus
from ai_service.trading.requests import NewStrategy, StrategyPatch
from ai_service.trading.risk import risk_json
from ai_service.trading.strategies import validate_params
from ai_service.users.models import User

SIGNALS_KIND = "trading.signals"
MAX_CANDLES = 100_000  # per `candles` answer: ask for a larger timeframe beyond that
MAX_NAME = 100


@dataclass(frozen=True)
class ImportReport:
    symbol: str
    timeframe: Timeframe
    rows: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None

    @property
    def stored(self) -> bool:
        return self.rejected == 0


def _name(value: str) -> str:
    name = " ".join(value.split())
    if not name or len(name) > MAX_NAME:
        raise BadUserInput(f"A strategy name is 1 to {MAX_NAME} characters", field="name")
    return name


class TradingService:
    def __init__(self, store: MarketStore, jobs: JobQueue) -> None:
        self.store = store
        self.jobs = jobs

    # ------------------------------------------------------------------ market data

    async def import_market_data(self, user: User, symbol: str, timeframe: Timeframe,
                                 stream: IO[bytes]) -> ImportReport:
        """Parse and check every row first: a file with any rejected row stores nothing. New
        bars wake the signal job for the active strategies that follow them."""
        symbol = validate_symbol(symbol)
        parsed = await asyncio.to_thread(parse_ohlcv, stream)
        if not parsed.ok:
            return ImportReport(symbol, timeframe, parsed.rows, rejected=parsed.rejected,
                                errors=parsed.errors)
        bars = parsed.bars
        if len(bars) == 0:
            raise BadUserInput("The file has a header but no rows", field="file")
        written = await self.store.write(user.id, symbol, timeframe, bars)
        if written.inserted or written.updated:
            await self.wake_signals(user.id, symbol, timeframe)
        stamps = bars.datetimes()
        return ImportReport(
            symbol, timeframe, parsed.rows, inserted=written.inserted, updated=written.updated,
            unchanged=written.unchanged, first=stamps[0].item(), last=stamps[-1].item(),
        )

    async def wake_signals(self, owner_id: int, symbol: str, timeframe: Timeframe) -> None:
        followers = Strategy.filter(owner_id=owner_id, symbol=symbol, timeframe=timeframe,
                                    status=StrategyStatus.ACTIVE)
        if await followers.exists():
            await self.jobs.enqueue(SIGNALS_KIND, {"ownerId": owner_id, "symbol": symbol,
                                                   "timeframe": timeframe.value},
                                    owner_id=owner_id)

    async def symbols(self, user: User) -> list[SymbolSummary]:
        return await self.store.symbols(user.id)

    async def delete_market_data(self, user: User, symbol: str, timeframe: Timeframe) -> int:
        return await self.store.delete(user.id, validate_symbol(symbol), timeframe)

    async def candles(self, user: User, symbol: str, timeframe: Timeframe,
                      start: datetime | None, end: datetime | None) -> BarColumns:
        """Bars of `timeframe`: stored ones, else rolled up in the store from the largest
        stored timeframe that divides it (H1 bars answer a D1 request)."""
        symbol = validate_symbol(symbol)
        if start is not None and end is not None and start >= end:
            raise BadUserInput("`from` must be before `to`", field="from")
        # The usual case, the stored timeframe, is one query; a roll-up first finds its source.
        bars = await self.store.range(user.id, symbol, timeframe, start, end)
        if len(bars) == 0:
            source = await self._source_timeframe(user.id, symbol, timeframe)
            if source is not timeframe:
                bars = await self.store.range(user.id, symbol, source, start, end,
                                              aggregate_to=timeframe)
        if len(bars) > MAX_CANDLES:
            raise BadUserInput(f"That is {len(bars)} candles; at most {MAX_CANDLES} come in one "
                               "answer (narrow the range or ask for a larger timeframe)",
                               field="timeframe")
        return bars

    async def _source_timeframe(self, owner_id: int, symbol: str,
                                timeframe: Timeframe) -> Timeframe:
        stored = {s.timeframe for s in await self.store.symbols(owner_id) if s.symbol == symbol}
        if not stored or timeframe in stored:
            return timeframe
        usable = []
        for candidate in stored:
            try:
                candidate.check_aggregation(timeframe)
            except BadUserInput:
                continue
            usable.append(candidate)
        if not usable:
            have = ", ".join(sorted(tf.value for tf in stored))
            raise BadUserInput(f"{symbol} has {have} bars, which do not add up to {timeframe}",
                               field="timeframe")
        return max(usable, key=lambda tf: tf.seconds)

    async def latest_bar(self, owner_id: int, symbol: str, timeframe: Timeframe) -> int | None:
        for summary in await self.store.symbols(owner_id):
            if summary.symbol == symbol and summary.timeframe is timeframe:
                return epoch(summary.last)
        return None

    # ------------------------------------------------------------------ strategies

    async def create_strategy(self, user: User, new: NewStrategy) -> Strategy:
        values: dict[str, Any] = {
            "name": _name(new.name), "kind": new.kind, "symbol": validate_symbol(new.symbol),
            "timeframe": new.timeframe, "parameters": validate_params(new.kind, new.parameters),
            "risk": risk_json(new.risk),
        }
        try:
            return await Strategy.create(owner_id=user.id, **values)
        except IntegrityError:
            raise Conflict(f"You already have a strategy named {values['name']!r}",
                           field="name") from None

    async def update_strategy(self, user: User, strategy_id: int,
                              patch: StrategyPatch) -> Strategy:
        """Changes only the given fields; parameters are checked against the (new) kind, and
        given risk settings replace the stored ones."""
        strategy = await self.strategy(user, strategy_id)
        given = changes(patch)
        if "name" in given:
            strategy.name = _name(given["name"])
        if "symbol" in given:
            strategy.symbol = validate_symbol(given["symbol"])
        if "timeframe" in given:
            strategy.timeframe = given["timeframe"]
        if "kind" in given or "parameters" in given:
            kind = given.get("kind", strategy.kind)
            kept = strategy.parameters if kind is strategy.kind else None
            strategy.parameters = validate_params(kind, given.get("parameters", kept))
            strategy.kind = kind
        if "risk" in given:
            strategy.risk = risk_json(given["risk"])
        if strategy.status is StrategyStatus.ACTIVE:  # follow the (maybe new) series from now
            strategy.evaluated_through = await self.latest_bar(
                user.id, strategy.symbol, strategy.timeframe)
        try:
            await strategy.save()
        except IntegrityError:
            raise Conflict(f"You already have a strategy named {strategy.name!r}",
                           field="name") from None
        return strategy

    async def set_status(self, user: User, strategy_id: int,
                         status: StrategyStatus) -> Strategy:
        """Activation starts from the newest stored bar: history does not signal."""
        strategy = await self.strategy(user, strategy_id)
        if status is strategy.status:
            return strategy
        strategy.status = status
        if status is StrategyStatus.ACTIVE:
            strategy.evaluated_through = await self.latest_bar(
                user.id, strategy.symbol, strategy.timeframe)
        await strategy.save(update_fields=["status", "evaluated_through", "updated_at"])
        return strategy

    async def delete_strategy(self, user: User, strategy_id: int) -> bool:
        """Its backtests, optimisations and signals go with it."""
        return bool(await Strategy.filter(id=strategy_id, owner_id=user.id).delete())

    async def strategy(self, user: User, strategy_id: int) -> Strategy:
        strategy = await Strategy.get_or_none(id=strategy_id, owner_id=user.id)
        if strategy is None:
            raise NotFound(f"Strategy {strategy_id} not found")
        return strategy

    async def strategies(self, user: User, first: int, after: str | None,
                         status: StrategyStatus | None = None) -> Page[Strategy]:
        query = Strategy.filter(owner_id=user.id)
        query = (query.filter(status=status) if status is not None
                 else query.exclude(status=StrategyStatus.ARCHIVED))
        return await keyset_page(query, first, after)

    async def strategies_by_ids(self, ids: list[int]) -> dict[int, Strategy]:
        return {s.id: s for s in await Strategy.filter(id__in=ids)}
