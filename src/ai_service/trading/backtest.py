"""Vectorised backtest engine: bars + signals + risk settings -> trades, equity curve, metrics.

Fill model
----------
- Decisions are taken on a bar's close, from that bar and earlier ones only; they are filled at
  the next bar's open. A signal on the last bar is never filled. The account is flat on the
  first bar, whose close is the first point of the equity curve (the initial capital).
- Position changes on a close: an entry signal takes the position to its side (a long entry
  while short closes the short and opens a long at the same open, and vice versa; an entry on
  the side already held changes nothing); otherwise an exit signal for the side held closes it.
  Long-only: a short entry only closes a long. Signals are events (see `strategies`), so a
  position closed by a stop is not reopened until the next entry signal.
- Slippage `s = slippageBps / 1e4` moves every fill against the trader: buys fill at
  price * (1 + s), sells at price * (1 - s). Fee `fr = feeBps / 1e4` is charged on every fill:
  fee = quantity * fill price * fr (so a round trip pays it twice).
- Position size: a fraction f (0 < f <= 1) of the equity at entry goes into the position, the
  entry fee included: quantity = f * equity / (fill price * (1 + fr)). Fractional quantities
  are allowed. Shorts are sized the same way and their proceeds stay in cash.
- Stop loss and take profit are levels relative to the entry fill price (slippage included):
  long stop = entry * (1 - stopLossPct/100), long target = entry * (1 + takeProfitPct/100);
  short stop = entry * (1 + stopLossPct/100), short target = entry * (1 - takeProfitPct/100).
  They are checked on every bar the position is held, from the entry bar itself (its low/high
  happen after the opening fill), against the bar's low and high. On the bar they are touched:
  if the open is already beyond a level (a gap), that level fills at the open; otherwise, when
  the bar's range touches both levels, the stop is assumed to have been hit first; a level that
  is touched fills at the level. Slippage and fees apply to these fills too. After a stop or
  target exit the position stays flat until the next entry signal, which may come on the close
  of that same bar.
- A position still open after the last bar is closed at the last bar's close (slippage and fee
  included), with exit reason END_OF_DATA.
- Equity is marked to market on every close: cash + side * quantity * close. Per-bar returns,
  drawdowns and the annualised figures come from that curve (see `metrics`), annualised with
  `periods_per_year` (252 by default: daily bars of a stock market).
- No margin calls: a short can lose more than the equity; once a trade leaves the account at or
  below zero the simulation takes no further trades.

Without stop loss and take profit everything is vectorised. With them the engine loops over
trades (never over bars): each step finds the next entry signal, the bar where the strategy
would exit, and scans only the bars in between for a touched level, with numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ai_service.core.errors import BadUserInput
from ai_service.trading.bars import Bars, FloatArray, IntArray, TimeArray
from ai_service.trading.metrics import TRADING_DAYS_PER_YEAR, Metrics, compute_metrics
from ai_service.trading.strategies import Signals, Strategy

DEFAULT_CAPITAL = 10_000.0
MAX_BPS = 1000.0  # 10%: anything above is a typo
MAX_TAKE_PROFIT_PCT = 1000.0


class Side(StrEnum):
    LONG = "LONG"
    SHORT = "SHORT"


class ExitReason(StrEnum):
    SIGNAL = "SIGNAL"
    STOP_LOSS = "STOP_LOSS"
    TAKE_PROFIT = "TAKE_PROFIT"
    END_OF_DATA = "END_OF_DATA"


_REASONS = tuple(ExitReason)  # int8 codes in TradeLog.exit_reason
_SIGNAL, _STOP, _TARGET, _END = range(4)


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadUserInput(f"{field} must be a finite number", field=field)
    return float(value)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class RiskSettings:
    """Position sizing, exits and costs. Checked on construction (BadUserInput with the
    camelCase field name): 0 < positionSize <= 1; stopLossPct in (0, 100); takeProfitPct in
    (0, 1000]; feeBps and slippageBps in [0, 1000]. Percentages are percent (5 = 5%)."""

    position_size: float = 1.0
    stop_loss_pct: float | None = None
    take_profit_pct: float | None = None
    fee_bps: float = 0.0
    slippage_bps: float = 0.0
    allow_short: bool = False

    def __post_init__(self) -> None:
        size = _number(self.position_size, "positionSize")
        if not 0 < size <= 1:
            raise BadUserInput("positionSize is a fraction of equity: more than 0, at most 1",
                               field="positionSize")
        if self.stop_loss_pct is not None:
            stop = _number(self.stop_loss_pct, "stopLossPct")
            if not 0 < stop < 100:
                raise BadUserInput("stopLossPct must be more than 0 and less than 100",
                                   field="stopLossPct")
        if self.take_profit_pct is not None:
            target = _number(self.take_profit_pct, "takeProfitPct")
            if not 0 < target <= MAX_TAKE_PROFIT_PCT:
                raise BadUserInput(f"takeProfitPct must be more than 0 and at most "
                                   f"{MAX_TAKE_PROFIT_PCT:g}", field="takeProfitPct")
        for field, value in (("feeBps", self.fee_bps), ("slippageBps", self.slippage_bps)):
            if not 0 <= _number(value, field) <= MAX_BPS:
                raise BadUserInput(f"{field} must be between 0 and {MAX_BPS:g} basis points",
                                   field=field)
        if not isinstance(self.allow_short, bool):
            raise BadUserInput("allowShort must be true or false", field="allowShort")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Trade:
    side: Side
    entry_time: datetime
    entry_price: float
    exit_time: datetime
    exit_price: float
    quantity: float
    pnl: float
    return_pct: float
    fees: float
    exit_reason: ExitReason
    entry_index: int
    exit_index: int


@dataclass(frozen=True, eq=False)  # holds arrays: compare their columns
class TradeLog:
    """Closed trades, one row per index, in time order (columnar).

    side: +1 long, -1 short. entry/exit_index: bar of the fill (an exit at a bar's open for
    SIGNAL, inside the bar for STOP_LOSS / TAKE_PROFIT, at its close for END_OF_DATA); times are
    those bars' timestamps. Prices are fill prices (slippage included). pnl is net of both fees;
    return_pct = 100 * pnl / (quantity * entry_price); fees = both fees. exit_reason: codes into
    `ExitReason` in declaration order (0 SIGNAL, 1 STOP_LOSS, 2 TAKE_PROFIT, 3 END_OF_DATA)."""

    side: NDArray[np.int8]
    entry_index: IntArray
    exit_index: IntArray
    entry_time: TimeArray
    exit_time: TimeArray
    entry_price: FloatArray
    exit_price: FloatArray
    quantity: FloatArray
    pnl: FloatArray
    return_pct: FloatArray
    fees: FloatArray
    exit_reason: NDArray[np.int8]

    def __len__(self) -> int:
        return len(self.side)

    def records(self) -> list[Trade]:
        """The trades as objects, times as naive datetimes (the bars' own clock)."""
        entry_times = self.entry_time.astype("datetime64[us]").tolist()
        exit_times = self.exit_time.astype("datetime64[us]").tolist()
        return [
            Trade(side=Side.LONG if side > 0 else Side.SHORT, entry_time=entry_time,
                  entry_price=entry_price, exit_time=exit_time, exit_price=exit_price,
                  quantity=quantity, pnl=pnl, return_pct=return_pct, fees=fees,
                  exit_reason=_REASONS[reason], entry_index=entry_index, exit_index=exit_index)
            for (side, entry_time, entry_price, exit_time, exit_price, quantity, pnl, return_pct,
                 fees, reason, entry_index, exit_index)
            in zip(self.side.tolist(), entry_times, self.entry_price.tolist(), exit_times,
                   self.exit_price.tolist(), self.quantity.tolist(), self.pnl.tolist(),
                   self.return_pct.tolist(), self.fees.tolist(), self.exit_reason.tolist(),
                   self.entry_index.tolist(), self.exit_index.tolist(), strict=True)
        ]


@dataclass(frozen=True, eq=False)  # holds arrays: compare their columns
class EquityCurve:
    """Account value at each bar's close (columnar)."""

    timestamps: TimeArray
    values: FloatArray


@dataclass(frozen=True, eq=False)  # holds arrays: compare their columns
class BacktestResult:
    metrics: Metrics
    trades: TradeLog
    equity_curve: EquityCurve
    position: NDArray[np.int8]  # held at each bar's close: +1 long, -1 short, 0 flat
    signals: Signals


# --------------------------------------------------------------------------- engine


class _Legs(NamedTuple):
    """Trades before accounting: entry bar, side, exit bar, exit price before slippage, reason."""

    entry: IntArray
    side: NDArray[np.int8]
    exit: IntArray
    exit_base: FloatArray
    reason: NDArray[np.int8]

    def head(self, count: int) -> _Legs:
        return _Legs(self.entry[:count], self.side[:count], self.exit[:count],
                     self.exit_base[:count], self.reason[:count])


def _effective(signals: Signals, allow_short: bool,
               ) -> tuple[NDArray[np.int8], NDArray[np.bool_], NDArray[np.bool_]]:
    """(entries, long exits, short exits) with the precedence rules applied: an entry beats an
    exit on the same bar; an entry on the other side also exits; long-only turns short entries
    into long exits."""
    entry = signals.entry
    exit_long = (signals.exit_long | (entry == -1)) & (entry != 1)
    if allow_short:
        return entry, exit_long, (signals.exit_short | (entry == 1)) & (entry != -1)
    return (entry == 1).astype(np.int8), exit_long, np.zeros(len(entry), dtype=np.bool_)


def _target_position(entry: NDArray[np.int8], exit_long: NDArray[np.bool_],
                     exit_short: NDArray[np.bool_]) -> NDArray[np.int8]:
    """Position wanted after each close: the side of the latest entry unless an exit for that
    side came after it."""
    index = np.arange(len(entry))
    last_entry = np.maximum.accumulate(np.where(entry != 0, index, -1))
    side = np.where(last_entry >= 0, entry[np.maximum(last_entry, 0)], 0)
    last_exit_long = np.maximum.accumulate(np.where(exit_long, index, -1))
    last_exit_short = np.maximum.accumulate(np.where(exit_short, index, -1))
    keep = (((side == 1) & (last_exit_long <= last_entry))
            | ((side == -1) & (last_exit_short <= last_entry)))
    return np.where(keep, side, 0).astype(np.int8)


def target_positions(signals: Signals, allow_short: bool) -> NDArray[np.int8]:
    """The position the signals want after each bar's close (+1, -1, 0), stops aside: what a
    live strategy tells its user to hold."""
    return _target_position(*_effective(signals, allow_short))


def _legs_by_signal(bars: Bars, entry: NDArray[np.int8], exit_long: NDArray[np.bool_],
                    exit_short: NDArray[np.bool_]) -> _Legs:
    n = len(bars)
    held = np.zeros(n, dtype=np.int8)  # position during each bar, set at its open
    held[1:] = _target_position(entry, exit_long, exit_short)[:-1]
    before = np.zeros(n, dtype=np.int8)
    before[1:] = held[:-1]
    change = held != before
    entries = np.flatnonzero(change & (held != 0))
    exits = np.flatnonzero(change & (before != 0))
    reason = np.full(len(entries), _SIGNAL, dtype=np.int8)
    exit_base = bars.open[exits]
    if held[-1] != 0:
        exits = np.append(exits, n - 1)
        exit_base = np.append(exit_base, bars.close[-1])
        reason[-1] = _END
    return _Legs(entries, held[entries], exits, exit_base, reason)


def _next_index(mask: NDArray[np.bool_]) -> IntArray:
    """next[k] = first index >= k where mask is true, or len(mask); one extra slot for k = n."""
    n = len(mask)
    index = np.where(mask, np.arange(n), n)
    out = np.empty(n + 1, dtype=np.int64)
    out[n] = n
    out[:n] = np.minimum.accumulate(index[::-1])[::-1]
    return out


def _first_touch(low: FloatArray, high: FloatArray, start: int, stop: int, below: float,
                 above: float) -> int:
    """First k in [start, stop) with low[k] <= below or high[k] >= above, else -1. Scans in
    growing chunks so a trade stopped early does not pay for its whole planned length."""
    check_low, check_high = below > -math.inf, above < math.inf
    chunk = 32
    k = start
    while k < stop:
        end = min(stop, k + chunk)
        if check_low and check_high:
            touched = (low[k:end] <= below) | (high[k:end] >= above)
        elif check_low:
            touched = low[k:end] <= below
        else:
            touched = high[k:end] >= above
        first = int(touched.argmax())
        if touched[first]:
            return k + first
        k, chunk = end, chunk * 4
    return -1


def _legs_with_levels(bars: Bars, entry: NDArray[np.int8], exit_long: NDArray[np.bool_],
                      exit_short: NDArray[np.bool_], risk: RiskSettings) -> _Legs:
    n = len(bars)
    o, h, low, c = bars.open, bars.high, bars.low, bars.close
    slip = risk.slippage_bps / 1e4
    stop_pct = None if risk.stop_loss_pct is None else risk.stop_loss_pct / 100
    target_pct = None if risk.take_profit_pct is None else risk.take_profit_pct / 100
    next_entry = _next_index(entry != 0)
    next_exit = {1: _next_index(exit_long), -1: _next_index(exit_short)}
    entries: list[int] = []
    sides: list[int] = []
    exits: list[int] = []
    bases: list[float] = []
    reasons: list[int] = []
    start = 0
    while True:
        signal_bar = int(next_entry[start])
        if signal_bar >= n - 1:
            break
        side = int(entry[signal_bar])
        first = signal_bar + 1
        price = float(o[first]) * (1 + side * slip)
        planned = int(next_exit[side][first])  # close on which the strategy would exit
        stop = target = None
        if stop_pct is not None:
            stop = price * (1 - side * stop_pct)
        if target_pct is not None:
            target = price * (1 + side * target_pct)
        if side > 0:
            below = -math.inf if stop is None else stop
            above = math.inf if target is None else target
        else:
            below = -math.inf if target is None else target
            above = math.inf if stop is None else stop
        k = _first_touch(low, h, first, min(planned + 1, n), below, above)
        entries.append(first)
        sides.append(side)
        if k >= 0:
            reason, base = _level_fill(side, float(o[k]), float(low[k]), float(h[k]), stop,
                                       target)
            exits.append(k)
            bases.append(base)
            reasons.append(reason)
            start = k
        elif planned < n - 1:
            exits.append(planned + 1)
            bases.append(float(o[planned + 1]))
            reasons.append(_SIGNAL)
            start = planned  # an entry on the exit bar (a reversal) is taken
        else:
            exits.append(n - 1)
            bases.append(float(c[-1]))
            reasons.append(_END)
            break
    return _Legs(np.array(entries, dtype=np.int64), np.array(sides, dtype=np.int8),
                 np.array(exits, dtype=np.int64), np.array(bases, dtype=np.float64),
                 np.array(reasons, dtype=np.int8))


def _level_fill(side: int, open_: float, low: float, high: float, stop: float | None,
                target: float | None) -> tuple[int, float]:
    """(reason, price before slippage) on a bar that touched a level: a gap through a level
    fills at the open; when the range touches both, the stop is taken to come first."""
    if side > 0:
        if stop is not None and open_ <= stop:
            return _STOP, open_
        if target is not None and open_ >= target:
            return _TARGET, open_
        if stop is not None and low <= stop:
            return _STOP, stop
    else:
        if stop is not None and open_ >= stop:
            return _STOP, open_
        if target is not None and open_ <= target:
            return _TARGET, open_
        if stop is not None and high >= stop:
            return _STOP, stop
    assert target is not None
    return _TARGET, target


def _account(bars: Bars, legs: _Legs, risk: RiskSettings, capital: float,
             ) -> tuple[TradeLog, FloatArray, NDArray[np.int8], int]:
    """Prices, sizes and P&L of the trades, the marked-to-market equity curve, the position at
    each close and the number of bars in the market. Each trade's P&L is a fixed fraction of the
    equity it starts with (sizing is proportional), so compounding is one cumprod."""
    n = len(bars)
    fee = risk.fee_bps / 1e4
    slip = risk.slippage_bps / 1e4
    side = legs.side.astype(np.float64)
    entry_price = bars.open[legs.entry] * (1 + side * slip)
    exit_price = legs.exit_base * (1 - side * slip)
    units = risk.position_size / (entry_price * (1 + fee))  # quantity per unit of equity
    growth = 1 + units * (side * (exit_price - entry_price) - fee * (entry_price + exit_price))
    ruined = np.flatnonzero(growth <= 0)
    if ruined.size:
        keep = int(ruined[0]) + 1
        legs = legs.head(keep)
        side, entry_price, exit_price, units, growth = (
            side[:keep], entry_price[:keep], exit_price[:keep], units[:keep], growth[:keep])
    after = capital * np.cumprod(growth)
    start_equity = np.empty(len(after))
    start_equity[:1] = capital
    start_equity[1:] = after[:-1]
    quantity = units * start_equity
    pnl = (growth - 1) * start_equity
    entry_fee = quantity * entry_price * fee

    # Realised equity after every trade that has exited by each close...
    realised = np.empty(len(after) + 1)
    realised[0] = capital
    realised[1:] = after
    equity = realised[np.cumsum(np.bincount(legs.exit, minlength=n))]
    # ...overwritten, on the closes where a trade is open, by its mark to market.
    lengths = legs.exit - legs.entry
    trade = np.repeat(np.arange(len(lengths)), lengths)
    bar = np.arange(len(trade)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    bar += legs.entry[trade]
    equity[bar] = (start_equity - entry_fee)[trade] + (side * quantity)[trade] * (
        bars.close[bar] - entry_price[trade])
    position = np.zeros(n, dtype=np.int8)
    position[bar] = legs.side[trade]
    # A SIGNAL exit happens at the open of its bar: that bar is not in the market.
    in_market = int(lengths.sum()) + int(np.count_nonzero(legs.reason != _SIGNAL))

    log = TradeLog(
        side=legs.side,
        entry_index=legs.entry,
        exit_index=legs.exit,
        entry_time=bars.timestamps[legs.entry],
        exit_time=bars.timestamps[legs.exit],
        entry_price=entry_price,
        exit_price=exit_price,
        quantity=quantity,
        pnl=pnl,
        return_pct=100 * pnl / (quantity * entry_price),
        fees=quantity * fee * (entry_price + exit_price),
        exit_reason=legs.reason,
    )
    return log, equity, position, in_market


def simulate(bars: Bars, signals: Signals, risk: RiskSettings | None = None, *,
             initial_capital: float = DEFAULT_CAPITAL,
             periods_per_year: float = TRADING_DAYS_PER_YEAR) -> BacktestResult:
    """Run precomputed signals through the fill model (see the module docstring)."""
    risk = risk or RiskSettings()
    if len(signals) != len(bars):
        raise ValueError(f"{len(signals)} signals for {len(bars)} bars")
    capital = _number(initial_capital, "initialCapital")
    if capital <= 0:
        raise BadUserInput("initialCapital must be positive", field="initialCapital")
    per_year = _number(periods_per_year, "periodsPerYear")
    if per_year <= 0:
        raise BadUserInput("periodsPerYear must be positive", field="periodsPerYear")

    entry, exit_long, exit_short = _effective(signals, risk.allow_short)
    if risk.stop_loss_pct is None and risk.take_profit_pct is None:
        legs = _legs_by_signal(bars, entry, exit_long, exit_short)
    else:
        legs = _legs_with_levels(bars, entry, exit_long, exit_short, risk)
    trades, equity, position, in_market = _account(bars, legs, risk, capital)
    metrics = compute_metrics(
        equity=equity, timestamps=bars.timestamps, trade_pnl=trades.pnl,
        bars_in_market=in_market, first_open=float(bars.open[0]),
        last_close=float(bars.close[-1]), periods_per_year=per_year)
    return BacktestResult(metrics=metrics, trades=trades,
                          equity_curve=EquityCurve(bars.timestamps, equity), position=position,
                          signals=signals)


def run_backtest(bars: Bars, strategy: Strategy, risk: RiskSettings | None = None, *,
                 initial_capital: float = DEFAULT_CAPITAL,
                 periods_per_year: float = TRADING_DAYS_PER_YEAR) -> BacktestResult:
    """Signals of `strategy` on `bars`, filled by `simulate`."""
    return simulate(bars, strategy.signals(bars), risk, initial_capital=initial_capital,
                    periods_per_year=periods_per_year)
