"""Trading mutations: market data in and out, strategies, backtests and optimisations. Inputs
become the services' requests (see `inputs`); the services check them."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from ai_service.core.pagination import parse_id
from ai_service.graphql.context import Context
from ai_service.graphql.permissions import IsAuthenticated
from ai_service.graphql.trading.enums import StrategyStatus, Timeframe
from ai_service.graphql.trading.inputs import (
    CreateStrategyInput,
    OptimizeStrategyInput,
    RunBacktestInput,
    UpdateStrategyInput,
)
from ai_service.graphql.trading.runs import BacktestType, OptimizationType
from ai_service.graphql.trading.types import MarketDataImport, StrategyType
from ai_service.graphql.uploads import uploaded


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
        return StrategyType.of(
            await info.context.services.trading.create_strategy(user, input.request()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Changes the given fields only; `risk` replaces all risk "
                                     "settings.")
    async def update_strategy(self, info: Info[Context, None], id: strawberry.ID,
                              input: UpdateStrategyInput) -> StrategyType:
        user = await info.context.user()
        return StrategyType.of(await info.context.services.trading.update_strategy(
            user, parse_id(id), input.patch()))

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
        return BacktestType.of(
            await info.context.services.runs.run_backtest(user, input.request()))

    @strawberry.mutation(permission_classes=[IsAuthenticated],
                         description="Every combination of a small grid, walked forward, in "
                                     "one job; follow its `job`.")
    async def optimize_strategy(self, info: Info[Context, None],
                                input: OptimizeStrategyInput) -> OptimizationType:
        user = await info.context.user()
        return OptimizationType.of(
            await info.context.services.runs.optimize_strategy(user, input.request()))
