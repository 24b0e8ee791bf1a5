// One strategy: its rule and risk, status changes, edit and delete; run a backtest, optimise,
// and what it has run and signalled.
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { PageHeader } from "../../components/PageHeader";
import { Loading } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { CreateStrategyInput, StrategyStatus } from "../../gql/graphql";
import { formatDateTime } from "../../lib/format";
import { BacktestsTable } from "./BacktestsTable";
import { OptimizeForm } from "./OptimizeForm";
import { OptimizationsTable } from "./OptimizationsTable";
import { TradingMarketSymbols, TradingStrategyKinds, TradingUpdateStrategy } from "./operations";
import { RunBacktestForm } from "./RunBacktestForm";
import { StrategyDialog } from "./StrategyDialog";
import { amount, kindLabel, num, TIMEFRAME_LABELS } from "./util";

const StrategyQuery = graphql(`
  query TradingStrategy($id: ID!) {
    strategy(id: $id) {
      ...TradingStrategyFields
      signals(first: 20) { edges { node { id time action price notifiedAt } } }
    }
  }
`);

const SetStatus = graphql(`
  mutation TradingSetStrategyStatus($id: ID!, $status: StrategyStatus!) {
    setStrategyStatus(id: $id, status: $status) { ...TradingStrategyFields }
  }
`);

const DeleteStrategy = graphql(`
  mutation TradingDeleteStrategy($id: ID!) { deleteStrategy(id: $id) }
`);

// What each status can move to, worded as actions.
const MOVES: Record<StrategyStatus, { to: StrategyStatus; label: string }[]> = {
  DRAFT: [{ to: "ACTIVE", label: "Activate" }, { to: "ARCHIVED", label: "Archive" }],
  ACTIVE: [{ to: "PAUSED", label: "Pause" }, { to: "ARCHIVED", label: "Archive" }],
  PAUSED: [{ to: "ACTIVE", label: "Resume" }, { to: "DRAFT", label: "Back to draft" }, { to: "ARCHIVED", label: "Archive" }],
  ARCHIVED: [{ to: "DRAFT", label: "Restore as draft" }],
};

const ACTIONS: Record<string, string> = { BUY: "Buy", SELL_SHORT: "Sell short", EXIT_LONG: "Exit long", EXIT_SHORT: "Exit short" };

