// Backtests, newest first: on the Backtests page (all strategies) and on a strategy's page.
import { useCallback, useMemo, type ReactNode } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { Loading } from "../../components/QueryState";
import { graphql } from "../../gql";
import { formatDate, formatDateTime } from "../../lib/format";
import { usePollWhile } from "../../lib/usePollWhile";
import { amount, pct, ratio } from "./util";

const BacktestList = graphql(`
  query TradingBacktests($strategyId: ID, $first: Int!, $after: String) {
    backtests(strategyId: $strategyId, first: $first, after: $after) {
      edges {
        node {
          id status createdAt from to barCount initialCapital
          metrics { totalReturn sharpe maxDrawdown tradeCount }
          strategy { id name symbol timeframe }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export function BacktestsTable({ strategyId, first = 20, empty }: { strategyId?: string; first?: number; empty: ReactNode }) {
  const keyset = useKeyset();
  // An empty page names no Backtest type: this lets a new run refresh it too.
  const context = useMemo(() => ({ additionalTypenames: ["Backtest"] }), []);
  const [result, refetch] = useQuery({ query: BacktestList, variables: { strategyId: strategyId ?? null, first, after: keyset.after }, context });
  const rows = result.data?.backtests.edges.map((e) => e.node) ?? [];
  // Runs still queued or running: keep their status and results current.
  const busy = rows.some((b) => b.status === "QUEUED" || b.status === "RUNNING");
  const reload = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  usePollWhile(busy, reload);
  const pageInfo = result.data?.backtests.pageInfo;

  if (result.fetching && !result.data) return <Loading />;
  if (result.error) return <ErrorAlert error={result.error} />;
  if (!rows.length) return <>{empty}</>;
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Run</th>
              {strategyId ? null : <th>Strategy</th>}
              <th>Range</th><th>Status</th>
              <th className="num">Capital</th><th className="num">Return</th><th className="num">Sharpe</th>
              <th className="num">Max drawdown</th><th className="num">Trades</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.id}>
                <td><Link to={`/trading/backtests/${b.id}`}>{formatDateTime(b.createdAt)}</Link></td>
                {strategyId ? null : (
                  <td>{b.strategy ? <Link to={`/trading/strategies/${b.strategy.id}`}>{b.strategy.name}</Link> : "—"}
                    {b.strategy ? <span className="muted small"> {b.strategy.symbol} · {b.strategy.timeframe}</span> : null}</td>
                )}
                <td>{b.from || b.to ? `${formatDate(b.from)} – ${formatDate(b.to)}` : "All bars"}</td>
                <td><Badge>{b.status}</Badge></td>
                <td className="num">{amount(b.initialCapital)}</td>
                <td className="num">{pct(b.metrics?.totalReturn)}</td>
                <td className="num">{ratio(b.metrics?.sharpe)}</td>
                <td className="num">{pct(b.metrics?.maxDrawdown == null ? null : -b.metrics.maxDrawdown, false)}</td>
                <td className="num">{b.metrics?.tradeCount ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {keyset.hasPrevious || pageInfo?.hasNextPage ? (
        <KeysetPager label="Backtest pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(pageInfo?.hasNextPage)}
                     onPrevious={keyset.previous} onNext={() => keyset.next(pageInfo?.endCursor)} />
      ) : null}
    </>
  );
}
