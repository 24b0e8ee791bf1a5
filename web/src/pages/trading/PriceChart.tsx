// Prices of one stored series: candlesticks (a line when zoomed out) over volume, in any
// timeframe the store can roll the series up to, over a range counted back from its last bar.
import { useMemo, useState } from "react";
import type uPlot from "uplot";
import { useQuery } from "urql";
import { Chart, type ChartSeries } from "../../components/Chart";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { Timeframe, TradingCandlesQuery } from "../../gql/graphql";
import { candlestickPlugin, MAX_CANDLES } from "./candlesticks";
import { num, TIMEFRAME_LABELS, timeframesFrom } from "./util";

const Candles = graphql(`
  query TradingCandles($symbol: String!, $timeframe: Timeframe!, $from: DateTime) {
    candles(symbol: $symbol, timeframe: $timeframe, from: $from) { timestamps open high low close volume }
  }
`);

const DAY = 86_400;
export const RANGES: { value: string; label: string; days: number | null }[] = [
  { value: "1D", label: "1 day", days: 1 },
  { value: "1W", label: "1 week", days: 7 },
  { value: "1M", label: "1 month", days: 31 },
  { value: "3M", label: "3 months", days: 92 },
  { value: "1Y", label: "1 year", days: 366 },
  { value: "5Y", label: "5 years", days: 5 * 366 },
  { value: "ALL", label: "All", days: null },
];

/** A range that shows a readable number of bars of the timeframe. */
export function defaultRange(timeframe: string): string {
  return ({ M1: "1D", M5: "1W", M15: "1W", M30: "1M", H1: "1M", H4: "3M", D1: "1Y" } as Record<string, string>)[timeframe] ?? "ALL";
}

/** From `days` before the series' last bar; null (everything) for "All". */
export function rangeStart(last: string, range: string): string | null {
  const days = RANGES.find((r) => r.value === range)?.days;
  if (days == null) return null;
  return new Date(new Date(last).getTime() - days * DAY * 1000).toISOString();
}

const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
const price = (v: number) => num(Number(v.toPrecision(6)));
// Every price series names the "y" scale (Chart would pass an undefined one through).
const SERIES: ChartSeries[] = [
  { label: "Open", color: "--muted", scale: "y", format: price },
  { label: "High", color: "--muted", scale: "y", format: price },
  { label: "Low", color: "--muted", scale: "y", format: price },
  { label: "Close", color: "--chart-1", scale: "y", format: price },
  { label: "Volume", color: "--chart-4", bars: true, scale: "vol", format: (v) => compact.format(v) },
];
// Volume keeps to the bottom quarter; prices leave it free.
const OPTIONS: Partial<uPlot.Options> = {
  scales: {
    x: { time: true },
    y: { range: (_u, min, max) => { const span = max - min || Math.abs(max) || 1; return [min - span * 0.35, max + span * 0.05]; } },
    vol: { range: (_u, _min, max) => [0, (max || 1) * 4] },
  },
};

type CandleData = TradingCandlesQuery["candles"];

export function PriceChart({ symbol, storedTimeframe, last }: { symbol: string; storedTimeframe: string; last: string }) {
  const [timeframe, setTimeframe] = useState(storedTimeframe);
  const [range, setRange] = useState(() => defaultRange(storedTimeframe));
  const [result] = useQuery({
    query: Candles,
    variables: { symbol, timeframe: timeframe as Timeframe, from: rangeStart(last, range) },
  });
  const candles = result.data?.candles;

  return (
    <>
      <div className="filters">
        <Field label="Timeframe">
          <select value={timeframe} onChange={(e) => { setTimeframe(e.target.value); setRange(defaultRange(e.target.value)); }}>
            {timeframesFrom(storedTimeframe).map((t) => <option key={t} value={t}>{TIMEFRAME_LABELS[t]}</option>)}
          </select>
        </Field>
        <Field label="Range">
          <select value={range} onChange={(e) => setRange(e.target.value)}>
            {RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
        </Field>
        <p className="muted small">
          {candles ? `${num(candles.timestamps.length)} bars. ` : ""}Drag across the chart to zoom (candles under {MAX_CANDLES} bars), double-click to zoom out.
        </p>
      </div>
      <QueryState
        result={result}
        loading="Loading prices…"
        empty={candles && !candles.timestamps.length && <EmptyState title="No bars in this range.">Pick a longer range.</EmptyState>}
      >
        {({ candles: loaded }) => (
          <CandleChart title={`${symbol} ${timeframe} prices`} candles={loaded} utc={timeframe === "D1" || timeframe === "W1"} />
        )}
      </QueryState>
    </>
  );
}

function CandleChart({ title, candles, utc }: { title: string; candles: CandleData; utc: boolean }) {
  const values = useMemo(() => [candles.open, candles.high, candles.low, candles.close, candles.volume], [candles]);
  const plugins = useMemo(() => [candlestickPlugin(candles, 4, [1, 2, 3])], [candles]);
  return <Chart title={title} x={candles.timestamps} series={SERIES} values={values} plugins={plugins} options={OPTIONS} height={340} yFormat={price} utc={utc} />;
}
