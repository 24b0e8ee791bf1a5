// A strategy's optimisations, newest first.
import { useCallback, useMemo } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Badge } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { QueryState } from "../../components/QueryState";
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
  return (
    <QueryState
      result={result}
      empty={!rows.length && <EmptyState title="No optimisations yet.">Try a grid of parameters with the form above.</EmptyState>}
    >
      <DataTable
        caption="Optimisations, newest first" layout="scroll" rows={rows} rowKey={(o) => o.id}
        columns={[
          { header: "Started", cell: (o) => <Link to={`/trading/optimizations/${o.id}`}>{formatDateTime(o.createdAt)}</Link> },
          { header: "Ranked by", cell: (o) => METRIC_LABELS[o.metric] },
          { header: "Status", cell: (o) => <Badge>{o.status}</Badge> },
          { header: "Combinations", numeric: true, cell: (o) => o.combinations ?? "—" },
          { header: "In-sample score", numeric: true, cell: (o) => formatScore(o.metric, o.inSampleScore) },
          { header: "Out-of-sample score", numeric: true, cell: (o) => formatScore(o.metric, o.outOfSampleScore) },
          { header: "Out-of-sample return", numeric: true, cell: (o) => pct(o.outOfSampleReturn) },
        ]}
      />
      {keyset.hasPrevious || pageInfo?.hasNextPage ? (
        <KeysetPager label="Optimisation pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(pageInfo?.hasNextPage)}
                     onPrevious={keyset.previous} onNext={() => keyset.next(pageInfo?.endCursor)} />
      ) : null}
    </QueryState>
  );
}
