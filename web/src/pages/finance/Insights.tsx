import { lazy, Suspense, useMemo, useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { Loading, QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { FinanceMetricsQuery, Granularity } from "../../gql/graphql";
import { formatDate, isoDate, sumDecimals } from "../../lib/format";
import { categoryLabel, useAccounts, useCategories } from "./common";

// uPlot stays out of the other finance pages' way.
const CashFlowChart = lazy(() => import("./CashFlowChart"));

const Metrics = graphql(`
  query FinanceMetrics($from: Date!, $to: Date!, $granularity: Granularity!, $accountIds: [ID!]) {
    financialMetrics(from: $from, to: $to, granularity: $granularity, accountIds: $accountIds) {
      series { currency periods income expenses net balance }
      byCategory { currency categoryId total count category { id name kind } }
      topCounterparties(limit: 10) { currency name total count }
      recurringPayments { currency name amount cadence intervalDays count first last nextExpected }
    }
  }
`);

type Metrics = FinanceMetricsQuery["financialMetrics"];

export const PRESETS = [
  ["this-month", "This month"], ["last-3", "Last 3 months"], ["last-12", "Last 12 months"], ["this-year", "This year"],
] as const;
type Preset = (typeof PRESETS)[number][0];

/** [from, to] of a preset, whole months back to today. */
export function presetRange(preset: Preset, today = new Date()): [string, string] {
  const y = today.getFullYear();
  const m = today.getMonth();
  const start = {
    "this-month": new Date(y, m, 1),
    "last-3": new Date(y, m - 2, 1),
    "last-12": new Date(y, m - 11, 1),
    "this-year": new Date(y, 0, 1),
  }[preset];
  return [isoDate(start), isoDate(today)];
}

export default function Insights() {
  const [preset, setPreset] = useState<Preset | "custom">("last-12");
  const [[from, to], setRange] = useState(() => presetRange("last-12"));
  const [granularity, setGranularity] = useState<Granularity>("MONTH");
  const [accountId, setAccountId] = useState("");
  const { accounts } = useAccounts();
  const [result] = useQuery({
    query: Metrics,
    variables: { from, to, granularity, accountIds: accountId ? [accountId] : null },
    pause: !from || !to,
  });
  const metrics = result.data?.financialMetrics;

  const choose = (value: string) => {
    setPreset(value as Preset | "custom");
    if (value !== "custom") setRange(presetRange(value as Preset));
  };

  return (
    <>
      <PageHeader title="Insights" description="Where the money came from and went, per currency." />
      <form className="filters card" aria-label="Period and accounts" onSubmit={(e) => e.preventDefault()}>
        <Field label="Period">
          <select value={preset} onChange={(e) => choose(e.target.value)}>
            {PRESETS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            <option value="custom">Custom</option>
          </select>
        </Field>
        <Field label="From">
          <input type="date" required value={from} max={to} onChange={(e) => { setPreset("custom"); setRange([e.target.value, to]); }} />
        </Field>
        <Field label="To">
          <input type="date" required value={to} min={from} onChange={(e) => { setPreset("custom"); setRange([from, e.target.value]); }} />
        </Field>
        <Field label="Group by">
          <select value={granularity} onChange={(e) => setGranularity(e.target.value as Granularity)}>
            <option value="DAY">Day</option><option value="WEEK">Week</option><option value="MONTH">Month</option>
          </select>
        </Field>
        <Field label="Account">
          <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
            <option value="">All accounts</option>
            {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        </Field>
      </form>
      <QueryState
        result={result}
        loading="Crunching the numbers…"
        empty={metrics && !metrics.series.length && (
          <EmptyState title="No transactions in this period.">
            <p>Pick a longer period, or <Link to="/finance/import">import a statement</Link>.</p>
          </EmptyState>
        )}
      >
        {({ financialMetrics }) => financialMetrics.series.map((series) => (
          <CurrencySection key={series.currency} series={series} metrics={financialMetrics} />
        ))}
      </QueryState>
    </>
  );
}

function CurrencySection({ series, metrics }: { series: Metrics["series"][number]; metrics: Metrics }) {
  const { currency } = series;
  const { categories } = useCategories();
  const byCategory = useMemo(
    () => metrics.byCategory.filter((c) => c.currency === currency).sort((a, b) => Math.abs(Number(b.total)) - Math.abs(Number(a.total))),
    [metrics.byCategory, currency],
  );
  const counterparties = metrics.topCounterparties.filter((c) => c.currency === currency);
  const recurring = metrics.recurringPayments.filter((r) => r.currency === currency);
  const income = sumDecimals(series.income);
  const expenses = sumDecimals(series.expenses);
  const net = sumDecimals(series.net);

  return (
    <section aria-labelledby={`currency-${currency}`}>
      <h2 id={`currency-${currency}`}>{currency}</h2>
      <div className="grid stat-grid">
        <div className="card"><div className="muted small">Income</div><div className="stat"><Money amount={income} currency={currency} signed={false} /></div></div>
        <div className="card"><div className="muted small">Expenses</div><div className="stat"><Money amount={expenses} currency={currency} signed={false} /></div></div>
        <div className="card"><div className="muted small">Net</div><div className="stat"><Money amount={net} currency={currency} /></div></div>
        <div className="card"><div className="muted small">Balance at the end</div><div className="stat"><Money amount={series.balance.at(-1) ?? "0"} currency={currency} signed={false} /></div></div>
      </div>
      <div className="card">
        <Suspense fallback={<Loading label="Loading the chart…" />}>
          <CashFlowChart series={series} />
        </Suspense>
      </div>
      <div className="grid wide-grid">
        <div className="card">
          <h3>By category</h3>
          {byCategory.length ? (
            <DataTable
              caption={`Totals by category in ${currency}`} layout="scroll" rows={byCategory} rowKey={(c) => c.categoryId ?? "none"}
              columns={[
                {
                  header: "Category",
                  cell: (c) => {
                    const full = categories.find((x) => x.id === c.categoryId);
                    return c.category ? (full ? categoryLabel(full, categories) : c.category.name) : <Link to="/finance/transactions?uncategorised=1">Uncategorised</Link>;
                  },
                },
                { header: "Count", numeric: true, cell: (c) => c.count },
                { header: "Total", numeric: true, cell: (c) => <Money amount={c.total} currency={currency} /> },
              ]}
            />
          ) : <p className="muted">No transactions.</p>}
        </div>
        <div className="card">
          <h3>Top counterparties</h3>
          {counterparties.length ? (
            <DataTable
              caption={`Top counterparties in ${currency}`} layout="scroll" rows={counterparties} rowKey={(c) => c.name}
              columns={[
                { header: "Counterparty", cell: (c) => c.name },
                { header: "Count", numeric: true, cell: (c) => c.count },
                { header: "Total", numeric: true, cell: (c) => <Money amount={c.total} currency={currency} /> },
              ]}
            />
          ) : <p className="muted">None named in this period.</p>}
        </div>
      </div>
      <div className="card">
        <h3>Recurring payments</h3>
        {recurring.length ? (
          <DataTable
            caption={`Recurring payments in ${currency}`} layout="scroll" rows={recurring} rowKey={(r) => `${r.name}-${r.cadence}`}
            columns={[
              { header: "Name", cell: (r) => r.name },
              { header: "Every", cell: (r) => r.cadence.toLowerCase() },
              { header: "Times", numeric: true, cell: (r) => r.count },
              { header: "Last", cell: (r) => formatDate(r.last) },
              { header: "Next expected", cell: (r) => formatDate(r.nextExpected) },
              { header: "Amount", numeric: true, cell: (r) => <Money amount={r.amount} currency={currency} signed={false} /> },
            ]}
          />
        ) : <p className="muted">No payment repeats regularly in this period (it takes at least three).</p>}
      </div>
    </section>
  );
}
