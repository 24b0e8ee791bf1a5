"""Technical indicators over numpy arrays, O(n) and vectorised.

Every indicator is causal: the value at index t is computed from inputs 0..t only, and it is the
same bit for bit whatever follows t (the blocked algorithms below lay their blocks out from the
start of the series, never from its end, so truncating or changing later values cannot change
the rounding of earlier ones). Values that are not defined yet (the warm-up) are NaN.

- `sma(x, n)`: mean of the last n values; defined from index n-1.
- `ema(x, n)`: alpha = 2/(n+1), seeded with the SMA of the first n values at index n-1 (the
  TA-Lib convention), then y[t] = alpha*x[t] + (1-alpha)*y[t-1].
- `rsi(close, n)`: Wilder's RSI. Average gain/loss are seeded with the simple mean of the first
  n changes (defined from index n), then smoothed with alpha = 1/n. RSI = 100*G/(G+L), which is
  100 - 100/(1+G/L); 100 when there were no losses, 50 when there was no change at all.
- `rolling_max(x, n)` / `rolling_min(x, n)`: max/min of the last n values (current included).
- `donchian(high, low, n)`: (highest high, lowest low) of the last n bars, current included.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

# Prefix sums restart every block so that their rounding error scales with the block, not with
# the length of the series (a plain cumsum over 1M prices carries ~1e-8 absolute error).
_SUM_BLOCK = 4096
# Block length cap of the linear recurrence (bounds the padding of short series).
_EWM_MAX_BLOCK = 1 << 14
# Largest growth factor (1/d)^j allowed inside one block of the linear recurrence.
_EWM_LOG_RANGE = 100 * math.log(10)


def _as_float(values: ArrayLike) -> FloatArray:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError("indicators take one-dimensional arrays")
    return array


def _check_period(period: int) -> None:
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 1:
        raise ValueError(f"period must be a positive integer, not {period!r}")


def rolling_sum(values: ArrayLike, period: int) -> FloatArray:
    """Sum of the last `period` values (NaN before index period-1)."""
    _check_period(period)
    x = _as_float(values)
    m = len(x)
    out = np.full(m, np.nan)
    if m < period:
        return out
    block = max(period, _SUM_BLOCK)
    rows = -(-m // block)
    padded = np.zeros(rows * block)
    padded[:m] = x
    prefix = padded.reshape(rows, block).cumsum(axis=1)
    sums = prefix.copy()
    # Window inside the block: P[j] - P[j-period].
    sums[:, period:] -= prefix[:, : block - period]
    if period > 1:
        # Window reaching back into the previous block: add that block's tail sum.
        tail = prefix[:-1, block - 1 : block] - prefix[:-1, block - period : block - 1]
        sums[1:, : period - 1] += tail
    out[period - 1 :] = sums.ravel()[period - 1 : m]
    return out


def sma(values: ArrayLike, period: int) -> FloatArray:
    """Simple moving average: the mean of the last `period` values."""
    return rolling_sum(values, period) / period


def _linear_recurrence(x: FloatArray, decay: float, gain: float, start: float) -> FloatArray:
    """y[t] = decay*y[t-1] + gain*x[t] for t = 0..len(x)-1, with y[-1] = start.

    Inside a block of length K the closed form y[j] = d^j * (y0 + g * sum_{k<=j} x[k] d^-k) is
    a cumsum; K is chosen so that d^-K stays far from overflow. Only the carry from one block to
    the next is sequential: one Python step per block (about len(x)*alpha/230 of them)."""
    m = len(x)
    if m == 0:
        return np.empty(0)
    if decay == 0.0:
        return gain * x
    block = int(min(_EWM_MAX_BLOCK, max(1.0, _EWM_LOG_RANGE / -math.log(decay))))
    rows = -(-m // block)
    padded = np.zeros(rows * block)
    padded[:m] = x
    steps = np.arange(block, dtype=np.float64)
    grow = np.power(decay, -steps)
    shrink = np.power(decay, steps)
    zero_start = gain * shrink * np.cumsum(padded.reshape(rows, block) * grow, axis=1)
    carry_in = np.empty(rows)
    decay_block = decay**block
    previous = start
    for row, last in enumerate(zero_start[:, -1].tolist()):
        carry_in[row] = previous
        previous = last + decay_block * previous
    result = zero_start + np.power(decay, steps + 1) * carry_in[:, None]
    return result.ravel()[:m]


def _smoothed(x: FloatArray, alpha: float, seed_index: int, seed: float) -> FloatArray:
    """Exponential smoothing that is NaN before `seed_index`, `seed` at it, then recursive."""
    out = np.full(len(x), np.nan)
    out[seed_index] = seed
    out[seed_index + 1 :] = _linear_recurrence(x[seed_index + 1 :], 1.0 - alpha, alpha, seed)
    return out


def ema(values: ArrayLike, period: int) -> FloatArray:
    """Exponential moving average, alpha = 2/(period+1), seeded with the first SMA."""
    _check_period(period)
    x = _as_float(values)
    if len(x) < period:
        return np.full(len(x), np.nan)
    return _smoothed(x, 2.0 / (period + 1), period - 1, float(np.mean(x[:period])))


def rsi(close: ArrayLike, period: int) -> FloatArray:
    """Wilder's relative strength index (0..100), defined from index `period`."""
    _check_period(period)
    x = _as_float(close)
    m = len(x)
    if m <= period:
        return np.full(m, np.nan)
    change = np.empty(m)
    change[0] = 0.0  # never used: the seed averages changes 1..period
    change[1:] = np.diff(x)
    gains = np.maximum(change, 0.0)
    losses = np.maximum(-change, 0.0)
    alpha = 1.0 / period
    avg_gain = _smoothed(gains, alpha, period, float(np.mean(gains[1 : period + 1])))
    avg_loss = _smoothed(losses, alpha, period, float(np.mean(losses[1 : period + 1])))
    total = avg_gain + avg_loss
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0.0, 100.0 * avg_gain / total, 50.0)
    out[:period] = np.nan
    return out


def _rolling_extreme(values: ArrayLike, period: int, maximum: bool) -> FloatArray:
    """Van Herk / Gil-Werman: prefix and suffix extremes inside blocks of `period` values; the
    window [t-period+1, t] is the suffix of one block joined to the prefix of the next."""
    _check_period(period)
    x = _as_float(values)
    m = len(x)
    out = np.full(m, np.nan)
    if m < period:
        return out
    ufunc = np.maximum if maximum else np.minimum
    rows = -(-m // period)
    padded = np.full(rows * period, -np.inf if maximum else np.inf)
    padded[:m] = x
    blocks = padded.reshape(rows, period)
    prefix = ufunc.accumulate(blocks, axis=1).ravel()
    suffix = ufunc.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    out[period - 1 :] = ufunc(suffix[: m - period + 1], prefix[period - 1 : m])
    return out


def rolling_max(values: ArrayLike, period: int) -> FloatArray:
    """Highest of the last `period` values, the current one included."""
    return _rolling_extreme(values, period, maximum=True)


def rolling_min(values: ArrayLike, period: int) -> FloatArray:
    """Lowest of the last `period` values, the current one included."""
    return _rolling_extreme(values, period, maximum=False)


def donchian(high: ArrayLike, low: ArrayLike, period: int) -> tuple[FloatArray, FloatArray]:
    """Donchian channel: (highest high, lowest low) of the last `period` bars."""
    return rolling_max(high, period), rolling_min(low, period)
