"""Trading queries: a thin layer over TradingService, TradingRuns and SignalService. Every row
is its owner's: another user's id is NOT_FOUND."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.pagination import Connection
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.trading.enums import StrategyStatus, Timeframe
from ai_service.graphql.trading.runs import BacktestType, OptimizationType
from ai_service.graphql.trading.types import (
    Candles,
    MarketSymbol,
    SignalType,
    StrategyKindInfo,
    StrategyType,
)
from ai_service.trading.strategies import PARAM_SPECS


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
        return [StrategyKindInfo.of(kind, specs) for kind, specs in PARAM_SPECS.items()]

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
