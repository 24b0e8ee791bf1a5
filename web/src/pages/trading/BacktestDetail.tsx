// One backtest: live progress while its job runs, then the figures, the equity curve and its
// drawdowns, and the closed trades.
import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { Chart, type ChartSeries } from "../../components/Chart";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { PageHeader } from "../../components/PageHeader";
import { JobProgress } from "../../components/ProgressBar";
import { Loading } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { TradingBacktestQuery } from "../../gql/graphql";
import { formatDate, formatDateTime } from "../../lib/format";
import { isFinished, useJob } from "../../lib/useJob";
import { MetricsGrid } from "./MetricsGrid";
import { amount, drawdowns, kindLabel, num, paramsText, pct } from "./util";

const BacktestQuery = graphql(`
  query TradingBacktest($id: ID!) {
    backtest(id: $id) {
      id strategyId status error from to initialCapital barCount configuration createdAt finishedAt
      metrics { ...TradingMetricsFields }
      trades { side entryTime entryPrice exitTime exitPrice quantity pnl returnPct fees exitReason }
      equityCurve { timestamps values }
      strategy { id name }
      job { ...JobFields }
    }
  }
`);

const TRADES_PAGE = 50;
// `scale: "y"` spelled out: Chart passes an undefined scale through, which leaves the axis without labels.
const EQUITY: ChartSeries[] = [{ label: "Equity", color: "--chart-1", fill: true, scale: "y", format: amount }];
const DRAWDOWN: ChartSeries[] = [{ label: "Drawdown", color: "--chart-2", fill: true, scale: "y", format: (v) => pct(v, false) }];
const percentAxis = (v: number) => pct(v, false, 0);
const REASONS: Record<string, string> = { SIGNAL: "Signal", STOP_LOSS: "Stop loss", TAKE_PROFIT: "Take profit", END_OF_DATA: "End of data" };

interface Config { kind?: string; symbol?: string; timeframe?: string; parameters?: unknown }

export default function BacktestDetail() {
  const { id = "" } = useParams();
  const [result, refetch] = useQuery({ query: BacktestQuery, variables: { id } });
  const backtest = result.data?.backtest;
  const running = backtest?.status === "QUEUED" || backtest?.status === "RUNNING";
  const job = useJob(running ? backtest?.job?.id : null);

  // The job's end is the backtest's end: load the results it stored.
  useEffect(() => {
    if (running && isFinished(job)) refetch({ requestPolicy: "network-only" });
  }, [running, job, refetch]);

  if (result.fetching && !backtest) return <Loading />;
  if (!backtest) {
    return (
      <>
        <PageHeader title="Backtest" />
        <ErrorAlert error={result.error} />
        <p><Link to="/trading/backtests">Back to backtests</Link></p>
      </>
    );
  }

  const config = (backtest.configuration ?? {}) as Config;
  const title = `Backtest of ${backtest.strategy?.name ?? config.kind ?? "a strategy"}`;
  const curve = backtest.equityCurve;
  const finalEquity = curve?.values.length ? curve.values[curve.values.length - 1] : null;
  return (
    <>
      <PageHeader
        title={title}
        description={
          <>
            {kindLabel(config.kind ?? "")} ({paramsText(config.parameters)}) on {config.symbol} {config.timeframe} ·{" "}
            {backtest.from || backtest.to ? `${formatDate(backtest.from)} – ${formatDate(backtest.to)}` : "all bars"} ·{" "}
            {num(backtest.barCount)} bars · capital {amount(backtest.initialCapital)} <Badge>{backtest.status}</Badge>
          </>
        }
        actions={backtest.strategy ? <Link className="button" to={`/trading/strategies/${backtest.strategy.id}`}>Strategy</Link> : null}
      />
      <ErrorAlert error={result.error} />
      {running ? (
        <section className="card" aria-labelledby="trading-progress">
          <h2 id="trading-progress">Running</h2>
          <JobProgress job={job ?? backtest.job ?? null} label="Backtest progress" />
        </section>
      ) : null}
      {backtest.status === "FAILED" ? (
        <Alert tone="error" title="The backtest failed.">{backtest.error ?? backtest.job?.error ?? "It was cancelled before it finished."}</Alert>
      ) : null}
      {backtest.metrics ? (
        <>
          <section className="trading-section" aria-labelledby="trading-metrics">
            <h2 id="trading-metrics">Results</h2>
            <MetricsGrid metrics={backtest.metrics} finalEquity={finalEquity} />
          </section>
          {curve && curve.timestamps.length > 1 ? <Curves timestamps={curve.timestamps} values={curve.values} utc={config.timeframe === "D1" || config.timeframe === "W1"} /> : null}
          <section className="trading-section" aria-labelledby="trading-trades">
            <h2 id="trading-trades">Trades</h2>
            <Trades trades={backtest.trades} />
          </section>
          <p className="muted small">Ran {formatDateTime(backtest.createdAt)}{backtest.finishedAt ? `, finished ${formatDateTime(backtest.finishedAt)}` : ""}.</p>
        </>
      ) : null}
    </>
  );
}

