// A uPlot plugin that draws OHLC candlesticks from columns. Candles only read when there is room
// for them: with more than MAX_CANDLES bars in view (zoomed out) it draws nothing and the close
// series falls back to a plain line; zooming in (drag on the chart) brings the candles back.
import uPlot from "uplot";
import { cssVar } from "../../lib/theme";

export const MAX_CANDLES = 300;

export interface Ohlc {
  open: readonly number[];
  high: readonly number[];
  low: readonly number[];
  close: readonly number[];
}

/** First and last index of sorted `xs` within [min, max] (last < first when none). */
export function visibleRange(xs: ArrayLike<number>, min: number | undefined, max: number | undefined): [number, number] {
  const lowerBound = (value: number) => {
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const first = min == null ? 0 : lowerBound(min);
  const last = max == null ? xs.length - 1 : lowerBound(max + 1e-9) - 1;
  return [first, last];
}

export function showsCandles(xs: ArrayLike<number>, min: number | undefined, max: number | undefined): boolean {
  const [first, last] = visibleRange(xs, min, max);
  return last - first + 1 <= MAX_CANDLES;
}

/**
 * `closeSeries`: the index of the close series (a line only when zoomed out); `hiddenSeries`:
 * series kept for the legend and the y range (open, high, low) but never drawn themselves.
 */
export function candlestickPlugin(ohlc: Ohlc, closeSeries: number, hiddenSeries: number[]): uPlot.Plugin {
  const line = uPlot.paths.linear?.();
  const candlesInView = (u: uPlot) => showsCandles(u.data[0], u.scales.x.min, u.scales.x.max);
  return {
    opts: (_u, opts) => {
      opts.series.forEach((series, index) => {
        if (hiddenSeries.includes(index)) series.paths = () => null;
        if (index === closeSeries) {
          series.paths = (u, seriesIndex, idx0, idx1) =>
            candlesInView(u) || !line ? null : line(u, seriesIndex, idx0, idx1);
        }
      });
      return opts;
    },
    hooks: {
      draw: [
        (u) => {
          if (!candlesInView(u)) return;
          const xs = u.data[0];
          const [first, last] = visibleRange(xs, u.scales.x.min, u.scales.x.max);
          const scale = u.series[closeSeries].scale ?? "y";
          const ratio = window.devicePixelRatio || 1;
          const { left, top, width, height } = u.bbox;
          const slot = width / Math.max(1, last - first + 1);
          const body = Math.max(1, Math.min(slot * 0.7, 16 * ratio));
          const up = cssVar("--money-in", "#15803d");
          const down = cssVar("--money-out", "#b91c1c");
          const ctx = u.ctx;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          ctx.lineWidth = Math.max(1, Math.round(ratio));
          for (let i = Math.max(0, first - 1); i <= Math.min(xs.length - 1, last + 1); i++) {
            const [o, h, l, c] = [ohlc.open[i], ohlc.high[i], ohlc.low[i], ohlc.close[i]];
            if (![o, h, l, c].every(Number.isFinite)) continue;
            const x = Math.round(u.valToPos(xs[i], "x", true));
            const yOpen = u.valToPos(o, scale, true);
            const yClose = u.valToPos(c, scale, true);
            ctx.strokeStyle = ctx.fillStyle = c >= o ? up : down;
            ctx.beginPath();
            ctx.moveTo(x, u.valToPos(h, scale, true));
            ctx.lineTo(x, u.valToPos(l, scale, true));
            ctx.stroke();
            ctx.fillRect(x - body / 2, Math.min(yOpen, yClose), body, Math.max(1, Math.abs(yClose - yOpen)));
          }
          ctx.restore();
        },
      ],
    },
  };
}
