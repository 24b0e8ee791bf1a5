// Create or edit a strategy, in a dialog. The parameter fields come from `strategyKinds` (names, bounds,
// defaults, descriptions), so a kind added on the server needs no change here.
import { useId, useState } from "react";
import { EditDialog } from "../../components/EditDialog";
import { Field } from "../../components/Field";
import type {
  CreateStrategyInput, StrategyKind, Timeframe, TradingStrategyFieldsFragment, TradingStrategyKindsQuery,
} from "../../gql/graphql";
import { fieldErrors, type ErrorSource } from "../../lib/errors";
import { kindLabel, num, TIMEFRAME_LABELS, TIMEFRAMES } from "./util";

export type KindInfo = TradingStrategyKindsQuery["strategyKinds"][number];
type Spec = KindInfo["parameters"][number];

export interface StrategyFormState {
  name: string;
  kind: StrategyKind;
  symbol: string;
  timeframe: Timeframe;
  params: Record<string, string>;
  positionSizePct: string;
  stopLossPct: string;
  takeProfitPct: string;
  feeBps: string;
  slippageBps: string;
  allowShort: boolean;
}

const text = (v: number | null | undefined) => (v == null ? "" : String(Number(v.toPrecision(12))));

export function defaultParams(info: KindInfo | undefined, given?: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries((info?.parameters ?? []).map((p) => [p.name, text(Number(given?.[p.name] ?? p.default))]));
}

export function initialState(kinds: KindInfo[], strategy?: TradingStrategyFieldsFragment | null, symbol = ""): StrategyFormState {
  const kind = strategy?.kind ?? kinds[0]?.kind ?? "SMA_CROSSOVER";
  const info = kinds.find((k) => k.kind === kind);
  const risk = strategy?.risk;
  return {
    name: strategy?.name ?? "",
    kind,
    symbol: strategy?.symbol ?? symbol,
    timeframe: strategy?.timeframe ?? "D1",
    params: defaultParams(info, strategy?.parameters as Record<string, unknown> | undefined),
    // Shown in percent: "50" reads better than the stored fraction 0.5.
    positionSizePct: text((risk?.positionSize ?? 1) * 100),
    stopLossPct: text(risk?.stopLossPct),
    takeProfitPct: text(risk?.takeProfitPct),
    feeBps: text(risk?.feeBps ?? 0),
    slippageBps: text(risk?.slippageBps ?? 0),
    allowShort: risk?.allowShort ?? false,
  };
}

const optional = (v: string) => (v.trim() === "" ? null : Number(v));

/** The form as the API takes it (create and update take the same fields). */
export function toStrategyInput(state: StrategyFormState): CreateStrategyInput {
  return {
    name: state.name.trim(),
    kind: state.kind,
    symbol: state.symbol.trim(),
    timeframe: state.timeframe,
    parameters: Object.fromEntries(Object.entries(state.params).map(([k, v]) => [k, Number(v)])),
    risk: {
      positionSize: Number(state.positionSizePct) / 100,
      stopLossPct: optional(state.stopLossPct),
      takeProfitPct: optional(state.takeProfitPct),
      feeBps: optional(state.feeBps) ?? 0,
      slippageBps: optional(state.slippageBps) ?? 0,
      allowShort: state.allowShort,
    },
  };
}

// The inputs besides the kind's parameters, named as the server names them.
const FIELDS = [
  "name", "kind", "symbol", "timeframe", "risk.positionSize", "risk.stopLossPct", "risk.takeProfitPct",
  "risk.feeBps", "risk.slippageBps",
];

function bounds(spec: Spec): string {
  const range = `${num(spec.minimum)}–${num(spec.maximum)}${spec.exclusive ? " (exclusive)" : ""}`;
  return `${spec.description}. ${spec.integer ? "Whole number, " : ""}${range}; default ${num(spec.default)}.`;
}

