// One optimisation: progress while its job runs, then the walk-forward scores (the figure to
// trust), each window's pick, and every combination ranked, with the best one one click away
// from the strategy.
import { useEffect } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { PageHeader } from "../../components/PageHeader";
import { JobProgress } from "../../components/ProgressBar";
import { Loading } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { OptimizationMetric, TradingMetricsFieldsFragment } from "../../gql/graphql";
import { formatDate, formatDateTime } from "../../lib/format";
import { isFinished, useJob } from "../../lib/useJob";
import { METRIC_LABELS } from "./OptimizeForm";
import { TradingUpdateStrategy } from "./operations";
import { formatScore, num, paramsText, pct, ratio } from "./util";

const OptimizationQuery = graphql(`
  query TradingOptimization($id: ID!) {
    optimization(id: $id) {
      id strategyId status error metric configuration createdAt finishedAt
      combinations inSampleScore outOfSampleScore outOfSampleReturn
      windows {
        trainFrom trainTo testFrom testTo parameters
        inSample { ...TradingMetricsFields }
        outOfSample { ...TradingMetricsFields }
      }
      ranking(first: 50) { rank parameters score metrics { ...TradingMetricsFields } }
      job { ...JobFields }
    }
  }
`);

const StrategyName = graphql(`
  query TradingOptimizationStrategy($id: ID!) { strategy(id: $id) { id name parameters } }
`);

const FIELD: Record<OptimizationMetric, keyof TradingMetricsFieldsFragment> = {
  SHARPE: "sharpe", SORTINO: "sortino", TOTAL_RETURN: "totalReturn", CAGR: "cagr",
  PROFIT_FACTOR: "profitFactor", WIN_RATE: "winRate", MAX_DRAWDOWN: "maxDrawdown",
};

interface Config { trainBars?: number; testBars?: number }

