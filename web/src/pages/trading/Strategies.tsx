// The strategies list with each one's latest backtest, and the "New strategy" dialog.
import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge, statusLabel } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { CreateStrategyInput, StrategyStatus } from "../../gql/graphql";
import { TradingMarketSymbols, TradingStrategyKinds } from "./operations";
import { StrategyDialog } from "./StrategyDialog";
import { kindLabel, pct, ratio, TIMEFRAME_LABELS } from "./util";

const PAGE = 25;

const StrategiesQuery = graphql(`
  query TradingStrategies($first: Int!, $after: String, $status: StrategyStatus) {
    strategies(first: $first, after: $after, status: $status) {
      edges { node { ...TradingStrategyFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// The newest backtests, to show each strategy's latest result (one query, not one per row).
const LatestBacktests = graphql(`
  query TradingLatestBacktests {
    backtests(first: 100) {
      edges { node { id strategyId status createdAt metrics { totalReturn sharpe tradeCount } } }
    }
  }
`);

const CreateStrategy = graphql(`
  mutation TradingCreateStrategy($input: CreateStrategyInput!) {
    createStrategy(input: $input) { ...TradingStrategyFields }
  }
`);

const STATUSES: StrategyStatus[] = ["DRAFT", "ACTIVE", "PAUSED", "ARCHIVED"];

export default function Strategies() {
  const [status, setStatus] = useState<StrategyStatus | "">("");
  const keyset = useKeyset();
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  // Empty lists name no type to invalidate: say which mutations should refresh them.
  const strategyContext = useMemo(() => ({ additionalTypenames: ["Strategy"] }), []);
  const backtestContext = useMemo(() => ({ additionalTypenames: ["Backtest"] }), []);
  const [list] = useQuery({
    query: StrategiesQuery,
    variables: { first: PAGE, after: keyset.after, status: status || null },
    context: strategyContext,
  });
  const [latest] = useQuery({ query: LatestBacktests, context: backtestContext });
  const [kinds] = useQuery({ query: TradingStrategyKinds });
  const [symbols] = useQuery({ query: TradingMarketSymbols });
  const [created, create] = useMutation(CreateStrategy);

  const latestBy = useMemo(() => {
    const map = new Map<string, NonNullable<typeof latest.data>["backtests"]["edges"][number]["node"]>();
    for (const { node } of latest.data?.backtests.edges ?? []) if (!map.has(node.strategyId)) map.set(node.strategyId, node);
    return map;
  }, [latest.data]);

  const submit = async (input: CreateStrategyInput) => {
    const result = await create({ input });
    const id = result.data?.createStrategy.id;
    if (id) navigate(`/trading/strategies/${id}`);
  };

  const strategies = list.data?.strategies.edges.map((e) => e.node) ?? [];
  const symbolNames = [...new Set(symbols.data?.marketSymbols.map((s) => s.symbol) ?? [])];
  const newButton = (
    <button type="button" className="primary" onClick={() => setCreating(true)} disabled={!kinds.data}>New strategy</button>
  );

  return (
    <>
      <PageHeader title="Strategies" description="Trading rules you can backtest, optimise and run on new bars." actions={newButton} />
      <div className="filters">
        <Field label="Status">
          <select value={status} onChange={(e) => { setStatus(e.target.value as StrategyStatus | ""); keyset.reset(); }}>
            <option value="">All but archived</option>
            {STATUSES.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
          </select>
        </Field>
      </div>
      <ErrorAlert error={kinds.error} />
      <QueryState
        result={list}
        empty={strategies.length === 0 && (
          <EmptyState title={status ? `No ${statusLabel(status).toLowerCase()} strategies.` : "No strategies yet."}>
            <p>A strategy is a rule (a moving-average crossover, an RSI reversion…) on one symbol’s bars.
              {symbolNames.length ? " Create one to backtest it." : <> First <Link to="/trading/market-data">import market data</Link>, then create one.</>}</p>
            {newButton}
          </EmptyState>
        )}
      >
        <DataTable
          caption="Strategies" rows={strategies} rowKey={(s) => s.id}
          columns={[
            { header: "Name", card: "title", cell: (s) => <Link to={`/trading/strategies/${s.id}`}>{s.name}</Link> },
            { header: "Kind", cell: (s) => kindLabel(s.kind) },
            { header: "Market", cell: (s) => `${s.symbol} · ${TIMEFRAME_LABELS[s.timeframe] ?? s.timeframe}` },
            { header: "Status", cell: (s) => <Badge>{s.status}</Badge> },
            {
              header: "Last backtest", numeric: true,
              cell: (s) => {
                const run = latestBy.get(s.id);
                if (!run) return <span className="muted">None yet</span>;
                return <Link to={`/trading/backtests/${run.id}`}>{run.metrics ? pct(run.metrics.totalReturn) : statusLabel(run.status)}</Link>;
              },
            },
            { header: "Sharpe", numeric: true, cell: (s) => ratio(latestBy.get(s.id)?.metrics?.sharpe) },
          ]}
        />
      </QueryState>
      {keyset.hasPrevious || list.data?.strategies.pageInfo.hasNextPage ? (
        <KeysetPager label="Strategy pages" hasPrevious={keyset.hasPrevious} hasNext={Boolean(list.data?.strategies.pageInfo.hasNextPage)}
                     onPrevious={keyset.previous} onNext={() => keyset.next(list.data?.strategies.pageInfo.endCursor)} />
      ) : null}

      {creating && kinds.data ? (
        <StrategyDialog title="New strategy" kinds={kinds.data.strategyKinds} symbols={symbolNames} busy={created.fetching}
                        errors={created.error} submitLabel="Create strategy"
                        onSubmit={submit} onClose={() => setCreating(false)} />
      ) : null}
    </>
  );
}
