// A uPlot chart that follows its container's width and the light/dark theme. uPlot is small
// (≈ 20 KB gzipped) and draws tens of thousands of points on a canvas without effort.
import { useEffect, useRef } from "react";
import uPlot, { type AlignedData, type Options } from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar } from "../lib/theme";

export interface ChartSeries {
  label: string;
  /** A CSS custom property (e.g. "--chart-1") or a colour. */
  color: string;
  fill?: boolean;
  bars?: boolean;
  scale?: string;
  format?: (value: number) => string;
}

export interface ChartProps {
  /** Accessible name: what the chart shows. */
  title: string;
  /** x values: Unix seconds when `time` (the default), else plain numbers. */
  x: number[];
  series: ChartSeries[];
  values: (number | null)[][];
  height?: number;
  time?: boolean;
  yFormat?: (value: number) => string;
  plugins?: uPlot.Plugin[];
  /** Extra uPlot options (scales, axes) merged in. */
  options?: Partial<Options>;
  /** Show times in UTC: daily and weekly bars start at UTC midnight, and in the browser's
   * zone they would land on the day before (west of Greenwich) or at 1 am. */
  utc?: boolean;
}

const inUtc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");

function colour(value: string): string {
  return value.startsWith("--") ? cssVar(value) : value;
}

function withAlpha(hex: string, alpha: string): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}${alpha}` : hex;
}

/** Bars are centred on their x: widen the range by half a bar so the first and last are whole. */
function padded(u: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const xs = u.data[0];
  const step = xs.length > 1 ? (xs[xs.length - 1] - xs[0]) / (xs.length - 1) : 1;
  return [min - step / 2, max + step / 2];
}

export function Chart({ title, x, series, values, height = 260, time = true, yFormat, plugins, options, utc }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const build = () => {
      plot.current?.destroy();
      const axis = cssVar("--muted", "#666");
      const grid = cssVar("--border", "#ddd");
      const opts: Options = {
        width: Math.max(200, element.clientWidth),
        height,
        scales: { x: { time, range: series.some((s) => s.bars) ? padded : undefined } },
        tzDate: utc ? inUtc : undefined,
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          {
            stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 70,
            values: yFormat ? (_u, ticks) => ticks.map((t) => yFormat(t)) : undefined,
          },
        ],
        series: [
          {},
          ...series.map((s) => {
            const stroke = colour(s.color);
            return {
              label: s.label,
              stroke,
              width: 2,
              scale: s.scale ?? "y",
              fill: s.fill || s.bars ? withAlpha(stroke, "33") : undefined,
              paths: s.bars ? uPlot.paths.bars?.({ size: [0.6, 40] }) : undefined,
              points: { show: false },
              value: s.format ? (_u: uPlot, v: number | null) => (v == null ? "—" : s.format!(v)) : undefined,
            };
          }),
        ],
        plugins,
        ...options,
      };
      plot.current = new uPlot(opts, [x, ...values] as AlignedData, element);
    };
    build();
    const resize = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(200, element.clientWidth), height });
    });
    resize.observe(element);
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    window.addEventListener("ai-service-theme", build);
    media?.addEventListener?.("change", build);
    return () => {
      resize.disconnect();
      window.removeEventListener("ai-service-theme", build);
      media?.removeEventListener?.("change", build);
      plot.current?.destroy();
      plot.current = null;
    };
  }, [x, series, values, height, time, yFormat, plugins, options, utc]);

  return <figure className="chart" role="img" aria-label={title}><div ref={box} /></figure>;
}
