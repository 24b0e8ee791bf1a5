// Backtests, newest first: on the Backtests page (all strategies) and on a strategy's page.
import { useCallback, useMemo, type ReactNode } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Badge } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { QueryState } from "../../components/QueryState";
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

  return (
    <QueryState result={result} empty={!rows.length && empty}>
      <DataTable
        caption="Backtests, newest first" layout="scroll" rows={rows} rowKey={(b) => b.id}
        columns={[
          { header: "Run", cell: (b) => <Link to={`/trading/backtests/${b.id}`}>{formatDateTime(b.createdAt)}</Link> },
          !strategyId && {
            header: "Strategy",
            cell: (b) => (b.strategy ? (
              <><Link to={`/trading/strategies/${b.strategy.id}`}>{b.strategy.name}</Link><span className="muted small"> {b.strategy.symbol} · {b.strategy.timeframe}</span></>
            ) : "—"),
          },
          { header: "Range", cell: (b) => (b.from || b.to ? `${formatDate(b.from)} – ${formatDate(b.to)}` : "All bars") },
          { header: "Status", cell: (b) => <Badge>{b.status}</Badge> },
          { header: "Capital", numeric: true, cell: (b) => amount(b.initialCapital) },
          { header: "Return", numeric: true, cell: (b) => pct(b.metrics?.totalReturn) },
          { header: "Sharpe", numeric: true, cell: (b) => ratio(b.metrics?.sharpe) },
          { header: "Max drawdown", numeric: true, cell: (b) => pct(b.metrics?.maxDrawdown == null ? null : -b.metrics.maxDrawdown, false) },
          { header: "Trades", numeric: true, cell: (b) => b.metrics?.tradeCount ?? "—" },
        ]}
      />
      {keyset.hasPrevious || pageInfo?.hasNextPage ? (
        <KeysetPager label="Backtest pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(pageInfo?.hasNextPage)}
                     onPrevious={keyset.previous} onNext={() => keyset.next(pageInfo?.endCursor)} />
      ) : null}
    </QueryState>
  );
}
