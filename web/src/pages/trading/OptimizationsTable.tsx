// A strategy's optimisations, newest first.
import { useCallback, useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { EmptyState } from "../../components/EmptyState";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { Loading } from "../../components/QueryState";
import { graphql } from "../../gql";
import { formatDateTime } from "../../lib/format";
import { usePollWhile } from "../../lib/usePollWhile";
import { METRIC_LABELS } from "./OptimizeForm";
import { formatScore, pct } from "./util";

const Optimizations = graphql(`
  query TradingOptimizations($strategyId: ID, $first: Int!, $after: String) {
    optimizations(strategyId: $strategyId, first: $first, after: $after) {
      edges { node { id status createdAt metric combinations inSampleScore outOfSampleScore outOfSampleReturn } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export function OptimizationsTable({ strategyId }: { strategyId: string }) {
  const keyset = useKeyset();
  const context = useMemo(() => ({ additionalTypenames: ["Optimization"] }), []);
  const [result, refetch] = useQuery({ query: Optimizations, variables: { strategyId, first: 10, after: keyset.after }, context });
  const rows = result.data?.optimizations.edges.map((e) => e.node) ?? [];
  const busy = rows.some((o) => o.status === "QUEUED" || o.status === "RUNNING");
  usePollWhile(busy, useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]));
  const pageInfo = result.data?.optimizations.pageInfo;
  if (result.fetching && !result.data) return <Loading />;
  if (result.error) return <ErrorAlert error={result.error} />;
  if (!rows.length) return <EmptyState title="No optimisations yet.">Try a grid of parameters with the form above.</EmptyState>;
  return (
    <>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Started</th><th>Ranked by</th><th>Status</th><th className="num">Combinations</th>
              <th className="num">In-sample score</th><th className="num">Out-of-sample score</th><th className="num">Out-of-sample return</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id}>
                <td><Link to={`/trading/optimizations/${o.id}`}>{formatDateTime(o.createdAt)}</Link></td>
                <td>{METRIC_LABELS[o.metric]}</td>
                <td><Badge>{o.status}</Badge></td>
                <td className="num">{o.combinations ?? "—"}</td>
                <td className="num">{formatScore(o.metric, o.inSampleScore)}</td>
                <td className="num">{formatScore(o.metric, o.outOfSampleScore)}</td>
                <td className="num">{pct(o.outOfSampleReturn)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {keyset.hasPrevious || pageInfo?.hasNextPage ? (
        <KeysetPager label="Optimisation pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(pageInfo?.hasNextPage)}
                     onPrevious={keyset.previous} onNext={() => keyset.next(pageInfo?.endCursor)} />
      ) : null}
    </>
  );
}
