// Formatting in the browser's locale. Amounts arrive as exact decimal strings and are summed
// exactly (BigInt in the smallest unit), never as floats.

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, compact = false): Intl.NumberFormat {
  const key = `${currency}|${compact}`;
  let format = moneyFormats.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(undefined, {
        style: "currency",
        currency,
        ...(compact ? { notation: "compact", maximumFractionDigits: 1 } : {}),
      });
    } catch {
      // Not an ISO 4217 code Intl knows: show the number and the code.
      format = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/** "1234.50" EUR → "€1,234.50" (in the user's locale). */
export function formatMoney(amount: string | number, currency: string): string {
  const format = moneyFormat(currency);
  const text = format.format(Number(amount));
  return format.resolvedOptions().style === "currency" ? text : `${text} ${currency}`;
}

/** For chart axes: "€12K". */
export function compactMoney(amount: number, currency: string): string {
  return moneyFormat(currency, true).format(amount);
}

function scaled(value: string, scale: number): bigint {
  const match = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${value}`);
  const [, sign, whole = "", fraction = ""] = match;
  const digits = BigInt((whole || "0") + fraction.padEnd(scale, "0").slice(0, scale));
  return sign === "-" ? -digits : digits;
}

/** Exact sum of decimal strings. */
export function sumDecimals(values: readonly string[]): string {
  const scale = Math.max(0, ...values.map((v) => (v.split(".")[1] ?? "").length));
  const total = values.reduce((acc, v) => acc + scaled(v, scale), 0n);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

export function decimalSign(value: string): -1 | 0 | 1 {
  const n = Number(value);
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A calendar date ("2025-03-01") shown without a time-zone shift. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const [y, m, d] = value.slice(0, 10).split("-").map(Number);
  return dateFormat.format(new Date(y, m - 1, d));
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "—";
  return dateTimeFormat.format(new Date(value));
}

export function formatBytes(bytes: number | string): string {
  let value = Number(bytes);
  const units = ["B", "KB", "MB", "GB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Today as YYYY-MM-DD in local time. */
export function isoDate(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
