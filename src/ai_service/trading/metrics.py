"""Performance metrics of an equity curve and its trades.

Returns are fractions (0.05 = +5%); the equity curve is the account value at each bar's close.

- Per-bar returns: r[t] = equity[t] / equity[t-1] - 1 (n bars give n-1 returns; bars out of the
  market count, with their return of 0).
- totalReturn = final equity / initial equity - 1.
- cagr = (final / initial) ** (1 / years) - 1, years = (n - 1) / periodsPerYear (the number of
  bar-to-bar steps, annualised like the other figures); -1 when the final equity is <= 0.
- volatility = sample standard deviation (ddof=1) of r * sqrt(periodsPerYear).
- sharpe = mean(r) / std(r, ddof=1) * sqrt(periodsPerYear), risk-free rate 0.
- sortino = mean(r) / DD * sqrt(periodsPerYear), DD = sqrt(mean(min(r, 0) ** 2)) over all
  returns (downside deviation below 0).
- maxDrawdown = max over t of 1 - equity[t] / max(equity[0..t]), a positive fraction (0.25 means
  25% below the running peak), measured on closes.
- maxDrawdownDays: the longest time under water, in calendar days (fractional for intraday bars):
  from the bar of a peak to the first bar back at or above it, or to the last bar if it never
  recovers.
- winRate = trades with pnl > 0 / trades.
- profitFactor = sum of winning pnl / |sum of losing pnl|.
- tradeCount: closed trades, the one closed at the end of the data included.
- exposure = bars during which a position was held at any moment / bars.
- buyAndHoldReturn = last close / first open - 1, no fees or slippage.

Undefined values are None, never NaN or infinity (GraphQL floats cannot carry them): cagr,
volatility, sharpe and sortino with fewer than two returns (three bars); cagr when it would
overflow a float; sharpe when std is 0; sortino when no bar lost money; winRate without
trades; profitFactor without a losing trade (infinite when there were winners: tell those cases
apart with winRate and tradeCount).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ai_service.platform.market.timeframes import Timeframe

FloatArray = NDArray[np.float64]

TRADING_DAYS_PER_YEAR = 252
STOCK_SESSION_HOURS = 6.5  # NYSE/Nasdaq regular session, 09:30-16:00
WEEKS_PER_YEAR = 52
_DAY = np.timedelta64(1, "D")
_MAX_EXPONENT = 700.0  # math.exp overflows just above 709


def periods_per_year(timeframe: Timeframe, *, trading_days: float = TRADING_DAYS_PER_YEAR,
                     session_hours: float = STOCK_SESSION_HOURS) -> float:
    """Bars per year, to annualise returns and volatility.

    Daily bars: `trading_days` (252 on a stock exchange). Weekly bars: 52. Intraday bars
    assume a stock exchange's regular session by default: `session_hours` (6.5) of trading
    on each of `trading_days`, so H1 gives 252 * 6.5 = 1638 and M1 98,280. For markets that
    trade around the clock (crypto) pass trading_days=365, session_hours=24.
    """
    if timeframe is Timeframe.W1:
        return WEEKS_PER_YEAR
    if timeframe is Timeframe.D1:
        return float(trading_days)
    return trading_days * session_hours * 3600 / timeframe.seconds


@dataclass(frozen=True)
class Metrics:
    total_return: float
    cagr: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    max_drawdown: float
    max_drawdown_days: float
    win_rate: float | None
    profit_factor: float | None
    trade_count: int
    exposure: float
    buy_and_hold_return: float

    def as_dict(self) -> dict[str, Any]:
        """The contract's camelCase names."""
        return {
            "totalReturn": self.total_return,
            "cagr": self.cagr,
            "volatility": self.volatility,
            "sharpe": self.sharpe,
            "sortino": self.sortino,
            "maxDrawdown": self.max_drawdown,
            "maxDrawdownDays": self.max_drawdown_days,
            "winRate": self.win_rate,
            "profitFactor": self.profit_factor,
            "tradeCount": self.trade_count,
            "exposure": self.exposure,
            "buyAndHoldReturn": self.buy_and_hold_return,
        }


def bar_returns(equity: FloatArray) -> FloatArray:
    """r[t] = equity[t+1] / equity[t] - 1; 0 after the account is wiped out (equity <= 0)."""
    previous = equity[:-1]
    ratio = np.ones(len(previous))
    np.divide(equity[1:], previous, out=ratio, where=previous > 0)
    return ratio - 1.0


def drawdown(equity: FloatArray, timestamps: NDArray[np.datetime64]) -> tuple[float, float]:
    """(max drawdown as a positive fraction, longest time under water in calendar days)."""
    peak = np.maximum.accumulate(equity)
    depth = 1.0 - equity / peak
    under = equity < peak
    if not under.any():
        return 0.0, 0.0
    # Index of the latest peak (high-water mark) at or before each bar.
    index = np.arange(len(equity))
    peak_index = np.maximum.accumulate(np.where(under, 0, index))
    # A bar closes a stretch under water if it is under water itself or follows one that was;
    # the stretch started at the peak in force on the previous bar.
    ends = np.flatnonzero(under[1:] | under[:-1]) + 1
    spans = (timestamps[ends] - timestamps[peak_index[ends - 1]]) / _DAY
    return float(depth.max()), float(spans.max())


def compute_metrics(*, equity: FloatArray, timestamps: NDArray[np.datetime64],
                    trade_pnl: FloatArray, bars_in_market: int, first_open: float,
                    last_close: float, periods_per_year: float) -> Metrics:
    bars = len(equity)
    initial, final = float(equity[0]), float(equity[-1])
    total_return = final / initial - 1.0
    returns = bar_returns(equity)
    scale = math.sqrt(periods_per_year)

    cagr = volatility = sharpe = sortino = None
    if len(returns) >= 1:
        years = len(returns) / periods_per_year
        if final <= 0:
            cagr = -1.0
        else:
            exponent = math.log(final / initial) / years
            # A few bars of big gains annualise beyond any float: undefined rather than inf.
            cagr = math.expm1(exponent) if exponent < _MAX_EXPONENT else None
    if len(returns) >= 2:
        mean = float(returns.mean())
        std = float(returns.std(ddof=1))
        volatility = std * scale
        if std > 0:
            sharpe = mean / std * scale
        downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
        if downside > 0:
            sortino = mean / downside * scale

    max_dd, max_dd_days = drawdown(equity, timestamps)

    trade_count = len(trade_pnl)
    win_rate = profit_factor = None
    if trade_count:
        win_rate = float(np.count_nonzero(trade_pnl > 0)) / trade_count
        gross_loss = -float(trade_pnl[trade_pnl < 0].sum())
        if gross_loss > 0:
            profit_factor = float(trade_pnl[trade_pnl > 0].sum()) / gross_loss

    return Metrics(
        total_return=total_return,
        cagr=cagr,
        volatility=volatility,
        sharpe=sharpe,
        sortino=sortino,
        max_drawdown=max_dd,
        max_drawdown_days=max_dd_days,
        win_rate=win_rate,
        profit_factor=profit_factor,
        trade_count=trade_count,
        exposure=bars_in_market / bars,
        buy_and_hold_return=last_close / first_open - 1.0,
    )
