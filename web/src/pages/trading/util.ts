// Small pure helpers of the trading pages: number formats and form parsing.
import type { TradingStrategyKindsQuery } from "../../gql/graphql";

export const TIMEFRAMES = ["M1", "M5", "M15", "M30", "H1", "H4", "D1", "W1"] as const;
export type TimeframeName = (typeof TIMEFRAMES)[number];

export const TIMEFRAME_LABELS: Record<string, string> = {
  M1: "1 minute", M5: "5 minutes", M15: "15 minutes", M30: "30 minutes",
  H1: "1 hour", H4: "4 hours", D1: "Daily", W1: "Weekly",
};

export const KIND_LABELS: Record<string, string> = {
  SMA_CROSSOVER: "SMA crossover",
  EMA_CROSSOVER: "EMA crossover",
  RSI_REVERSION: "RSI mean reversion",
  DONCHIAN_BREAKOUT: "Donchian breakout",
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

/** The timeframes a stored series can be shown in: itself and the larger ones (rolled up by the store). */
export function timeframesFrom(stored: string): string[] {
  const index = TIMEFRAMES.indexOf(stored as TimeframeName);
  return index < 0 ? [stored] : TIMEFRAMES.slice(index);
}

const number2 = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const plain = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 });

/** 0.253 → "+25.3%"; null (undefined by the metric, e.g. no trades) → "—". */
export function pct(fraction: number | null | undefined, signed = true, digits = 1): string {
  if (fraction == null || !Number.isFinite(fraction)) return "—";
  const text = `${(fraction * 100).toFixed(digits)}%`;
  return signed && fraction > 0 ? `+${text}` : text;
}

export function ratio(value: number | null | undefined): string {
  // Rounds to zero without a sign ("-0.00" reads as a bug).
  return value == null || !Number.isFinite(value) ? "—" : number2.format(Math.abs(value) < 0.005 ? 0 : value);
}

/** Prices and amounts (the trading domain has no currency): two decimals, grouped. */
export function amount(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : number2.format(value);
}

export function num(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? "—" : plain.format(value);
}

/** {"fast": 20, "slow": 50} → "fast 20 · slow 50". */
export function paramsText(parameters: unknown): string {
  if (!parameters || typeof parameters !== "object") return "—";
  return Object.entries(parameters as Record<string, unknown>).map(([k, v]) => `${k} ${v}`).join(" · ") || "—";
}

/** A date input's "YYYY-MM-DD" as the start of that UTC day; empty → null (the whole range). */
export function dayStart(value: string): string | null {
  return value ? `${value}T00:00:00Z` : null;
}

/** Epoch seconds (UTC) from an ISO date-time. */
export function epoch(value: string): number {
  return Math.floor(new Date(value).getTime() / 1000);
}

/**
 * Values to try for one parameter: "10, 20, 30" or a range "10:50:10" (start:stop:step,
 * both ends included). Throws with a message for the form when the text is not that.
 */
export function parseGridValues(text: string): number[] {
  const values: number[] = [];
  for (const part of text.split(/[,;\s]+/).filter(Boolean)) {
    const range = /^(-?[\d.]+):(-?[\d.]+):([\d.]+)$/.exec(part);
    if (range) {
      const [start, stop, step] = range.slice(1).map(Number);
      if (!(step > 0) || stop < start) throw new Error(`"${part}" is not a range start:stop:step`);
      if ((stop - start) / step > 500) throw new Error(`"${part}" has too many values`);
      // Rounded to the step's decimals so 0.1 steps do not drift (0.30000000000000004).
      const decimals = (String(step).split(".")[1] ?? "").length;
      for (let v = start; v <= stop + step / 1e9; v += step) values.push(Number(v.toFixed(decimals)));
      continue;
    }
    const value = Number(part);
    if (!Number.isFinite(value)) throw new Error(`"${part}" is not a number`);
    values.push(value);
  }
  return [...new Set(values)];
}

/** A parameter's bounds as strategyKinds gives them (`exclusive`: the bounds themselves are not allowed). */
export type ParameterBounds = Pick<TradingStrategyKindsQuery["strategyKinds"][number]["parameters"][number],
  "integer" | "minimum" | "maximum" | "exclusive">;

/** Suggested values around the current one (half, as is, one and a half times), kept inside
 * the parameter's bounds so the suggestion itself is always accepted. */
export function suggestGrid(current: number, bounds: ParameterBounds): string {
  const { integer, minimum, maximum, exclusive } = bounds;
  const inset = exclusive ? (integer ? 1 : (maximum - minimum) / 1000) : 0;
  const low = integer ? Math.ceil(minimum + inset) : minimum + inset;
  const high = integer ? Math.floor(maximum - inset) : maximum - inset;
  const round = (v: number) => (integer ? Math.round(v) : Number(v.toPrecision(3)));
  const fit = (v: number) => Math.min(high, Math.max(low, round(v)));
  return [...new Set([fit(current * 0.5), fit(current), fit(current * 1.5)])].join(", ");
}

/** Running drawdown of an equity curve as negative fractions of the peak so far. */
export function drawdowns(values: readonly number[]): number[] {
  let peak = -Infinity;
  return values.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? v / peak - 1 : 0;
  });
}

/** A file name like "orcl-1995-2014.csv" suggests the symbol "ORCL". */
export function symbolFromFileName(name: string): string {
  const match = /^([A-Za-z][A-Za-z0-9.^=_-]*?)(?:[-_ ]\d.*)?\.(csv|txt)$/i.exec(name);
  return match ? match[1].toUpperCase() : "";
}

/** An optimisation score in its metric's unit: ratios as numbers, the rest as percentages. */
export function formatScore(metric: string, value: number | null | undefined): string {
  return ["SHARPE", "SORTINO", "PROFIT_FACTOR"].includes(metric) ? ratio(value) : pct(value, metric !== "WIN_RATE");
}