/** The strategy form in a dialog; the page runs the mutation (create or update) on submit. */
export function StrategyDialog({ title, kinds, strategy, symbols = [], busy, errors, submitLabel, onSubmit, onClose }: {
  title: string;
  kinds: KindInfo[];
  strategy?: TradingStrategyFieldsFragment | null;
  /** Stored symbols, offered as suggestions. */
  symbols?: string[];
  busy?: boolean;
  /** The refused save's errors: each under its input, the rest above the form. */
  errors: ErrorSource;
  submitLabel: string;
  onSubmit: (input: CreateStrategyInput) => void | Promise<unknown>;
  onClose: () => void;
}) {
  const [state, setState] = useState(() => initialState(kinds, strategy, symbols[0]));
  const set = <K extends keyof StrategyFormState>(key: K, value: StrategyFormState[K]) =>
    setState((s) => ({ ...s, [key]: value }));
  const info = kinds.find((k) => k.kind === state.kind);
  const listId = useId();

  const changeKind = (kind: StrategyKind) => {
    const next = kinds.find((k) => k.kind === kind);
    // Back to the strategy's own kind: its own values; another kind: that kind's defaults.
    const given = kind === strategy?.kind ? (strategy.parameters as Record<string, unknown>) : undefined;
    setState((s) => ({ ...s, kind, params: defaultParams(next, given) }));
  };

  const shown = fieldErrors(errors, [...FIELDS, ...(info?.parameters ?? []).map((p) => `params.${p.name}`)]);
  const err = shown.field;
  return (
    <EditDialog
      title={title} submitLabel={submitLabel} busy={busy} errors={shown.others} className="trading-strategy-form"
      onSubmit={() => onSubmit(toStrategyInput(state))} onClose={onClose}
    >
      <div className="form-grid">
        <Field label="Name" error={err("name")}>
          <input required value={state.name} onChange={(e) => set("name", e.target.value)} />
        </Field>
        <Field label="Kind" error={err("kind")}>
          <select value={state.kind} onChange={(e) => changeKind(e.target.value as StrategyKind)}>
            {kinds.map((k) => <option key={k.kind} value={k.kind}>{kindLabel(k.kind)}</option>)}
          </select>
        </Field>
        <Field label="Symbol" hint="As imported in Market data, e.g. ORCL" error={err("symbol")}>
          <input required list={listId} value={state.symbol} autoCapitalize="characters" spellCheck={false}
                 onChange={(e) => set("symbol", e.target.value)} />
        </Field>
        <Field label="Timeframe" error={err("timeframe")}>
          <select value={state.timeframe} onChange={(e) => set("timeframe", e.target.value as Timeframe)}>
            {TIMEFRAMES.map((t) => <option key={t} value={t}>{TIMEFRAME_LABELS[t]}</option>)}
          </select>
        </Field>
      </div>
      <datalist id={listId}>{symbols.map((s) => <option key={s} value={s} />)}</datalist>

      <fieldset>
        <legend>Parameters</legend>
        <div className="form-grid">
          {info?.parameters.map((spec) => (
            <Field key={`${state.kind}-${spec.name}`} label={spec.name} hint={bounds(spec)} error={err(`params.${spec.name}`)}>
              <input
                type="number" required inputMode={spec.integer ? "numeric" : "decimal"}
                step={spec.integer ? 1 : "any"}
                min={spec.exclusive ? undefined : spec.minimum} max={spec.exclusive ? undefined : spec.maximum}
                value={state.params[spec.name] ?? ""}
                onChange={(e) => set("params", { ...state.params, [spec.name]: e.target.value })}
              />
            </Field>
          ))}
        </div>
      </fieldset>

      <fieldset>
        <legend>Risk</legend>
        <div className="form-grid">
          <Field label="Position size (% of equity)" hint="Share of the account each position uses." error={err("risk.positionSize")}>
            <input type="number" required min={0} max={100} step="any" value={state.positionSizePct}
                   onChange={(e) => set("positionSizePct", e.target.value)} />
          </Field>
          <Field label="Stop loss (%)" hint="Empty: none." error={err("risk.stopLossPct")}>
            <input type="number" min={0} step="any" value={state.stopLossPct} onChange={(e) => set("stopLossPct", e.target.value)} />
          </Field>
          <Field label="Take profit (%)" hint="Empty: none." error={err("risk.takeProfitPct")}>
            <input type="number" min={0} step="any" value={state.takeProfitPct} onChange={(e) => set("takeProfitPct", e.target.value)} />
          </Field>
          <Field label="Fees (basis points)" hint="Per fill; 10 bps = 0.1%." error={err("risk.feeBps")}>
            <input type="number" min={0} step="any" value={state.feeBps} onChange={(e) => set("feeBps", e.target.value)} />
          </Field>
          <Field label="Slippage (basis points)" error={err("risk.slippageBps")}>
            <input type="number" min={0} step="any" value={state.slippageBps} onChange={(e) => set("slippageBps", e.target.value)} />
          </Field>
        </div>
        <label className="row">
          <input type="checkbox" checked={state.allowShort} onChange={(e) => set("allowShort", e.target.checked)} />
          Allow short positions (otherwise long only)
        </label>
      </fieldset>
    </EditDialog>
  );
}