export default function StrategyDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [result] = useQuery({ query: StrategyQuery, variables: { id } });
  const [kinds] = useQuery({ query: TradingStrategyKinds });
  const [symbols] = useQuery({ query: TradingMarketSymbols });
  const [statusResult, setStatus] = useMutation(SetStatus);
  const [updated, update] = useMutation(TradingUpdateStrategy);
  const [deleted, remove] = useMutation(DeleteStrategy);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const strategy = result.data?.strategy;
  if (result.fetching && !strategy) return <Loading />;
  if (!strategy) {
    return (
      <>
        <PageHeader title="Strategy" />
        <ErrorAlert error={result.error} />
        <p><Link to="/trading/strategies">Back to strategies</Link></p>
      </>
    );
  }

  const kind = kinds.data?.strategyKinds.find((k) => k.kind === strategy.kind);
  const series = symbols.data?.marketSymbols.find((s) => s.symbol === strategy.symbol && s.timeframe === strategy.timeframe);
  const parameters = (strategy.parameters ?? {}) as Record<string, unknown>;
  const risk = strategy.risk;
  const signals = strategy.signals.edges.map((e) => e.node);

  const save = async (input: CreateStrategyInput) => {
    const outcome = await update({ id, input });
    if (outcome.data) setEditing(false);
  };
  const destroy = async () => {
    // It answers a Boolean: name what it removed so cached lists refresh.
    const outcome = await remove({ id }, { additionalTypenames: ["Strategy", "Backtest", "Optimization"] });
    if (outcome.data?.deleteStrategy) navigate("/trading/strategies", { replace: true });
  };

  return (
    <>
      <PageHeader
        title={strategy.name}
        description={<>{kindLabel(strategy.kind)} on {strategy.symbol} · {TIMEFRAME_LABELS[strategy.timeframe] ?? strategy.timeframe} <Badge>{strategy.status}</Badge></>}
        actions={
          <>
            {MOVES[strategy.status].map((move) => (
              <button key={move.to} type="button" disabled={statusResult.fetching} onClick={() => setStatus({ id, status: move.to })}>
                {move.label}
              </button>
            ))}
            <button type="button" onClick={() => setEditing(true)} disabled={!kinds.data}>Edit</button>
            <button type="button" className="danger" onClick={() => setConfirming(true)}>Delete</button>
          </>
        }
      />
      <ErrorAlert error={statusResult.error} />
      {strategy.status === "ACTIVE" ? (
        <Alert tone="info">
          Active: each new {strategy.symbol} bar you import is evaluated and a signal is sent to Telegram when configured.
          {strategy.evaluatedThrough ? ` Evaluated through ${formatDateTime(strategy.evaluatedThrough)}.` : null}
        </Alert>
      ) : null}

      <div className="grid">
        <section className="card" aria-labelledby="trading-params">
          <h2 id="trading-params">Parameters</h2>
          <dl className="trading-dl">
            {Object.entries(parameters).map(([name, value]) => (
              <div key={name}>
                <dt title={kind?.parameters.find((p) => p.name === name)?.description}>{name}</dt>
                <dd>{String(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="trading-risk">
          <h2 id="trading-risk">Risk</h2>
          <dl className="trading-dl">
            <div><dt>Position size</dt><dd>{num(risk.positionSize * 100)}% of equity</dd></div>
            <div><dt>Stop loss</dt><dd>{risk.stopLossPct == null ? "None" : `${num(risk.stopLossPct)}%`}</dd></div>
            <div><dt>Take profit</dt><dd>{risk.takeProfitPct == null ? "None" : `${num(risk.takeProfitPct)}%`}</dd></div>
            <div><dt>Fees</dt><dd>{num(risk.feeBps)} bps</dd></div>
            <div><dt>Slippage</dt><dd>{num(risk.slippageBps)} bps</dd></div>
            <div><dt>Direction</dt><dd>{risk.allowShort ? "Long and short" : "Long only"}</dd></div>
          </dl>
        </section>
      </div>

      <section className="card" aria-labelledby="trading-run">
        <h2 id="trading-run">Run a backtest</h2>
        <RunBacktestForm strategyId={id} series={series} symbol={strategy.symbol} timeframe={strategy.timeframe} />
      </section>

      <section className="trading-section" aria-labelledby="trading-backtests">
        <h2 id="trading-backtests">Backtests</h2>
        <BacktestsTable strategyId={id} first={10} empty={<EmptyState title="No backtests yet.">Run one with the form above.</EmptyState>} />
      </section>

      <section className="card" aria-labelledby="trading-optimise">
        <h2 id="trading-optimise">Optimise</h2>
        {kind ? <OptimizeForm key={strategy.updatedAt} strategyId={id} kind={kind} parameters={parameters} /> : <Loading />}
      </section>

      <section className="trading-section" aria-labelledby="trading-optimisations">
        <h2 id="trading-optimisations">Optimisations</h2>
        <OptimizationsTable strategyId={id} />
      </section>

      {strategy.status === "ACTIVE" || signals.length ? (
        <section className="trading-section" aria-labelledby="trading-signals">
          <h2 id="trading-signals">Signals</h2>
          {signals.length ? (
            <DataTable
              caption="Signals, newest first" rows={signals} rowKey={(s) => s.id}
              columns={[
                { header: "Bar", card: "title", cell: (s) => formatDateTime(s.time) },
                { header: "Action", cell: (s) => ACTIONS[s.action] ?? s.action },
                { header: "Price", numeric: true, card: "aside", cell: (s) => amount(s.price) },
                { header: "Notified", cell: (s) => (s.notifiedAt ? formatDateTime(s.notifiedAt) : <span className="muted">Not sent</span>) },
              ]}
            />
          ) : (
            <EmptyState title="No signals yet.">
              Signals appear when newly imported bars trigger the rule. <Link to="/trading/market-data">Import newer bars</Link>.
            </EmptyState>
          )}
        </section>
      ) : null}

      {editing && kinds.data ? (
        <StrategyDialog title={`Edit ${strategy.name}`} kinds={kinds.data.strategyKinds} strategy={strategy} busy={updated.fetching}
                        symbols={[...new Set(symbols.data?.marketSymbols.map((s) => s.symbol) ?? [])]}
                        errors={updated.error} submitLabel="Save changes"
                        onSubmit={save} onClose={() => setEditing(false)} />
      ) : null}
      <ConfirmDialog
        open={confirming} title="Delete strategy" danger busy={deleted.fetching} error={deleted.error} confirmLabel="Delete"
        message={<>Delete <strong>{strategy.name}</strong> with its backtests, optimisations and signals? This cannot be undone.</>}
        onConfirm={destroy} onClose={() => setConfirming(false)}
      />
    </>
  );
}
