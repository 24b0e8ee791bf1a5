"""The pure parts around stored runs and live signals: curve thinning and position changes."""

from __future__ import annotations

import numpy as np

from ai_service.platform.market import BarColumns
from ai_service.platform.market.timeframes import Timeframe
from ai_service.trading.models import SignalAction, Strategy, StrategyKind
from ai_service.trading.runs import default_windows, thin
from ai_service.trading.signals import position_changes, warmup_bars


def test_thinning_keeps_the_ends_and_every_slice_low_and_high() -> None:
    rng = np.random.default_rng(7)
    values = 1000 * np.exp(np.cumsum(rng.normal(0, 0.01, 100_000)))
    stamps = np.arange(100_000)
    kept_t, kept_v = thin(stamps, values, points=400)
    assert len(kept_v) <= 400
    assert kept_t[0] == 0
    assert kept_t[-1] == 99_999
    assert np.all(np.diff(kept_t) > 0)
    assert kept_v.min() == values.min()
    assert kept_v.max() == values.max()
    assert np.array_equal(kept_v, values[kept_t])
    _small_t, small_v = thin(stamps[:300], values[:300], points=400)
    assert np.array_equal(small_v, values[:300])


def test_default_windows_give_about_seven_out_of_sample_windows() -> None:
    assert default_windows(5000) == (1500, 500)
    assert default_windows(10) == (6, 2)  # 6 + 2 of 10 bars: two windows, stepping by 2


def strategy(allow_short: bool) -> Strategy:
    return Strategy(kind=StrategyKind.SMA_CROSSOVER, parameters={"fast": 2, "slow": 4},
                    risk={"allowShort": allow_short}, symbol="X", timeframe=Timeframe.D1)


def zigzag() -> BarColumns:
    close = np.array([10, 9, 8, 7, 6, 7, 8, 9, 10, 11, 10, 9, 8, 7, 6, 5], dtype=float)
    return BarColumns(86400 * np.arange(len(close)), close, close + 0.5, close - 0.5, close)


def test_a_signal_is_a_change_of_the_wanted_position() -> None:
    bars = zigzag()
    long_only = position_changes(strategy(False), bars, after=-1)
    assert [(ts // 86400, action) for ts, action, _ in long_only] == [
        (6, SignalAction.BUY), (11, SignalAction.EXIT_LONG)]
    both = position_changes(strategy(True), bars, after=-1)
    assert [(ts // 86400, action) for ts, action, _ in both] == [
        (6, SignalAction.BUY), (11, SignalAction.SELL_SHORT)]
    assert both[0][2] == 8.0  # the close of the bar it was decided on
    # Only bars after `after` signal; the ones before still set the position.
    assert [a for _, a, _ in position_changes(strategy(True), bars, after=6 * 86400)] == [
        SignalAction.SELL_SHORT]


def test_changing_later_bars_never_changes_earlier_signals() -> None:
    bars = zigzag()
    before = position_changes(strategy(True), bars.slice(0, 12), after=-1)
    altered = BarColumns(bars.timestamps, bars.open, bars.high + np.r_[np.zeros(12), [50] * 4],
                         bars.low, bars.close)
    after = position_changes(strategy(True), altered, after=-1)
    assert after[:len(before)] == before


def test_warm_up_covers_the_longest_parameter() -> None:
    s = strategy(False)
    assert warmup_bars(s) == 300
    s.parameters = {"fast": 50, "slow": 200}
    assert warmup_bars(s) == 1000
