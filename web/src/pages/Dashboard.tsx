import { lazy, Suspense, useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Badge, statusLabel } from "../components/Badge";
import { DataTable } from "../components/DataTable";
import { EmptyState } from "../components/EmptyState";
import { Money } from "../components/Money";
import { PageHeader } from "../components/PageHeader";
import { Loading, QueryState } from "../components/QueryState";
import { graphql } from "../gql";
import { formatBytes, formatDate, isoDate, sumDecimals } from "../lib/format";
import { useServiceStatus } from "../lib/health";
import { useSession } from "../lib/useSession";

// The finance area's chart, loaded with uPlot only when there is something to draw.
const CashFlowChart = lazy(() => import("./finance/CashFlowChart"));

const DashboardQuery = graphql(`
  query Dashboard($from: Date!, $to: Date!) {
    accounts { id name currency balance institution }
    transactions(first: 8) {
      edges { node { id bookingDate description counterpartyName amount currency account { id name } category { id name } } }
    }
    financialMetrics(from: $from, to: $to, granularity: MONTH) {
      series { currency periods income expenses net balance }
    }
    documents(first: 5) { edges { node { id title status sizeBytes createdAt } } }
    strategies(first: 5) { edges { node { id name symbol status kind } } }
  }
`);

/** Balances summed exactly per currency (never across currencies). */
export function totalsByCurrency(accounts: { currency: string; balance: string }[]): [string, string][] {
  const groups = new Map<string, string[]>();
  for (const account of accounts) groups.set(account.currency, [...(groups.get(account.currency) ?? []), account.balance]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, values]) => [currency, sumDecimals(values)]);
}

function monthsAgo(months: number): string {
  const date = new Date();
  date.setDate(1);
  date.setMonth(date.getMonth() - months);
  return isoDate(date);
}

function ServiceHealth() {
  const { status, error } = useServiceStatus();
  if (error) return <p className="field-error">{error}</p>;
  if (!status) return <p className="muted">Checking…</p>;
  return (
    <ul className="plain-list">
      {Object.entries(status.checks).map(([name, check]) => (
        <li key={name} className="row">
          <Badge tone={check.state === "up" ? "good" : check.required ? "bad" : "neutral"}>{check.state === "up" ? "Up" : statusLabel(check.state)}</Badge>
          <span>{name}{check.backend ? ` (${check.backend})` : ""}</span>
          {check.latencyMs != null ? <span className="muted small">{check.latencyMs} ms</span> : null}
        </li>
      ))}
    </ul>
  );
}

export default function Dashboard() {
  const session = useSession();
  const variables = useMemo(() => ({ from: monthsAgo(5), to: isoDate() }), []);
  const [result] = useQuery({ query: DashboardQuery, variables });
  const data = result.data;
  const totals = data ? totalsByCurrency(data.accounts) : [];
  const transactions = data?.transactions.edges.map((e) => e.node) ?? [];
  const documents = data?.documents.edges.map((e) => e.node) ?? [];
  const strategies = data?.strategies.edges.map((e) => e.node) ?? [];
  const cashFlow = data?.financialMetrics.series.filter((s) => s.periods.length) ?? [];

  return (
    <>
      <PageHeader title="Dashboard" description={session ? `Welcome back${session.user.fullName ? `, ${session.user.fullName}` : ""}.` : undefined} />
      <QueryState result={result}>
        {({ accounts }) => (
          <div className="dashboard">
            <section className="card" aria-labelledby="balances">
              <h2 id="balances">Balances</h2>
              {totals.length ? (
                <>
                  <ul className="plain-list">
                    {totals.map(([currency, total]) => (
                      <li key={currency} className="stat"><Money amount={total} currency={currency} /></li>
                    ))}
                  </ul>
                  <p className="muted small">{accounts.length} account{accounts.length === 1 ? "" : "s"} · <Link to="/finance/accounts">All accounts</Link></p>
                </>
              ) : (
                <EmptyState title="No accounts yet."><Link to="/finance/accounts">Add an account</Link> or <Link to="/finance/banks">connect your bank</Link>.</EmptyState>
              )}
            </section>
            <section className="card wide" aria-labelledby="cash-flow">
              <h2 id="cash-flow">Cash flow, last 6 months</h2>
              {cashFlow.length ? (
                <Suspense fallback={<Loading label="Loading the chart…" />}>
                  {cashFlow.map((s) => <CashFlowChart key={s.currency} series={s} height={220} title={`Cash flow in ${s.currency}, by month`} />)}
                </Suspense>
              ) : (
                <EmptyState title="No transactions in the last six months."><Link to="/finance/import">Import a bank file</Link> to see where your money goes.</EmptyState>
              )}
            </section>
            <section className="card wide" aria-labelledby="recent">
              <h2 id="recent">Recent transactions</h2>
              {transactions.length ? (
                <DataTable
                  caption="Recent transactions" rows={transactions} rowKey={(t) => t.id}
                  columns={[
                    { header: "Date", card: "plain", cell: (t) => formatDate(t.bookingDate) },
                    {
                      header: "Description", card: "plain",
                      cell: (t) => <>{t.counterpartyName || t.description}{t.category ? <span className="muted small"> · {t.category.name}</span> : null}</>,
                    },
                    { header: "Account", cell: (t) => t.account.name },
                    { header: "Amount", numeric: true, card: "aside", cell: (t) => <Money amount={t.amount} currency={t.currency} /> },
                  ]}
                />
              ) : (
                <EmptyState title="No transactions yet."><Link to="/finance/import">Import transactions</Link>.</EmptyState>
              )}
            </section>
            <section className="card" aria-labelledby="documents">
              <h2 id="documents">Documents</h2>
              {documents.length ? (
                <ul className="plain-list">
                  {documents.map((d) => (
                    <li key={d.id} className="row">
                      <Link to={`/documents/${d.id}`}>{d.title}</Link> <Badge>{d.status}</Badge>
                      <span className="muted small">{formatBytes(d.sizeBytes)}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <EmptyState title="No documents yet."><Link to="/documents">Upload one</Link> to search and ask it questions.</EmptyState>
              )}
            </section>
            <section className="card" aria-labelledby="strategies">
              <h2 id="strategies">Strategies</h2>
              {strategies.length ? (
                <ul className="plain-list">
                  {strategies.map((s) => (
                    <li key={s.id} className="row">
                      <Link to={`/trading/strategies/${s.id}`}>{s.name}</Link> <span className="muted small">{s.symbol}</span> <Badge>{s.status}</Badge>
                    </li>
                  ))}
                </ul>
              ) : (
                <EmptyState title="No strategies yet."><Link to="/trading/strategies">Create a strategy</Link> and backtest it.</EmptyState>
              )}
            </section>
            <section className="card" aria-labelledby="health">
              <h2 id="health">Service health</h2>
              <ServiceHealth />
            </section>
          </div>
        )}
      </QueryState>
    </>
  );
}
