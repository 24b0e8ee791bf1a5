"""Strategy kinds, their parameters (specs, defaults, validation) and signal generation.

A strategy turns bars into `Signals`, decided on each bar's close from that bar and earlier ones
only (the engine fills them at the next bar's open):

- `entry[t]`: +1 go long, -1 go short, 0 nothing. An entry also closes (reverses) a position on
  the other side; in long-only mode a short entry only closes a long.
- `exit_long[t]` / `exit_short[t]`: close a long / short position (ignored when flat or on the
  other side, and on a bar that has an entry).

The kinds:

- SMA_CROSSOVER {fast, slow} / EMA_CROSSOVER {fast, slow}: a cross up is the bar on which the fast
  average goes from <= the slow one (on the previous bar) to > it; a cross down is the bar on
  which it goes from > to <=. Cross up: long entry and short exit; cross down: short entry and
  long exit. Both averages must be defined on both bars.
- RSI_REVERSION {period, lower, upper}: Wilder's RSI. RSI going from >= lower to < lower (into
  oversold): long entry and short exit; from <= upper to > upper (into overbought): short entry
  and long exit.
- DONCHIAN_BREAKOUT {entry, exit}: close above the highest high of the previous `entry` bars: long
  entry; close below the lowest low of the previous `entry` bars: short entry. Close below the
  lowest low of the previous `exit` bars: long exit; above the highest high of the previous
  `exit` bars: short exit. (The channels exclude the signal bar itself.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from ai_service.core.errors import BadUserInput
from ai_service.trading import indicators
from ai_service.trading.bars import Bars

MIN_PERIOD = 2
MAX_PERIOD = 1000


class StrategyKind(StrEnum):
    SMA_CROSSOVER = "SMA_CROSSOVER"
    EMA_CROSSOVER = "EMA_CROSSOVER"
    RSI_REVERSION = "RSI_REVERSION"
    DONCHIAN_BREAKOUT = "DONCHIAN_BREAKOUT"


@dataclass(frozen=True)
class ParamSpec:
    """One strategy parameter. Bounds are inclusive unless `exclusive`."""

    name: str
    description: str
    default: float
    minimum: float
    maximum: float
    integer: bool = True
    exclusive: bool = False

    def coerce(self, value: object, field: str) -> float:
        """The value as int (integer specs) or float, or BadUserInput naming `field`."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadUserInput(f"{self.name} must be a number", field=field)
        if not math.isfinite(value):
            raise BadUserInput(f"{self.name} must be a finite number", field=field)
        if self.integer:
            if value != int(value):
                raise BadUserInput(f"{self.name} must be a whole number (got {value})",
                                   field=field)
            value = int(value)
        if self.exclusive:
            if not self.minimum < value < self.maximum:
                raise BadUserInput(f"{self.name} must be greater than {self.minimum:g} and less "
                                   f"than {self.maximum:g} (got {value:g})", field=field)
        elif not self.minimum <= value <= self.maximum:
            raise BadUserInput(f"{self.name} must be between {self.minimum:g} and "
                               f"{self.maximum:g} (got {value:g})", field=field)
        return value


def _period(name: str, description: str, default: int) -> ParamSpec:
    return ParamSpec(name, description, default, MIN_PERIOD, MAX_PERIOD)


def _threshold(name: str, description: str, default: float) -> ParamSpec:
    return ParamSpec(name, description, default, 0, 100, integer=False, exclusive=True)


PARAM_SPECS: dict[StrategyKind, tuple[ParamSpec, ...]] = {
    StrategyKind.SMA_CROSSOVER: (
        _period("fast", "Bars in the fast simple moving average", 20),
        _period("slow", "Bars in the slow simple moving average", 50),
    ),
    StrategyKind.EMA_CROSSOVER: (
        _period("fast", "Bars in the fast exponential moving average", 12),
        _period("slow", "Bars in the slow exponential moving average", 26),
    ),
    StrategyKind.RSI_REVERSION: (
        _period("period", "Bars in Wilder's RSI", 14),
        _threshold("lower", "RSI level below which the market is oversold (buy)", 30),
        _threshold("upper", "RSI level above which the market is overbought (sell)", 70),
    ),
    StrategyKind.DONCHIAN_BREAKOUT: (
        _period("entry", "Bars in the breakout (entry) channel", 20),
        _period("exit", "Bars in the exit channel", 10),
    ),
}


def parse_kind(kind: str | StrategyKind) -> StrategyKind:
    try:
        return StrategyKind(kind)
    except ValueError:
        known = ", ".join(StrategyKind)
        raise BadUserInput(f"Unknown strategy kind {str(kind)[:40]!r} (kinds: {known})",
                           field="kind") from None


def check_relations(kind: StrategyKind, params: Mapping[str, float],
                    field_prefix: str = "params") -> None:
    """Constraints between the parameters of one kind (each one already in range)."""
    if kind in (StrategyKind.SMA_CROSSOVER, StrategyKind.EMA_CROSSOVER):
        if params["fast"] >= params["slow"]:
            raise BadUserInput(f"fast ({params['fast']:g}) must be less than slow "
                               f"({params['slow']:g})", field=f"{field_prefix}.fast")
    elif kind is StrategyKind.RSI_REVERSION and params["lower"] >= params["upper"]:
        raise BadUserInput(f"lower ({params['lower']:g}) must be less than upper "
                           f"({params['upper']:g})", field=f"{field_prefix}.lower")


