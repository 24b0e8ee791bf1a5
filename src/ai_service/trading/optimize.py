"""Grid search with walk-forward evaluation.

- The grid gives a list of values per parameter (a parameter left out keeps its default). The
  full product may hold at most `MAX_COMBINATIONS` combinations; combinations that break a rule
  between parameters (fast >= slow, lower >= upper) are skipped and counted.
- Walk-forward windows: train on bars [s, s + train), test on the `test` bars that follow,
  then s += step (default: step = test, so the test windows tile the series without overlap).
  Only windows whose test part fits entirely in the data are used. A test window never
  overlaps its own train window.
- Each combination's signals are computed once on the whole series. Indicators are causal, so a
  window's signals only use bars up to the decision; bars before the window serve as warm-up.
  Each window is then simulated on its own: it starts flat with the initial capital and only
  trades on decisions taken on its own closes; a position still open at its end is closed at
  its last close.
- On each train window the combination with the best score wins (ties: the earliest in grid
  order; an undefined score, None, ranks last). Its out-of-sample metrics come from the test
  window that follows.
- The ranking orders every combination by its score over the whole series.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ai_service.core.errors import BadUserInput
from ai_service.trading.backtest import DEFAULT_CAPITAL, RiskSettings, simulate
from ai_service.trading.bars import Bars
from ai_service.trading.metrics import TRADING_DAYS_PER_YEAR, Metrics
from ai_service.trading.strategies import (
    PARAM_SPECS,
    Signals,
    Strategy,
    StrategyKind,
    check_relations,
    parse_kind,
)

MAX_COMBINATIONS = 500
MAX_WINDOWS = 200
MIN_WINDOW_BARS = 2


class ScoreMetric(StrEnum):
    """What the optimiser maximises (MAX_DRAWDOWN is minimised)."""

    SHARPE = "SHARPE"
    SORTINO = "SORTINO"
    TOTAL_RETURN = "TOTAL_RETURN"
    CAGR = "CAGR"
    PROFIT_FACTOR = "PROFIT_FACTOR"
    WIN_RATE = "WIN_RATE"
    MAX_DRAWDOWN = "MAX_DRAWDOWN"

    def score(self, metrics: Metrics) -> float | None:
        """Higher is better; None when the metric is undefined."""
        value: float | None = getattr(metrics, self.value.lower())
        if value is None:
            return None
        return -value if self is ScoreMetric.MAX_DRAWDOWN else value


def _parse_metric(metric: str | ScoreMetric) -> ScoreMetric:
    try:
        return ScoreMetric(metric)
    except ValueError:
        known = ", ".join(ScoreMetric)
        raise BadUserInput(f"Unknown metric {str(metric)[:40]!r} (metrics: {known})",
                           field="metric") from None


def _rank_key(score: float | None) -> tuple[int, float]:
    return (1, 0.0) if score is None else (0, -score)


@dataclass(frozen=True)
class Grid:
    kind: StrategyKind
    combinations: list[dict[str, float]]  # valid ones, in grid order (first parameter slowest)
    skipped: int  # combinations that broke a rule between parameters


def parameter_grid(kind: str | StrategyKind, grid: Mapping[str, Sequence[object]]) -> Grid:
    """Checked, expanded grid. BadUserInput (field `grid` or `grid.<name>`) for an unknown
    parameter, a value out of range, an empty list, too many combinations or no valid one."""
    kind = parse_kind(kind)
    specs = PARAM_SPECS[kind]
    unknown = sorted(set(grid) - {spec.name for spec in specs})
    if unknown:
        names = ", ".join(spec.name for spec in specs)
        raise BadUserInput(f"{kind} has no parameter {unknown[0][:40]!r} (parameters: {names})",
                           field=f"grid.{unknown[0][:40]}")
    axes: list[list[float]] = []
    for spec in specs:
        field = f"grid.{spec.name}"
        raw = grid.get(spec.name, [spec.default])
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not raw:
            raise BadUserInput(f"{spec.name} needs a non-empty list of values", field=field)
        if len(raw) > MAX_COMBINATIONS:
            raise BadUserInput(f"{spec.name} has {len(raw)} values; the limit is "
                               f"{MAX_COMBINATIONS}", field=field)
        values = [spec.coerce(value, field) for value in raw]
        axes.append(list(dict.fromkeys(values)))  # duplicates removed, order kept
    total = math.prod(len(axis) for axis in axes)
    if total > MAX_COMBINATIONS:
        raise BadUserInput(f"The grid has {total} combinations; the limit is {MAX_COMBINATIONS}",
                           field="grid")
    combinations: list[dict[str, float]] = []
    skipped = 0
    for combination in itertools.product(*axes):
        params = {spec.name: value for spec, value in zip(specs, combination, strict=True)}
        try:
            check_relations(kind, params, field_prefix="grid")
        except BadUserInput:
            skipped += 1
            continue
        combinations.append(params)
    if not combinations:
        raise BadUserInput(f"None of the {total} combinations is valid (fast must be less than "
                           f"slow, lower less than upper)", field="grid")
    return Grid(kind, combinations, skipped)


@dataclass(frozen=True)
class Window:
    """Bar indices, end exclusive; test_start == train_end."""

    train_start: int
    train_end: int
    test_start: int
    test_end: int


def walk_forward_windows(bars: int, train_bars: int, test_bars: int,
                         step_bars: int | None = None) -> list[Window]:
    checked: dict[str, int] = {}
    for field, value in (("trainBars", train_bars), ("testBars", test_bars),
                         ("stepBars", test_bars if step_bars is None else step_bars)):
        minimum = 1 if field == "stepBars" else MIN_WINDOW_BARS
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise BadUserInput(f"{field} must be a whole number of bars, at least {minimum}",
                               field=field)
        checked[field] = value
    step = checked["stepBars"]
    if train_bars + test_bars > bars:
        raise BadUserInput(f"trainBars + testBars ({train_bars + test_bars}) is more than the "
                           f"{bars} bars available", field="trainBars")
    count = (bars - train_bars - test_bars) // step + 1
    if count > MAX_WINDOWS:
        raise BadUserInput(f"That makes {count} walk-forward windows; the limit is "
                           f"{MAX_WINDOWS} (use a larger stepBars)", field="stepBars")
    return [Window(start, start + train_bars, start + train_bars,
                   start + train_bars + test_bars)
            for start in range(0, count * step, step)]


@dataclass(frozen=True)
class WindowResult:
    window: Window
    train_from: datetime
    train_to: datetime  # timestamp of the last train bar
    test_from: datetime
    test_to: datetime  # timestamp of the last test bar
    params: dict[str, float]  # the best on the train window
    in_sample: Metrics
    out_of_sample: Metrics


@dataclass(frozen=True)
class RankedParams:
    rank: int  # 1 = best
    params: dict[str, float]
    score: float | None  # of the chosen metric (MAX_DRAWDOWN negated), None if undefined
    metrics: Metrics  # over the whole series


@dataclass(frozen=True)
class OptimizationResult:
    kind: StrategyKind
    metric: ScoreMetric
    combinations: int  # valid combinations tested
    skipped: int  # invalid combinations of the grid
    windows: list[WindowResult]
    ranking: list[RankedParams]
    in_sample_score: float | None  # mean score of the chosen params on their train windows
    out_of_sample_score: float | None  # mean score of the same on the test windows
    # Test-window returns compounded (one chained out-of-sample run); None when they overlap.
    out_of_sample_return: float | None


def _mean(values: list[float | None]) -> float | None:
    defined = [value for value in values if value is not None]
    return sum(defined) / len(defined) if defined else None


def _time(bars: Bars, index: int) -> datetime:
    value: datetime = bars.timestamps[index].astype("datetime64[us]").item()
    return value


def optimize(bars: Bars, kind: str | StrategyKind, grid: Mapping[str, Sequence[object]],
             risk: RiskSettings | None = None, *, train_bars: int, test_bars: int,
             step_bars: int | None = None, metric: str | ScoreMetric = ScoreMetric.SHARPE,
             initial_capital: float = DEFAULT_CAPITAL,
             periods_per_year: float = TRADING_DAYS_PER_YEAR,
             progress: Callable[[float], None] | None = None) -> OptimizationResult:
    """Rank every combination of `grid` on `bars` and walk it forward (module docstring).
    `progress(fraction)` is called as work completes, last with 1.0."""
    score_metric = _parse_metric(metric)
    expanded = parameter_grid(kind, grid)
    windows = walk_forward_windows(len(bars), train_bars, test_bars, step_bars)
    combos = expanded.combinations
    units = len(combos) * (len(windows) + 1) + len(windows)
    done = 0

    def advance(amount: int) -> None:
        nonlocal done
        done += amount
        if progress is not None:
            progress(min(1.0, done / units))

    def run(window_bars: Bars, window_signals: Signals) -> Metrics:
        return simulate(window_bars, window_signals, risk, initial_capital=initial_capital,
                        periods_per_year=periods_per_year).metrics

    train_slices = [bars.slice(w.train_start, w.train_end) for w in windows]
    full: list[Metrics] = []
    train_scores: list[list[float | None]] = []
    train_metrics: list[list[Metrics]] = []
    for params in combos:
        signals = Strategy(expanded.kind, params).signals(bars)
        full.append(run(bars, signals))
        in_sample = [run(part, signals.slice(w.train_start, w.train_end))
                     for part, w in zip(train_slices, windows, strict=True)]
        train_metrics.append(in_sample)
        train_scores.append([score_metric.score(m) for m in in_sample])
        advance(len(windows) + 1)

    results: list[WindowResult] = []
    for index, window in enumerate(windows):
        best = min(range(len(combos)), key=lambda c: _rank_key(train_scores[c][index]))
        signals = Strategy(expanded.kind, combos[best]).signals(bars)
        test = run(bars.slice(window.test_start, window.test_end),
                   signals.slice(window.test_start, window.test_end))
        results.append(WindowResult(
            window=window,
            train_from=_time(bars, window.train_start),
            train_to=_time(bars, window.train_end - 1),
            test_from=_time(bars, window.test_start),
            test_to=_time(bars, window.test_end - 1),
            params=combos[best],
            in_sample=train_metrics[best][index],
            out_of_sample=test,
        ))
        advance(1)

    order = sorted(range(len(combos)), key=lambda c: _rank_key(score_metric.score(full[c])))
    ranking = [RankedParams(rank=rank, params=combos[c], score=score_metric.score(full[c]),
                            metrics=full[c])
               for rank, c in enumerate(order, start=1)]
    tiled = len(windows) < 2 or windows[1].test_start >= windows[0].test_end
    chained: float | None = None
    if tiled:
        growth = 1.0
        for result in results:
            growth *= 1.0 + result.out_of_sample.total_return
        chained = growth - 1.0
    return OptimizationResult(
        kind=expanded.kind,
        metric=score_metric,
        combinations=len(combos),
        skipped=expanded.skipped,
        windows=results,
        ranking=ranking,
        in_sample_score=_mean([score_metric.score(r.in_sample) for r in results]),
        out_of_sample_score=_mean([score_metric.score(r.out_of_sample) for r in results]),
        out_of_sample_return=chained,
    )