export default function OptimizationDetail() {
  const { id = "" } = useParams();
  const [result, refetch] = useQuery({ query: OptimizationQuery, variables: { id } });
  const optimization = result.data?.optimization;
  const [strategyResult] = useQuery({ query: StrategyName, variables: { id: optimization?.strategyId ?? "" }, pause: !optimization });
  const [applied, apply] = useMutation(TradingUpdateStrategy);
  const running = optimization?.status === "QUEUED" || optimization?.status === "RUNNING";
  const job = useJob(running ? optimization?.job?.id : null);

  useEffect(() => {
    if (running && isFinished(job)) refetch({ requestPolicy: "network-only" });
  }, [running, job, refetch]);

  if (result.fetching && !optimization) return <Loading />;
  if (!optimization) {
    return (
      <>
        <PageHeader title="Optimisation" />
        <ErrorAlert error={result.error} />
        <p><Link to="/trading/strategies">Back to strategies</Link></p>
      </>
    );
  }

  const strategy = strategyResult.data?.strategy;
  const metric = optimization.metric;
  const config = (optimization.configuration ?? {}) as Config;
  const best = optimization.ranking[0];
  const current = JSON.stringify(strategy?.parameters ?? null);
  const bestIsCurrent = best && current === JSON.stringify(best.parameters);
  const value = (m: TradingMetricsFieldsFragment) => {
    const v = m[FIELD[metric]] as number | null;
    return formatScore(metric, metric === "MAX_DRAWDOWN" && v != null ? -v : v);
  };

  return (
    <>
      <PageHeader
        title={`Optimisation of ${strategy?.name ?? "a strategy"}`}
        description={<>Ranked by {METRIC_LABELS[metric]}
          {optimization.combinations != null ? ` · ${optimization.combinations} combinations` : ""}
          {config.trainBars ? ` · windows of ${num(config.trainBars)} train / ${num(config.testBars)} test bars` : ""} <Badge>{optimization.status}</Badge></>}
        actions={<Link className="button" to={`/trading/strategies/${optimization.strategyId}`}>Strategy</Link>}
      />
      <ErrorAlert error={result.error ?? applied.error} />
      {running ? (
        <section className="card" aria-labelledby="trading-progress">
          <h2 id="trading-progress">Running</h2>
          <JobProgress job={job ?? optimization.job ?? null} label="Optimisation progress" />
        </section>
      ) : null}
      {optimization.status === "FAILED" ? <Alert tone="error" title="The optimisation failed.">{optimization.error}</Alert> : null}

      {optimization.status === "SUCCEEDED" ? (
        <>
          <dl className="trading-metrics">
            <div className="card"><dt className="muted small">Out-of-sample score</dt><dd className="stat">{formatScore(metric, optimization.outOfSampleScore)}</dd>
              <dd className="muted small">On windows the fit never saw: the figure to trust</dd></div>
            <div className="card"><dt className="muted small">In-sample score</dt><dd className="stat">{formatScore(metric, optimization.inSampleScore)}</dd></div>
            <div className="card"><dt className="muted small">Out-of-sample return</dt><dd className="stat">{pct(optimization.outOfSampleReturn)}</dd></div>
          </dl>

          {best ? (
            <section className="card" aria-labelledby="trading-best">
              <h2 id="trading-best">Best parameters</h2>
              <p><strong>{paramsText(best.parameters)}</strong> — {METRIC_LABELS[metric]} {value(best.metrics)}, return {pct(best.metrics.totalReturn)} over the whole range.</p>
              {applied.data ? <Alert tone="success">Applied to {applied.data.updateStrategy.name}.</Alert> : null}
              <div className="actions">
                <button type="button" className="primary" disabled={!strategy || applied.fetching || bestIsCurrent}
                        onClick={() => apply({ id: optimization.strategyId, input: { parameters: best.parameters } })}>
                  {bestIsCurrent ? "The strategy uses these" : "Apply to strategy"}
                </button>
              </div>
            </section>
          ) : null}

          <section className="trading-section" aria-labelledby="trading-windows">
            <h2 id="trading-windows">Walk-forward windows</h2>
            <DataTable
              caption="Walk-forward windows" layout="scroll" rows={optimization.windows} rowKey={(w) => w.testFrom}
              columns={[
                { header: "Train", cell: (w) => `${formatDate(w.trainFrom)} – ${formatDate(w.trainTo)}` },
                { header: "Test", cell: (w) => `${formatDate(w.testFrom)} – ${formatDate(w.testTo)}` },
                { header: "Chosen parameters", cell: (w) => paramsText(w.parameters) },
                { header: "In sample", numeric: true, cell: (w) => value(w.inSample) },
                { header: "Out of sample", numeric: true, cell: (w) => value(w.outOfSample) },
                { header: "Test return", numeric: true, cell: (w) => pct(w.outOfSample.totalReturn) },
              ]}
            />
          </section>

          <section className="trading-section" aria-labelledby="trading-ranking">
            <h2 id="trading-ranking">Every combination, best first</h2>
            <p className="muted small">Scored on the whole range (in sample): good here alone may be overfitting.</p>
            <DataTable
              caption="Every combination, best first" layout="scroll" rows={optimization.ranking} rowKey={(r) => String(r.rank)}
              rowProps={(r) => (r.rank === 1 ? { className: "trading-best", "aria-current": "true" } : {})}
              columns={[
                { header: "Rank", numeric: true, cell: (r) => <>{r.rank}{r.rank === 1 ? <span className="visually-hidden"> (best)</span> : null}</> },
                { header: "Parameters", cell: (r) => paramsText(r.parameters) },
                { header: "Score", numeric: true, cell: (r) => formatScore(metric, r.score) },
                { header: "Return", numeric: true, cell: (r) => pct(r.metrics.totalReturn) },
                { header: "Sharpe", numeric: true, cell: (r) => ratio(r.metrics.sharpe) },
                { header: "Max drawdown", numeric: true, cell: (r) => pct(-r.metrics.maxDrawdown, false) },
                { header: "Trades", numeric: true, cell: (r) => r.metrics.tradeCount },
              ]}
            />
          </section>
          <p className="muted small">Started {formatDateTime(optimization.createdAt)}{optimization.finishedAt ? `, finished ${formatDateTime(optimization.finishedAt)}` : ""}.</p>
        </>
      ) : null}
    </>
  );
}