function Curves({ timestamps, values, utc }: { timestamps: number[]; values: number[]; utc: boolean }) {
  const equity = useMemo(() => [values], [values]);
  const drawdown = useMemo(() => [drawdowns(values)], [values]);
  return (
    <div className="grid trading-charts">
      <section className="card" aria-labelledby="trading-equity">
        <h2 id="trading-equity">Equity curve</h2>
        <Chart title="Equity curve" x={timestamps} series={EQUITY} values={equity} yFormat={amount} utc={utc} />
      </section>
      <section className="card" aria-labelledby="trading-drawdown">
        <h2 id="trading-drawdown">Drawdown</h2>
        <Chart title="Drawdown" x={timestamps} series={DRAWDOWN} values={drawdown} yFormat={percentAxis} height={200} utc={utc} />
      </section>
    </div>
  );
}

type Trade = TradingBacktestQuery["backtest"]["trades"][number];

export function Trades({ trades }: { trades: Trade[] }) {
  const [page, setPage] = useState(0);
  if (!trades.length) {
    return <EmptyState title="No trades.">The rule never entered the market in this range: try another range or other parameters.</EmptyState>;
  }
  const pages = Math.ceil(trades.length / TRADES_PAGE);
  const shown = trades.slice(page * TRADES_PAGE, (page + 1) * TRADES_PAGE);
  return (
    <>
      <DataTable
        caption="Closed trades" layout="scroll" className="trading-nowrap" rows={shown} rowKey={(t, i) => `${t.entryTime}-${i}`}
        columns={[
          { header: "Side", cell: (t) => (t.side === "LONG" ? "Long" : "Short") },
          { header: "Entry", cell: (t) => formatDate(t.entryTime) },
          { header: "Entry price", numeric: true, cell: (t) => amount(t.entryPrice) },
          { header: "Exit", cell: (t) => formatDate(t.exitTime) },
          { header: "Exit price", numeric: true, cell: (t) => amount(t.exitPrice) },
          { header: "Quantity", numeric: true, cell: (t) => num(t.quantity) },
          { header: "P&L", numeric: true, cell: (t) => <span className={t.pnl > 0 ? "money-in" : t.pnl < 0 ? "money-out" : ""}>{amount(t.pnl)}</span> },
          { header: "Return", numeric: true, cell: (t) => pct(t.returnPct / 100) },
          { header: "Fees", numeric: true, cell: (t) => amount(t.fees) },
          { header: "Exit reason", cell: (t) => REASONS[t.exitReason] ?? t.exitReason },
        ]}
      />
      {pages > 1 ? (
        <nav className="pager" aria-label="Trade pages">
          <span className="muted small">Trades {page * TRADES_PAGE + 1}–{page * TRADES_PAGE + shown.length} of {trades.length}</span>
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>← Earlier</button>
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>Later →</button>
        </nav>
      ) : null}
    </>
  );
}
