from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from ai_service.platform.market.timeframes import Timeframe


class MarketBar(Model):
    """One OHLCV bar of the embedded market store (the SQL side of `MarketStore`).

    `ts` is the bar's start in whole epoch seconds (UTC), not a timestamp column: bucketing for
    aggregation is then plain integer arithmetic that SQLite and PostgreSQL compute identically,
    and the (owner, symbol, timeframe, ts) key stays compact.

    Prices and volume are floats (float64), deliberately, although money elsewhere is Decimal:
    these are inputs to backtests, which compute in float64 numpy anyway; the sources (Yahoo's
    split-adjusted prices like 2.179012, crypto volumes) are decimal approximations already; and
    float64 round-trips every value exactly through SQLite, PostgreSQL and InfluxDB (whose fields
    are float64), so both stores return the very same numbers.
    """

    id = fields.BigIntField(primary_key=True)
    # Typed as any Model: this package does not import the users domain that owns the table.
    owner: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "ai_service.User", related_name="market_bars", on_delete=fields.CASCADE,
        db_constraint=True,
    )
    symbol = fields.CharField(max_length=32)
    timeframe = fields.CharEnumField(Timeframe, max_length=4)
    ts = fields.BigIntField()
    open = fields.FloatField()
    high = fields.FloatField()
    low = fields.FloatField()
    close = fields.FloatField()
    volume = fields.FloatField(default=0)

    owner_id: int

    class Meta:
        table = "market_bars"
        # Also the index of every query: owner, symbol and timeframe are equalities, ts a range.
        unique_together = (("owner", "symbol", "timeframe", "ts"),)
