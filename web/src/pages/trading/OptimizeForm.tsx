// "Optimise" on a strategy's page: a small grid of values per parameter, ranked by a metric
// and walked forward (fit on a train window, scored on the unseen window after it).
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useMutation } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { graphql } from "../../gql";
import type { OptimizationMetric } from "../../gql/graphql";
import { fieldErrors, type ServerError } from "../../lib/errors";
import type { KindInfo } from "./StrategyDialog";
import { dayStart, parseGridValues, suggestGrid } from "./util";

const Optimize = graphql(`
  mutation TradingOptimizeStrategy($input: OptimizeStrategyInput!) {
    optimizeStrategy(input: $input) { id status }
  }
`);

export const METRIC_LABELS: Record<OptimizationMetric, string> = {
  SHARPE: "Sharpe ratio", SORTINO: "Sortino ratio", TOTAL_RETURN: "Total return", CAGR: "CAGR",
  PROFIT_FACTOR: "Profit factor", WIN_RATE: "Win rate", MAX_DRAWDOWN: "Max drawdown (smallest)",
};

const MAX_COMBINATIONS = 500;

/** The grid from the form's texts; an empty text keeps the strategy's own value. */
export function buildGrid(texts: Record<string, string>, current: Record<string, unknown>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(texts).map(([name, text]) => {
    const values = parseGridValues(text);
    return [name, values.length ? values : [Number(current[name])]];
  }));
}

const optionalInt = (v: string) => (v.trim() === "" ? null : Math.round(Number(v)));

export function OptimizeForm({ strategyId, kind, parameters }: {
  strategyId: string; kind: KindInfo | undefined; parameters: Record<string, unknown>;
}) {
  const specs = kind?.parameters ?? [];
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(
    specs.map((p) => [p.name, suggestGrid(Number(parameters[p.name] ?? p.default), p)])));
  const [metric, setMetric] = useState<OptimizationMetric>("SHARPE");
  const [trainBars, setTrainBars] = useState("");
  const [testBars, setTestBars] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [localError, setLocalError] = useState<ServerError | null>(null);
  const [result, optimize] = useMutation(Optimize);
  const navigate = useNavigate();
  const errors = fieldErrors(localError ? [localError] : result.error,
    [...specs.map((p) => `grid.${p.name}`), "metric", "trainBars", "testBars", "from", "to"]);

  let combinations: number | null = null;
  try {
    combinations = Object.values(buildGrid(texts, parameters)).reduce((n, values) => n * values.length, 1);
  } catch {
    combinations = null;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let grid: Record<string, number[]>;
    try {
      grid = buildGrid(texts, parameters);
    } catch (error) {
      setLocalError({ message: (error as Error).message, field: "grid" });
      return;
    }
    setLocalError(null);
    const outcome = await optimize({
      input: {
        strategyId, grid, metric, trainBars: optionalInt(trainBars), testBars: optionalInt(testBars),
        from: dayStart(from), to: dayStart(to),
      },
    });
    const id = outcome.data?.optimizeStrategy.id;
    if (id) navigate(`/trading/optimizations/${id}`);
  };

  return (
    <form onSubmit={submit} aria-label="Optimise">
      <p className="muted small">
        Values to try per parameter, separated by commas, or a range <code>start:stop:step</code> (e.g. <code>10:50:10</code>).
        Combinations that break a rule (fast ≥ slow…) are skipped.
      </p>
      <ErrorAlert errors={errors.others} />
      <div className="form-grid">
        {specs.map((p) => (
          <Field key={p.name} label={`Values for ${p.name}`} error={errors.field(`grid.${p.name}`)}>
            <input value={texts[p.name] ?? ""} spellCheck={false} onChange={(e) => setTexts({ ...texts, [p.name]: e.target.value })} />
          </Field>
        ))}
        <Field label="Rank by" error={errors.field("metric")}>
          <select value={metric} onChange={(e) => setMetric(e.target.value as OptimizationMetric)}>
            {Object.entries(METRIC_LABELS).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
        <Field label="Train window (bars)" hint="Empty: three test windows." error={errors.field("trainBars")}>
          <input type="number" min={1} step={1} value={trainBars} onChange={(e) => setTrainBars(e.target.value)} />
        </Field>
        <Field label="Test window (bars)" hint="Empty: a tenth of the bars." error={errors.field("testBars")}>
          <input type="number" min={1} step={1} value={testBars} onChange={(e) => setTestBars(e.target.value)} />
        </Field>
        <Field label="From" hint="Empty: from the first bar." error={errors.field("from")}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To (exclusive)" hint="Empty: to the last bar." error={errors.field("to")}>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
      </div>
      <p className={combinations != null && combinations > MAX_COMBINATIONS ? "field-error" : "muted small"} aria-live="polite">
        {combinations == null ? "Fix the values above." : `${combinations} combination${combinations === 1 ? "" : "s"} (at most ${MAX_COMBINATIONS}).`}
      </p>
      <div className="actions">
        <button type="submit" className="primary" disabled={result.fetching}>{result.fetching ? "Starting…" : "Start optimisation"}</button>
      </div>
    </form>
  );
}
