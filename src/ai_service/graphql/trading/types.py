"""GraphQL types of market data, strategies and their signals.

Series come back columnar (`timestamps` in epoch seconds, UTC, beside each value column), not
as thousands of objects.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ai_service.graphql.context import Context
from ai_service.graphql.pagination import Connection
from ai_service.graphql.scalars import FloatSeries, IntSeries
from ai_service.graphql.trading.enums import (
    SignalAction,
    StrategyKind,
    StrategyStatus,
    Timeframe,
)
from ai_service.platform.market import BarColumns, SymbolSummary, utc
from ai_service.trading.backtest import RiskSettings
from ai_service.trading.models import Signal as SignalRow
from ai_service.trading.models import Strategy as StrategyRow
from ai_service.trading.risk import risk_settings
from ai_service.trading.service import ImportReport
from ai_service.trading.strategies import ParamSpec

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

    @classmethod
    def of(cls, kind: StrategyKind, specs: tuple[ParamSpec, ...]) -> StrategyKindInfo:
        return cls(kind=kind, parameters=[StrategyParameterSpec(**asdict(spec))
                                          for spec in specs])


@strawberry.type(name="RiskSettings")
class RiskSettingsType:
    position_size: float = strawberry.field(description="Fraction of equity per position.")
    stop_loss_pct: float | None
    take_profit_pct: float | None
    fee_bps: float
    slippage_bps: float
    allow_short: bool = strawberry.field(description="False: long-only.")

    @classmethod
    def of(cls, risk: RiskSettings) -> RiskSettingsType:
        return cls(**asdict(risk))


@strawberry.type(name="Strategy")
class StrategyType:
    id: strawberry.ID
    name: str
    kind: StrategyKind
    symbol: str
    timeframe: Timeframe
    parameters: JSON
    risk: RiskSettingsType
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
                   risk=RiskSettingsType.of(risk_settings(row.risk)), status=row.status,
                   evaluated_through=None if through is None else utc(through),
                   created_at=row.created_at, updated_at=row.updated_at)

    @strawberry.field(description="Newest first.")
    async def signals(self, info: Info[Context, None], first: int = 20,
                      after: str | None = None) -> Connection[SignalType]:
        page = await info.context.services.signals.signals(
            await info.context.user(), int(self.id), first, after)
        return Connection.of(page, SignalType.of)


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
                   time=utc(row.ts), action=row.action, price=row.price,
                   notified_at=row.notified_at, created_at=row.created_at)