def validate_params(kind: str | StrategyKind,
                    params: Mapping[str, object] | None = None) -> dict[str, float]:
    """Checked parameters of `kind`: missing ones take their default, unknown ones are refused,
    integers stay ints. Raises BadUserInput with field `params.<name>`."""
    kind = parse_kind(kind)
    specs = PARAM_SPECS[kind]
    given = dict(params or {})
    unknown = sorted(set(given) - {spec.name for spec in specs})
    if unknown:
        names = ", ".join(spec.name for spec in specs)
        raise BadUserInput(f"{kind} has no parameter {unknown[0][:40]!r} (parameters: {names})",
                           field=f"params.{unknown[0][:40]}")
    checked = {spec.name: spec.coerce(given.get(spec.name, spec.default), f"params.{spec.name}")
               for spec in specs}
    check_relations(kind, checked)
    return checked


@dataclass(frozen=True, eq=False)  # holds arrays: compare their columns
class Signals:
    """Per-bar decisions taken on the bar's close (see the module docstring)."""

    entry: NDArray[np.int8]
    exit_long: NDArray[np.bool_]
    exit_short: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.entry)

    def slice(self, start: int, stop: int) -> Signals:
        return Signals(self.entry[start:stop], self.exit_long[start:stop],
                       self.exit_short[start:stop])


def _entries(long: NDArray[np.bool_], short: NDArray[np.bool_]) -> NDArray[np.int8]:
    entry = np.zeros(len(long), dtype=np.int8)
    entry[long] = 1
    entry[short & ~long] = -1
    return entry


def _crossings(fast: NDArray[np.float64], slow: NDArray[np.float64]) -> Signals:
    above = fast > slow  # NaN compares False
    defined = ~(np.isnan(fast) | np.isnan(slow))
    up = np.zeros(len(fast), dtype=np.bool_)
    down = np.zeros(len(fast), dtype=np.bool_)
    both = defined[1:] & defined[:-1]
    up[1:] = both & above[1:] & ~above[:-1]
    down[1:] = both & ~above[1:] & above[:-1]
    return Signals(_entries(up, down), exit_long=down, exit_short=up)


def _sma_crossover(bars: Bars, params: Mapping[str, float]) -> Signals:
    return _crossings(indicators.sma(bars.close, int(params["fast"])),
                      indicators.sma(bars.close, int(params["slow"])))


def _ema_crossover(bars: Bars, params: Mapping[str, float]) -> Signals:
    return _crossings(indicators.ema(bars.close, int(params["fast"])),
                      indicators.ema(bars.close, int(params["slow"])))


def _rsi_reversion(bars: Bars, params: Mapping[str, float]) -> Signals:
    value = indicators.rsi(bars.close, int(params["period"]))
    lower, upper = params["lower"], params["upper"]
    oversold = np.zeros(len(value), dtype=np.bool_)
    overbought = np.zeros(len(value), dtype=np.bool_)
    oversold[1:] = (value[:-1] >= lower) & (value[1:] < lower)
    overbought[1:] = (value[:-1] <= upper) & (value[1:] > upper)
    return Signals(_entries(oversold, overbought), exit_long=overbought, exit_short=oversold)


def _previous(values: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = np.empty_like(values)
    shifted[0] = np.nan
    shifted[1:] = values[:-1]
    return shifted


def _donchian_breakout(bars: Bars, params: Mapping[str, float]) -> Signals:
    entry_high, entry_low = indicators.donchian(bars.high, bars.low, int(params["entry"]))
    exit_high, exit_low = indicators.donchian(bars.high, bars.low, int(params["exit"]))
    close = bars.close
    up = close > _previous(entry_high)
    down = close < _previous(entry_low)
    return Signals(_entries(up, down), exit_long=close < _previous(exit_low),
                   exit_short=close > _previous(exit_high))


_GENERATORS: dict[StrategyKind, Callable[[Bars, Mapping[str, float]], Signals]] = {
    StrategyKind.SMA_CROSSOVER: _sma_crossover,
    StrategyKind.EMA_CROSSOVER: _ema_crossover,
    StrategyKind.RSI_REVERSION: _rsi_reversion,
    StrategyKind.DONCHIAN_BREAKOUT: _donchian_breakout,
}


@dataclass(frozen=True)
class Strategy:
    """A kind with checked parameters; build it with `Strategy.create`."""

    kind: StrategyKind
    params: dict[str, float]

    @classmethod
    def create(cls, kind: str | StrategyKind,
               params: Mapping[str, object] | None = None) -> Strategy:
        kind = parse_kind(kind)
        return cls(kind, validate_params(kind, params))

    def signals(self, bars: Bars) -> Signals:
        return _GENERATORS[self.kind](bars, self.params)
