"""The trading core: indicators, signals, the fill model, metrics, no look-ahead, validation.

Expected numbers are worked out by hand in the comments, never by calling the code under test.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from ai_service.core.errors import BadUserInput
from ai_service.trading import (
    Bars,
    ExitReason,
    RiskSettings,
    Side,
    Signals,
    Strategy,
    StrategyKind,
    run_backtest,
    simulate,
    validate_params,
)
from ai_service.trading import indicators as ind
from ai_service.trading.metrics import drawdown
from support.paths import ORCL

STOP, TARGET, SIGNAL, END = 1, 2, 0, 3  # TradeLog.exit_reason codes


def make_bars(open_, close, high=None, low=None, dates=None) -> Bars:
    """Bars on consecutive days; high/low default to the max/min of open and close."""
    o = np.asarray(open_, dtype=float)
    c = np.asarray(close, dtype=float)
    h = np.maximum(o, c) if high is None else np.asarray(high, dtype=float)
    lo = np.minimum(o, c) if low is None else np.asarray(low, dtype=float)
    if dates is None:
        stamps = np.datetime64("2024-01-01") + np.arange(len(o)).astype("timedelta64[D]")
    else:
        stamps = np.array(dates, dtype="datetime64[D]")
    return Bars(stamps, o, h, lo, c)


def make_signals(n, entries=(), exit_long=(), exit_short=()) -> Signals:
    """entries: {bar: +1/-1}; exits: bars."""
    entry = np.zeros(n, dtype=np.int8)
    for bar, side in dict(entries).items():
        entry[bar] = side
    xl = np.zeros(n, dtype=bool)
    xl[list(exit_long)] = True
    xs = np.zeros(n, dtype=bool)
    xs[list(exit_short)] = True
    return Signals(entry, xl, xs)


def random_bars(n: int, seed: int) -> Bars:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.015, n)))
    open_ = np.empty(n)
    open_[0] = 100
    open_[1:] = close[:-1] * np.exp(rng.normal(0, 0.004, n - 1))  # overnight gaps
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    stamps = np.datetime64("2010-01-04") + np.arange(n).astype("timedelta64[D]")
    return Bars(stamps, open_, high, low, close)


# --------------------------------------------------------------------------- indicators


def test_sma_by_hand():
    # Means of (1,2,3), (2,3,4), (3,4,5), (4,5,6).
    got = ind.sma([1, 2, 3, 4, 5, 6], 3)
    assert np.isnan(got[:2]).all()
    assert got[2:].tolist() == [2.0, 3.0, 4.0, 5.0]
    assert np.isnan(ind.sma([1, 2], 3)).all()


def test_sma_across_prefix_sum_blocks():
    # The mean of the n consecutive integers t-n+1..t is their midpoint t - (n-1)/2. Sums of
    # integers are exact in float64, so this checks the block stitching (4096 and 4100 wide)
    # at every position, exactly.
    x = np.arange(12_000, dtype=float)
    for n in (3, 4096, 4100):
        got = ind.sma(x, n)
        assert np.isnan(got[: n - 1]).all()
        assert np.array_equal(got[n - 1 :], x[n - 1 :] - (n - 1) / 2)


def test_ema_by_hand():
    # n=3: alpha = 2/(3+1) = 0.5, seeded at index 2 with the SMA (2+4+6)/3 = 4;
    # then 0.5*8 + 0.5*4 = 6 and 0.5*12 + 0.5*6 = 9.
    got = ind.ema([2, 4, 6, 8, 12], 3)
    assert np.isnan(got[:2]).all()
    assert got[2:] == pytest.approx([4, 6, 9], abs=1e-12)


def test_ema_step_response_over_many_blocks():
    # A series that is 0 for the first n values then 1: seed 0 at index n-1, then
    # y[t] = 1 - (1-alpha)^(t-n+1). With n=2 (alpha=2/3) the recurrence is evaluated in
    # blocks of about 200 values, so 3000 values cross many block boundaries.
    for n in (2, 10, 300):
        x = np.ones(3000)
        x[:n] = 0
        alpha = 2 / (n + 1)
        t = np.arange(n - 1, 3000)
        expected = 1 - (1 - alpha) ** (t - n + 1)
        got = ind.ema(x, n)
        assert np.isnan(got[: n - 1]).all()
        assert np.allclose(got[n - 1 :], expected, rtol=0, atol=1e-12)


def test_rsi_wilder_by_hand():
    # Closes 10 11 12 11 12 13 12: changes +1 +1 -1 +1 +1 -1. Period 3.
    # Index 3 (seed, simple means of changes 1..3): G = 2/3, L = 1/3 -> RSI = 100*G/(G+L) = 66.67
    # Index 4 (+1): G = (2*2/3 + 1)/3 = 7/9,  L = (2*1/3)/3 = 2/9   -> 77.78
    # Index 5 (+1): G = (2*7/9 + 1)/3 = 23/27, L = (2*2/9)/3 = 4/27 -> 85.19
    # Index 6 (-1): G = (2*23/27)/3 = 46/81, L = (2*4/27 + 1)/3 = 35/81 -> 56.79
    got = ind.rsi([10, 11, 12, 11, 12, 13, 12], 3)
    assert np.isnan(got[:3]).all()
    assert got[3:] == pytest.approx([200 / 3, 700 / 9, 2300 / 27, 4600 / 81], abs=1e-9)


def test_rsi_edges():
    assert ind.rsi([1, 2, 3, 4, 5], 2)[2:].tolist() == [100.0, 100.0, 100.0]  # no losses
    assert ind.rsi([5, 4, 3, 2, 1], 2)[2:].tolist() == [0.0, 0.0, 0.0]  # no gains
    assert ind.rsi([3, 3, 3, 3], 2)[2:].tolist() == [50.0, 50.0]  # no change at all


def test_rolling_extremes_and_donchian():
    x = [3, 1, 4, 1, 5, 9, 2, 6]
    # Windows of 3: (3,1,4) (1,4,1) (4,1,5) (1,5,9) (5,9,2) (9,2,6)
    assert ind.rolling_max(x, 3)[2:].tolist() == [4, 4, 5, 9, 9, 9]
    assert ind.rolling_min(x, 3)[2:].tolist() == [1, 1, 1, 1, 2, 2]
    upper, lower = ind.donchian([2, 3, 5, 4], [1, 2, 1, 3], 2)
    assert upper[1:].tolist() == [3, 5, 5]
    assert lower[1:].tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- signals


def test_crossover_is_from_less_or_equal_to_greater():
    # fast = SMA2, slow = SMA3 of these closes:
    #  t:     2   3   4     5   6   7   8    9   10
    #  fast: 10  10  11.5  13  10   7  8.5  10  10
    #  slow: 10  10  11    12  11   9  8     9  10
    # t=3: equal -> equal: nothing. t=4: equal (<=) -> above: cross up. t=6: above -> below:
    # cross down. t=8: cross up. t=10: above -> equal (<=): cross down.
    closes = [10, 10, 10, 10, 13, 13, 7, 7, 10, 10, 10]
    bars = make_bars(closes, closes)
    signals = Strategy.create("SMA_CROSSOVER", {"fast": 2, "slow": 3}).signals(bars)
    assert np.flatnonzero(signals.entry == 1).tolist() == [4, 8]
    assert np.flatnonzero(signals.entry == -1).tolist() == [6, 10]
    assert np.flatnonzero(signals.exit_long).tolist() == [6, 10]
    assert np.flatnonzero(signals.exit_short).tolist() == [4, 8]


def test_rsi_reversion_signals():
    # RSI(2) of these closes (changes +1 +1 -4 -4 +10 +4), Wilder: avg = (avg + change) / 2.
    # Index 2 (seed): G = 1, L = 0 -> 100. Index 3: G = 0.5, L = 2 -> exactly 20: not below 20.
    # Index 4: G = 0.25, L = 3 -> 7.7: from >= 20 to < 20, long entry. Index 5: G = 5.125,
    # L = 1.5 -> 77.4. Index 6: G = 4.5625, L = 0.75 -> 85.9: from <= 80 to > 80, short entry.
    closes = [10, 11, 12, 8, 4, 14, 18]
    bars = make_bars(closes, closes)
    signals = Strategy.create("RSI_REVERSION", {"period": 2, "lower": 20, "upper": 80}).signals(
        bars)
    assert np.flatnonzero(signals.entry).tolist() == [4, 6]
    assert signals.entry[4] == 1
    assert signals.entry[6] == -1


def test_donchian_breakout_signals():
    # entry channel 3, exit channel 2, channels from the previous bars only.
    high = [10, 11, 10, 12, 13, 12, 11, 9]
    low = [9, 9, 8, 9, 11, 10, 9, 7]
    close = [9.5, 10, 9, 11.5, 12.5, 11, 10, 7.5]
    # t=3: close 11.5 > max high(0..2) = 11 -> long entry. t=4: 12.5 > max(1..3) = 12 -> long
    # entry again. t=6: close 10 >= min low(4..5) = 10: no exit. t=7: 7.5 < min low(5..6) = 9:
    # long exit, and < min low(4..6) = 9: short entry.
    bars = make_bars(close, close, high=high, low=low)
    signals = Strategy.create("DONCHIAN_BREAKOUT", {"entry": 3, "exit": 2}).signals(bars)
    assert signals.entry.tolist() == [0, 0, 0, 1, 1, 0, 0, -1]
    assert np.flatnonzero(signals.exit_long).tolist() == [7]


# --------------------------------------------------------------------------- fills


def test_signals_fill_at_the_next_open():
    closes = [10, 10, 10, 10, 13, 13, 7, 7, 10, 10, 10]
    opens = [10, 10, 10, 10, 11, 12, 12, 8, 8, 9, 11]
    bars = make_bars(opens, closes)
    result = run_backtest(bars, Strategy.create("SMA_CROSSOVER", {"fast": 2, "slow": 3}),
                          initial_capital=1000)
    trades = result.trades
    # Cross up at close 4 -> buy the open of 5 (12); cross down at 6 -> sell the open of 7 (8).
    # Cross up at 8 -> buy the open of 9 (9); the cross down at 10 is on the last bar: the
    # position is closed at its close (10).
    assert trades.entry_index.tolist() == [5, 9]
    assert trades.exit_index.tolist() == [7, 10]
    assert trades.entry_price.tolist() == [12, 9]
    assert trades.exit_price.tolist() == [8, 10]
    assert trades.exit_reason.tolist() == [SIGNAL, END]
    # 1000/12 shares lose 4 each: 1000 -> 666.67; then 666.67/9 shares gain 1 each.
    assert trades.pnl == pytest.approx([-1000 / 3, 2000 / 27])
    assert result.position.tolist() == [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0]
    records = trades.records()
    assert records[0].side is Side.LONG
    assert records[0].entry_time.isoformat() == "2024-01-06T00:00:00"
    assert records[1].exit_reason is ExitReason.END_OF_DATA


def test_metrics_by_hand():
    # Long from the open of 1 (10) to the open of 3 (9), long again from the open of 5 (10) to
    # the end. Capital 1000, whole equity, no costs.
    opens = [10, 10, 12, 9, 8, 10, 11]
    closes = [10, 12, 9, 8, 10, 11, 12]
    dates = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05",
             "2024-01-08", "2024-01-09"]
    bars = make_bars(opens, closes, dates=dates)
    signals = make_signals(7, entries={0: 1, 4: 1}, exit_long=[2])
    result = simulate(bars, signals, initial_capital=1000)
    # Trade 1: 100 shares, 10 -> 9: pnl -100. Equity at closes: 1200 (12), 900 (9), then flat.
    # Trade 2: 900/10 = 90 shares: closes 11, 12 -> 990, 1080; closed at the last close 12.
    assert result.equity_curve.values.tolist() == pytest.approx(
        [1000, 1200, 900, 900, 900, 990, 1080])
    assert result.trades.pnl.tolist() == pytest.approx([-100, 180])
    m = result.metrics
    assert m.total_return == pytest.approx(0.08)  # 1080/1000 - 1
    # Returns: 0.2, -0.25, 0, 0, 0.1, 1/11 (990 -> 1080). mean = 31/1320.
    # Sample std (n-1 = 5) = 0.153268; annualised with sqrt(252).
    assert m.volatility == pytest.approx(0.15326789237135063 * math.sqrt(252))
    assert m.sharpe == pytest.approx(2.4324103779699)  # 0.0234848 / 0.153268 * 15.8745
    # Downside deviation sqrt((-0.25)^2 / 6) = 0.1020621 -> 0.0234848 / 0.1020621 * 15.8745
    assert m.sortino == pytest.approx(3.6527811209207943)
    assert m.cagr == pytest.approx(1.08 ** (252 / 6) - 1)  # 6 steps of 1/252 year
    assert m.max_drawdown == pytest.approx(0.25)  # 1200 -> 900
    # Under water from the peak on 2024-01-02 to the last bar, 2024-01-09: 7 calendar days.
    assert m.max_drawdown_days == 7
    assert m.win_rate == 0.5
    assert m.profit_factor == pytest.approx(1.8)  # 180 / 100
    assert m.trade_count == 2
    assert m.exposure == pytest.approx(4 / 7)  # bars 1, 2, 5, 6
    assert m.buy_and_hold_return == pytest.approx(0.2)  # last close 12 / first open 10 - 1
    assert m.as_dict()["maxDrawdownDays"] == 7


def test_drawdown_duration_counts_until_recovery():
    # Peak 110 (day 1), under water on days 2-3, back to 110 on day 4: 3 days.
    # Peak 120 (day 5), under water to the end (day 7): 2 days. Deepest: 90/120 -> 25%.
    equity = np.array([100, 110, 99, 105, 110, 120, 90, 95], dtype=float)
    stamps = np.datetime64("2024-01-01") + np.arange(8).astype("timedelta64[D]")
    assert drawdown(equity, stamps) == (pytest.approx(0.25), 3.0)
    # Intraday bars give fractional days: 6 hours under water.
    hours = np.datetime64("2024-01-01T00:00") + np.arange(4).astype("timedelta64[h]") * 3
    assert drawdown(np.array([1.0, 2.0, 1.5, 1.8]), hours) == (pytest.approx(0.25), 0.25)


def test_undefined_metrics_are_none():
    # No signal at all: flat equity, no trades.
    bars = make_bars([10, 11, 12, 13], [11, 12, 13, 14])
    m = simulate(bars, make_signals(4), initial_capital=100).metrics
    assert (m.total_return, m.volatility, m.max_drawdown, m.exposure) == (0, 0, 0, 0)
    assert m.sharpe is None
    assert m.sortino is None
    assert m.win_rate is None
    assert m.profit_factor is None
    assert m.trade_count == 0
    assert m.cagr == 0
    # One winning trade only: no losing bar, no losing trade.
    m = simulate(bars, make_signals(4, entries={0: 1}), initial_capital=100).metrics
    assert m.sortino is None
    assert m.profit_factor is None
    assert m.win_rate == 1
    # Two daily bars, bought at 1 and closed at 20: 20 ** 252 overflows a float. One return
    # only: no volatility.
    m = simulate(make_bars([1, 1], [1, 20]), make_signals(2, entries={0: 1})).metrics
    assert m.total_return == pytest.approx(19)
    assert m.cagr is None
    assert m.volatility is None
    assert m.sharpe is None
    # 1.5 ** 252 - 1 does not overflow.
    m = simulate(make_bars([1, 1], [1, 1.5]), make_signals(2, entries={0: 1})).metrics
    assert m.cagr == pytest.approx(1.5**252 - 1)


def test_fees_and_slippage_long():
    bars = make_bars([100, 100, 120], [100, 110, 120])
    risk = RiskSettings(position_size=0.5, fee_bps=10, slippage_bps=50)
    result = simulate(bars, make_signals(3, entries={0: 1}, exit_long=[1]), risk,
                      initial_capital=10_000)
    # Buy at 100 * 1.005 = 100.5. Half the equity pays notional + fee:
    # qty = 5000 / (100.5 * 1.001) = 49.701542; entry fee = qty * 100.5 * 0.001 = 4.994995.
    qty = 5000 / (100.5 * 1.001)
    entry_fee = qty * 100.5 * 0.001
    # Sell at the open of bar 2: 120 * 0.995 = 119.4; exit fee = qty * 119.4 * 0.001 = 5.934364.
    exit_fee = qty * 119.4 * 0.001
    t = result.trades
    assert t.entry_price[0] == pytest.approx(100.5)
    assert t.exit_price[0] == pytest.approx(119.4)
    assert t.quantity[0] == pytest.approx(49.701542, rel=1e-7)
    assert t.fees[0] == pytest.approx(entry_fee + exit_fee)
    pnl = qty * (119.4 - 100.5) - entry_fee - exit_fee  # 928.43 = 939.36 - 10.93
    assert t.pnl[0] == pytest.approx(pnl)
    assert pnl == pytest.approx(928.4296, rel=1e-6)
    assert t.return_pct[0] == pytest.approx(100 * pnl / (qty * 100.5))
    # Marked at the close of bar 1: 10000 - entry fee + qty * (110 - 100.5).
    assert result.equity_curve.values.tolist() == pytest.approx(
        [10_000, 10_000 - entry_fee + qty * 9.5, 10_000 + pnl])


def test_fees_and_slippage_short():
    bars = make_bars([100, 100, 120], [100, 110, 120])
    risk = RiskSettings(fee_bps=10, slippage_bps=50, allow_short=True)
    result = simulate(bars, make_signals(3, entries={0: -1}, exit_short=[1]), risk,
                      initial_capital=10_000)
    # Sell short at 100 * 0.995 = 99.5, qty = 10000 / (99.5 * 1.001); buy back at the open of
    # bar 2, 120 * 1.005 = 120.6.
    qty = 10_000 / (99.5 * 1.001)
    fees = qty * 99.5 * 0.001 + qty * 120.6 * 0.001
    t = result.trades
    assert t.side.tolist() == [-1]
    assert (t.entry_price[0], t.exit_price[0]) == (pytest.approx(99.5), pytest.approx(120.6))
    assert t.pnl[0] == pytest.approx(qty * (99.5 - 120.6) - fees)  # -2129.7
    assert result.equity_curve.values[1] == pytest.approx(
        10_000 - qty * 99.5 * 0.001 - qty * (110 - 99.5))


def test_long_short_reverses_at_the_same_open():
    closes = [10, 10, 10, 10, 13, 13, 7, 7, 10, 10, 10]
    opens = [10, 10, 10, 10, 11, 12, 12, 8, 8, 9, 11]
    bars = make_bars(opens, closes)
    result = run_backtest(bars, Strategy.create("SMA_CROSSOVER", {"fast": 2, "slow": 3}),
                          RiskSettings(allow_short=True), initial_capital=1200)
    t = result.trades
    # Long 5->7, short 7->9 (sell 8, buy back 9), long 9->end.
    assert t.side.tolist() == [1, -1, 1]
    assert t.entry_index.tolist() == [5, 7, 9]
    assert t.exit_index.tolist() == [7, 9, 10]
    # 100 shares 12 -> 8: 1200 -> 800. Short 100 shares at 8, back at 9: -100 -> 700.
    # 700/9 shares 9 -> 10: +77.78.
    assert t.pnl == pytest.approx([-400, -100, 700 / 9])
    assert result.equity_curve.values[7] == pytest.approx(800 - 100 * (7 - 8))  # short marked
    assert result.position.tolist() == [0, 0, 0, 0, 0, 1, 1, -1, -1, 1, 0]
    # Long-only, the cross down only exits.
    long_only = run_backtest(bars, Strategy.create("SMA_CROSSOVER", {"fast": 2, "slow": 3}))
    assert long_only.trades.side.tolist() == [1, 1]


# --------------------------------------------------------------------------- stops


def stop_case(bar2, risk, side=1, exits=()):
    """Entry at the open of bar 1 (100); bar 1 stays within 97..103; `bar2` = (o, h, l, c)."""
    o2, h2, l2, c2 = bar2
    bars = make_bars([100, 100, o2, 100], [100, 101, c2, 100], high=[100, 103, h2, 100],
                     low=[100, 97, l2, 100])
    exit_long = exits if side > 0 else ()
    exit_short = exits if side < 0 else ()
    return simulate(bars, make_signals(4, entries={0: side}, exit_long=exit_long,
                                       exit_short=exit_short), risk, initial_capital=1000)


@pytest.mark.parametrize(
    ("bar2", "reason", "price"),
    [
        ((101, 101, 94, 96), STOP, 95),  # low touches the 5% stop at 95: filled at 95
        ((93, 94, 90, 92), STOP, 93),  # gap below the stop: filled at the open
        ((104, 111, 103, 105), TARGET, 110),  # high touches the 10% target
        ((112, 115, 111, 113), TARGET, 112),  # gap above the target: filled at the open
        ((100, 111, 94, 100), STOP, 95),  # both touched: the stop is assumed first
        ((99, 104, 96, 100), END, 100),  # neither: closed at the last close
    ],
)
def test_long_stop_and_target_fills(bar2, reason, price):
    result = stop_case(bar2, RiskSettings(stop_loss_pct=5, take_profit_pct=10))
    t = result.trades
    assert t.exit_reason.tolist() == [reason]
    assert t.exit_price[0] == pytest.approx(price)
    assert t.exit_index[0] == (2 if reason != END else 3)
    # 10 shares bought at 100.
    assert t.pnl[0] == pytest.approx(10 * (price - 100))
    assert result.equity_curve.values[2] == pytest.approx(1000 + 10 * (
        (price - 100) if reason != END else (bar2[3] - 100)))


@pytest.mark.parametrize(
    ("bar2", "reason", "price"),
    [
        ((101, 106, 99, 104), STOP, 105),  # high touches the stop at 105
        ((107, 108, 106, 107), STOP, 107),  # gap above the stop: the open
        ((95, 96, 89, 92), TARGET, 90),  # low touches the target at 90
        ((88, 89, 87, 88), TARGET, 88),  # gap below the target: the open
        ((100, 106, 89, 100), STOP, 105),  # both: stop first
    ],
)
def test_short_stop_and_target_fills(bar2, reason, price):
    result = stop_case(bar2, RiskSettings(stop_loss_pct=5, take_profit_pct=10, allow_short=True),
                       side=-1)
    t = result.trades
    assert t.side.tolist() == [-1]
    assert t.exit_reason.tolist() == [reason]
    assert t.exit_price[0] == pytest.approx(price)
    assert t.pnl[0] == pytest.approx(10 * (100 - price))


def test_stop_on_the_entry_bar_and_with_slippage():
    # The entry bar's own range counts: bar 1 dips to 97, under a 2% stop at 98.
    result = stop_case((100, 101, 99, 100), RiskSettings(stop_loss_pct=2))
    assert result.trades.exit_index.tolist() == [1]
    assert result.trades.exit_price[0] == pytest.approx(98)
    assert result.position.tolist() == [0, 0, 0, 0]
    assert result.metrics.exposure == 0.25  # bar 1 only
    # Slippage 1%: buy at 101; stop 5% below the fill = 95.95, sold at 95.95 * 0.99 = 94.9905.
    result = stop_case((101, 101, 94, 96), RiskSettings(stop_loss_pct=5, slippage_bps=100))
    assert result.trades.entry_price[0] == pytest.approx(101)
    assert result.trades.exit_price[0] == pytest.approx(94.9905)


def test_after_a_stop_the_position_waits_for_the_next_entry():
    closes = [100, 100, 95, 96, 97, 98, 99]
    bars = make_bars([100, 100, 99, 95, 96, 97, 98], closes, low=[100, 99, 90, 94, 95, 96, 97],
                     high=[100, 101, 100, 97, 98, 99, 100])
    risk = RiskSettings(stop_loss_pct=5)
    # Long at bar 1; stopped on bar 2 at 95, then flat until the entry at close 4 (open of 5).
    # Second case: the entry at close 2 would be a no-op while long, but it comes on the stop
    # bar's close, so it is taken at the open of bar 3; the exit at close 4 sells the open of 5.
    result = simulate(bars, make_signals(7, entries={0: 1, 4: 1}), risk)
    assert result.trades.entry_index.tolist() == [1, 5]
    assert result.trades.exit_reason.tolist() == [STOP, END]
    result = simulate(bars, make_signals(7, entries={0: 1, 2: 1}, exit_long=[4]), risk)
    assert result.trades.entry_index.tolist() == [1, 3]
    assert result.trades.exit_index.tolist() == [2, 5]
    assert result.trades.exit_reason.tolist() == [STOP, SIGNAL]


KINDS = [
    ("SMA_CROSSOVER", {"fast": 5, "slow": 20}),
    ("EMA_CROSSOVER", {"fast": 5, "slow": 20}),
    ("RSI_REVERSION", {"period": 5, "lower": 30, "upper": 70}),
    ("DONCHIAN_BREAKOUT", {"entry": 10, "exit": 5}),
]


@pytest.mark.parametrize(("kind", "params"), KINDS)
@pytest.mark.parametrize("allow_short", [False, True])
def test_unreachable_levels_match_the_vectorised_path(kind, params, allow_short):
    # A 99% stop never triggers here, but sends the run through the per-trade loop: it must
    # give the very trades the vectorised path gives.
    bars = random_bars(800, seed=7)
    strategy = Strategy.create(kind, params)
    plain = run_backtest(bars, strategy, RiskSettings(allow_short=allow_short, fee_bps=5))
    looped = run_backtest(bars, strategy, RiskSettings(allow_short=allow_short, fee_bps=5,
                                                       stop_loss_pct=99))
    assert len(plain.trades) > 5
    for column in ("side", "entry_index", "exit_index", "entry_price", "exit_price", "pnl",
                   "exit_reason"):
        assert np.array_equal(getattr(plain.trades, column), getattr(looped.trades, column))
    assert np.array_equal(plain.equity_curve.values, looped.equity_curve.values)
    assert plain.metrics == looped.metrics


@pytest.mark.parametrize(("kind", "params"), KINDS)
@pytest.mark.parametrize(
    "risk",
    [
        RiskSettings(fee_bps=10, slippage_bps=5),
        RiskSettings(allow_short=True, stop_loss_pct=3, take_profit_pct=6, fee_bps=10,
                     position_size=0.5),
    ],
)
def test_engine_invariants(kind, params, risk):
    bars = random_bars(1500, seed=3)
    result = run_backtest(bars, Strategy.create(kind, params), risk, initial_capital=5000)
    t = result.trades
    equity = result.equity_curve.values
    assert len(t) > 5
    # Trades follow one another: the next starts no earlier than the previous exit, and after it
    # when that exit was intrabar.
    assert (t.entry_index[1:] >= t.exit_index[:-1]).all()
    intrabar = t.exit_reason[:-1] != SIGNAL
    assert (t.entry_index[1:][intrabar] > t.exit_index[:-1][intrabar]).all()
    assert (t.exit_index >= t.entry_index).all()
    assert equity[0] == 5000
    assert equity[-1] == pytest.approx(5000 + t.pnl.sum())
    assert (t.side != 0).all()
    if not risk.allow_short:
        assert (t.side == 1).all()
    assert result.metrics.trade_count == len(t)


# --------------------------------------------------------------------------- look-ahead


@pytest.mark.parametrize(("kind", "params"), KINDS)
@pytest.mark.parametrize(
    "risk", [RiskSettings(fee_bps=5), RiskSettings(allow_short=True, stop_loss_pct=2,
                                                    take_profit_pct=4, slippage_bps=3)])
def test_future_bars_never_change_past_decisions(kind, params, risk):
    bars = random_bars(700, seed=11)
    strategy = Strategy.create(kind, params)
    full = run_backtest(bars, strategy, risk)
    rng = np.random.default_rng(5)
    for k in (150, 333, 600):
        # Truncated after k, and with every bar after k replaced by an unrelated random walk.
        other = random_bars(700 - k - 1, seed=int(rng.integers(1_000_000)))
        scale = bars.close[k] / other.open[0]
        perturbed = Bars(bars.timestamps,
                         np.concatenate([bars.open[: k + 1], other.open * scale]),
                         np.concatenate([bars.high[: k + 1], other.high * scale]),
                         np.concatenate([bars.low[: k + 1], other.low * scale]),
                         np.concatenate([bars.close[: k + 1], other.close * scale]))
        for changed, upto in ((bars.slice(0, k + 1), k), (perturbed, k + 1)):
            run = run_backtest(changed, strategy, risk)
            for name in ("entry", "exit_long", "exit_short"):
                assert np.array_equal(getattr(run.signals, name)[: k + 1],
                                      getattr(full.signals, name)[: k + 1])
            # Equity through close k-1 (truncated: the last bar closes any position) or close
            # k (perturbed), bit for bit.
            assert np.array_equal(run.equity_curve.values[:upto], full.equity_curve.values[:upto])
            assert np.array_equal(run.position[:upto], full.position[:upto])
            done = full.trades.exit_index < upto
            mine = run.trades.exit_index < upto
            assert done.sum() > 0
            for column in ("side", "entry_index", "exit_index", "entry_price", "exit_price",
                           "quantity", "pnl", "exit_reason"):
                assert np.array_equal(getattr(run.trades, column)[mine],
                                      getattr(full.trades, column)[done])


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kind", "params", "field", "words"),
    [
        ("SMA_CROSSOVER", {"fast": 50, "slow": 20}, "params.fast", "less than slow"),
        ("EMA_CROSSOVER", {"fast": 20, "slow": 20}, "params.fast", "less than slow"),
        ("SMA_CROSSOVER", {"fast": 1, "slow": 20}, "params.fast", "between 2 and 1000"),
        ("SMA_CROSSOVER", {"fast": 5, "slow": 1001}, "params.slow", "between 2 and 1000"),
        ("SMA_CROSSOVER", {"fast": 5.5, "slow": 20}, "params.fast", "whole number"),
        ("SMA_CROSSOVER", {"fast": True, "slow": 20}, "params.fast", "number"),
        ("SMA_CROSSOVER", {"fast": "5", "slow": 20}, "params.fast", "number"),
        ("SMA_CROSSOVER", {"fast": 5, "slow": 20, "signal": 9}, "params.signal", "no parameter"),
        ("RSI_REVERSION", {"lower": 70, "upper": 30}, "params.lower", "less than upper"),
        ("RSI_REVERSION", {"lower": 0}, "params.lower", "greater than 0"),
        ("RSI_REVERSION", {"upper": 100}, "params.upper", "less than 100"),
        ("RSI_REVERSION", {"period": float("nan")}, "params.period", "finite"),
        ("DONCHIAN_BREAKOUT", {"entry": 0}, "params.entry", "between 2 and 1000"),
        ("MACD", {}, "kind", "Unknown strategy kind"),
    ],
)
def test_parameter_validation(kind, params, field, words):
    with pytest.raises(BadUserInput) as caught:
        Strategy.create(kind, params)
    assert caught.value.extensions["field"] == field
    assert words in caught.value.message


def test_parameter_defaults_and_coercion():
    assert validate_params("SMA_CROSSOVER") == {"fast": 20, "slow": 50}
    checked = validate_params(StrategyKind.RSI_REVERSION, {"period": 10.0, "lower": 25.5})
    assert checked == {"period": 10, "lower": 25.5, "upper": 70}
    assert type(checked["period"]) is int


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"position_size": 0}, "positionSize"),
        ({"position_size": 1.5}, "positionSize"),
        ({"stop_loss_pct": 0}, "stopLossPct"),
        ({"stop_loss_pct": 100}, "stopLossPct"),
        ({"take_profit_pct": -1}, "takeProfitPct"),
        ({"fee_bps": -1}, "feeBps"),
        ({"slippage_bps": 1001}, "slippageBps"),
        ({"fee_bps": float("inf")}, "feeBps"),
        ({"allow_short": 1}, "allowShort"),
    ],
)
def test_risk_validation(settings, field):
    with pytest.raises(BadUserInput) as caught:
        RiskSettings(**settings)
    assert caught.value.extensions["field"] == field


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda b: b.update(high=[10, 10.5, 11]), "low must be <= open and close"),
        (lambda b: b.update(low=[9, 11.5, 9]), "low must be <= open and close"),
        (lambda b: b.update(close=[10, -1, 10]), "close must be a positive number"),
        (lambda b: b.update(open=[10, float("nan"), 10]), "open must be a positive number"),
        (lambda b: b.update(timestamps=["2024-01-01", "2024-01-03", "2024-01-03"]),
         "strictly increasing"),
        (lambda b: b.update(timestamps=["2024-01-01", "yesterday", "2024-01-03"]), "dates"),
        (lambda b: [b.update({k: v[:1]}) for k, v in list(b.items())], "at least two bars"),
        (lambda b: b.update(close=[10, 11]), "Every bar needs"),
        (lambda b: b.update(volume=[1, None, "x"]), "volume values must be numbers"),
        (lambda b: b.update(volume=[1, -1, 1]), "volume must be a non-negative number"),
    ],
)
def test_bars_validation(change, words):
    columns = {"timestamps": ["2024-01-01", "2024-01-02", "2024-01-03"], "open": [10, 11, 10],
               "high": [11, 12, 11], "low": [9, 10, 9], "close": [10, 11, 10],
               "volume": [5, 6, 7]}
    change(columns)
    with pytest.raises(BadUserInput) as caught:
        Bars.create(**columns)
    assert words in caught.value.message
    assert caught.value.extensions["field"] == "bars"


def test_engine_arguments_are_checked():
    bars = make_bars([1, 2, 3], [1, 2, 3])
    with pytest.raises(BadUserInput, match="initialCapital"):
        simulate(bars, make_signals(3), initial_capital=0)
    with pytest.raises(BadUserInput, match="periodsPerYear"):
        simulate(bars, make_signals(3), periods_per_year=-1)


# --------------------------------------------------------------------------- real data


def load_orcl() -> tuple[Bars, list[dict[str, str]]]:
    with ORCL.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    bars = Bars.create([r["Date"] for r in rows], [float(r["Open"]) for r in rows],
                       [float(r["High"]) for r in rows], [float(r["Low"]) for r in rows],
                       [float(r["Close"]) for r in rows], [float(r["Volume"]) for r in rows])
    return bars, rows


@pytest.mark.parametrize(("kind", "params"), [
    ("SMA_CROSSOVER", {"fast": 50, "slow": 200}),
    ("EMA_CROSSOVER", {"fast": 12, "slow": 26}),
    ("RSI_REVERSION", {"period": 14, "lower": 30, "upper": 70}),
    ("DONCHIAN_BREAKOUT", {"entry": 55, "exit": 20}),
])
def test_real_data_oracle_1995_2014(kind, params):
    bars, rows = load_orcl()
    assert len(bars) == 5036
    strategy = Strategy.create(kind, params)
    result = run_backtest(bars, strategy, RiskSettings(fee_bps=5, slippage_bps=5))
    t = result.trades
    equity = result.equity_curve.values
    m = result.metrics
    assert len(t) >= 5
    assert (equity > 0).all()
    assert (t.side == 1).all()
    # Long-only trades alternate with flat stretches: each starts after the previous exit.
    assert (t.entry_index[1:] > t.exit_index[:-1]).all()
    assert equity[-1] == pytest.approx(10_000 + t.pnl.sum())
    assert m.buy_and_hold_return == pytest.approx(float(rows[-1]["Close"]) /
                                                  float(rows[0]["Open"]) - 1)
    assert m.buy_and_hold_return == pytest.approx(44.970001 / 2.179012 - 1)
    assert 0 < m.exposure < 1
    assert 0 < m.max_drawdown < 1
    assert 0 < m.max_drawdown_days <= 7300
    assert m.trade_count == len(t)
    assert np.array_equal(result.equity_curve.timestamps[[0, -1]],
                          np.array(["1995-01-03", "2014-12-31"], dtype="datetime64[D]"))

    # With shorts allowed the crossovers always reverse at one open: long, short, long...
    both = run_backtest(bars, strategy, RiskSettings(allow_short=True))
    if kind.endswith("CROSSOVER"):
        assert (both.trades.side[1:] == -both.trades.side[:-1]).all()
        assert (both.trades.entry_index[1:] == both.trades.exit_index[:-1]).all()


def test_real_data_crossover_entries_follow_the_definition():
    bars, _ = load_orcl()
    result = run_backtest(bars, Strategy.create("SMA_CROSSOVER", {"fast": 20, "slow": 100}))
    fast, slow = ind.sma(bars.close, 20), ind.sma(bars.close, 100)
    signal_bars = result.trades.entry_index - 1
    assert (fast[signal_bars] > slow[signal_bars]).all()
    assert (fast[signal_bars - 1] <= slow[signal_bars - 1]).all()
    exits = result.trades.exit_index[result.trades.exit_reason == SIGNAL] - 1
    assert (fast[exits] <= slow[exits]).all()
    assert (fast[exits - 1] > slow[exits - 1]).all()
    assert result.trades.entry_price.tolist() == bars.open[result.trades.entry_index].tolist()
