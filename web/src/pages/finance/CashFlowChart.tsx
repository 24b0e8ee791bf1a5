// One currency's cash flow: income up and expenses down as bars, net as a line, and the running
// balance as a line on its own right-hand scale (it is usually far larger than a month's flows).
// The dashboard reuses this: it takes one CurrencySeries as financialMetrics returns it.
import { useMemo } from "react";
import type uPlot from "uplot";
import { Chart, type ChartSeries } from "../../components/Chart";
import type { FinanceMetricsQuery } from "../../gql/graphql";
import { compactMoney, formatMoney } from "../../lib/format";

/** One currency's columns (`periods` are period starts, YYYY-MM-DD). */
export type CashFlowSeries = FinanceMetricsQuery["financialMetrics"]["series"][number];

/** Unix seconds at local midnight, so the axis shows the period's own date in any time zone. */
export function periodSeconds(period: string): number {
  const [y, m, d] = period.split("-").map(Number);
  return new Date(y, m - 1, d).getTime() / 1000;
}

/** The chart's columns: expenses negated so their bars hang below zero. */
export function cashFlowColumns(series: CashFlowSeries) {
  return {
    x: series.periods.map(periodSeconds),
    values: [
      series.income.map(Number),
      series.expenses.map((v) => -Math.abs(Number(v))),
      series.net.map(Number),
      series.balance.map(Number),
    ],
  };
}

export default function CashFlowChart({ series, height = 280, title }: { series: CashFlowSeries; height?: number; title?: string }) {
  const { currency } = series;
  const columns = useMemo(() => cashFlowColumns(series), [series]);
  const chartSeries = useMemo<ChartSeries[]>(() => {
    const money = (v: number) => formatMoney(v, currency);
    return [
      // The flows share the left scale ("y", named: the balance has its own).
      { label: "Income", color: "--chart-3", bars: true, scale: "y", format: money },
      { label: "Expenses", color: "--chart-2", bars: true, scale: "y", format: (v) => formatMoney(Math.abs(v), currency) },
      { label: "Net", color: "--chart-1", scale: "y", format: money },
      { label: "Balance", color: "--chart-4", scale: "balance", format: money },
    ];
  }, [currency]);
  const yFormat = useMemo(() => (v: number) => compactMoney(v, currency), [currency]);
  // A second y axis on the right for the balance, styled like the left one.
  const plugins = useMemo<uPlot.Plugin[]>(() => [{
    hooks: {},
    opts: (_self, opts) => {
      const left = opts.axes?.[1] ?? {};
      opts.axes = [...(opts.axes ?? []), {
        ...left, scale: "balance", side: 1, grid: { show: false },
        values: (_u: uPlot, ticks: number[]) => ticks.map((t) => compactMoney(t, currency)),
      }];
    },
  }], [currency]);

  return (
    <Chart
      title={title ?? `Cash flow in ${currency}`}
      x={columns.x}
      series={chartSeries}
      values={columns.values}
      height={height}
      yFormat={yFormat}
      plugins={plugins}
    />
  );
}
