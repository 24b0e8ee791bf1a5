"""Strategies, their backtests, optimisations and signals: each row belongs to one user."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.strategies import StrategyKind

if TYPE_CHECKING:
    from ai_service.users.models import User


class StrategyStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


class RunStatus(StrEnum):
    """A backtest's or an optimisation's state; it follows its job when it has one."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class SignalAction(StrEnum):
    BUY = "BUY"  # enter long (closing a short)
    SELL_SHORT = "SELL_SHORT"  # enter short (closing a long)
    EXIT_LONG = "EXIT_LONG"
    EXIT_SHORT = "EXIT_SHORT"


class Strategy(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="strategies", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    kind = fields.CharEnumField(StrategyKind, max_length=32)
    symbol = fields.CharField(max_length=32)
    timeframe = fields.CharEnumField(Timeframe, max_length=4)
    parameters: dict[str, Any] = fields.JSONField(default=dict)
    # RiskSettings in their stored form (see `risk`): camelCase keys, positionSize, stopLossPct...
    risk: dict[str, Any] = fields.JSONField(default=dict)
    status = fields.CharEnumField(StrategyStatus, max_length=16, default=StrategyStatus.DRAFT)
    # The last bar (epoch seconds) whose signals were evaluated: activation sets it to the
    # newest bar, so only bars that arrive afterwards signal.
    evaluated_through = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    owner_id: int

    class Meta:
        table = "strategies"
        unique_together = (("owner", "name"),)


class Backtest(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="backtests", on_delete=fields.CASCADE
    )
    strategy: fields.ForeignKeyRelation[Strategy] = fields.ForeignKeyField(
        "ai_service.Strategy", related_name="backtests", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(RunStatus, max_length=16, default=RunStatus.QUEUED)
    job_id = fields.BigIntField(null=True)
    range_start = fields.DatetimeField(null=True)
    range_end = fields.DatetimeField(null=True)
    initial_capital = fields.FloatField()
    # What ran: kind, symbol, timeframe, parameters and risk as they were at the time.
    config: dict[str, Any] = fields.JSONField(default=dict)
    bar_count = fields.IntField(default=0)
    metrics: dict[str, Any] | None = fields.JSONField(null=True)
    trades: list[dict[str, Any]] | None = fields.JSONField(null=True)
    # {"timestamps": [...epoch seconds], "values": [...]}, thinned to EQUITY_POINTS.
    equity: dict[str, list[float]] | None = fields.JSONField(null=True)
    error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    owner_id: int
    strategy_id: int

    class Meta:
        table = "backtests"


class Optimization(Model):
    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="optimizations", on_delete=fields.CASCADE
    )
    strategy: fields.ForeignKeyRelation[Strategy] = fields.ForeignKeyField(
        "ai_service.Strategy", related_name="optimizations", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(RunStatus, max_length=16, default=RunStatus.QUEUED)
    job_id = fields.BigIntField(null=True)
    # The request: grid, metric, window sizes, range and capital, plus the strategy's config.
    config: dict[str, Any] = fields.JSONField(default=dict)
    result: dict[str, Any] | None = fields.JSONField(null=True)
    error = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    owner_id: int
    strategy_id: int

    class Meta:
        table = "optimizations"


class Signal(Model):
    # What an ACTIVE strategy decided on the close of bar `ts`. Unique per strategy, bar and
    # action, so evaluating the same bars again stores nothing new. (A comment, not a docstring:
    # Tortoise copies docstrings into the migration as table comments.)

    id = fields.BigIntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "ai_service.User", related_name="signals", on_delete=fields.CASCADE
    )
    strategy: fields.ForeignKeyRelation[Strategy] = fields.ForeignKeyField(
        "ai_service.Strategy", related_name="signals", on_delete=fields.CASCADE
    )
    ts = fields.BigIntField()
    action = fields.CharEnumField(SignalAction, max_length=16)
    price = fields.FloatField()
    notified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    owner_id: int
    strategy_id: int

    class Meta:
        table = "signals"
        unique_together = (("strategy", "ts", "action"),)
