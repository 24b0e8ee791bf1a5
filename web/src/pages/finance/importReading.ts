// How a bank file is read, as the import wizard shows and corrects it: the server's detected
// reading (ImportMapping) becomes the form's state (Reading), and the form's state becomes the
// CsvMappingInput sent back. Pure functions, so the rules are tested without a page.
import type { AmountSign, CsvMappingInput, ImportColumnRole, ImportFormat } from "../../gql/graphql";

/** The roles a person can give a column, each with its CsvMappingInput field. */
export const ROLES = [
  { role: "DATE", field: "date", label: "Booking date" },
  { role: "VALUE_DATE", field: "valueDate", label: "Value date" },
  { role: "AMOUNT", field: "amount", label: "Amount" },
  { role: "DEBIT", field: "debit", label: "Debit (money out)" },
  { role: "CREDIT", field: "credit", label: "Credit (money in)" },
  { role: "INDICATOR", field: "indicator", label: "Debit/credit mark" },
  { role: "FEE", field: "fee", label: "Fee" },
  { role: "BALANCE", field: "balance", label: "Running balance" },
  { role: "CURRENCY", field: "currency", label: "Currency" },
  { role: "DESCRIPTION", field: "description", label: "Description" },
  { role: "COUNTERPARTY", field: "counterparty", label: "Counterparty" },
  { role: "COUNTERPARTY_IBAN", field: "counterpartyIban", label: "Counterparty IBAN" },
  { role: "REFERENCE", field: "reference", label: "Reference" },
  { role: "STATUS", field: "status", label: "Status (booked, pending…)" },
] as const satisfies readonly { role: ImportColumnRole; field: keyof CsvMappingInput; label: string }[];

export type RoleField = (typeof ROLES)[number]["field"];

/** Roles the server finds by itself but a mapping cannot name: shown, not chosen. */
export const DETECTED_ONLY: Partial<Record<ImportColumnRole, string>> = {
  ACCOUNT: "Account (found)",
  ID: "Transaction id (found)",
};

export const FORMATS: { value: ImportFormat; label: string }[] = [
  { value: "CSV", label: "CSV" },
  { value: "OFX", label: "OFX / QFX / QBO" },
  { value: "QIF", label: "QIF" },
  { value: "MT940", label: "MT940 / MT942" },
  { value: "CAMT052", label: "camt.052" },
  { value: "CAMT053", label: "camt.053" },
  { value: "CAMT054", label: "camt.054" },
];

export const ENCODINGS: [string, string][] = [
  ["utf-8", "UTF-8"], ["utf-16", "UTF-16"], ["cp1252", "Western European (cp1252)"],
  ["cp1250", "Central European (cp1250)"], ["cp1257", "Baltic (cp1257)"], ["latin-1", "Latin-1 (ISO 8859-1)"],
];

export const DELIMITERS: [string, string][] = [
  [",", "Comma ( , )"], [";", "Semicolon ( ; )"], ["\t", "Tab"], ["|", "Vertical bar ( | )"],
];

/** The reading as ImportMapping (the server's) and Account.importMapping write it. */
export interface MappingFields {
  format?: ImportFormat | null;
  encoding?: string | null;
  delimiter?: string | null;
  headerRow?: number | null;
  dateFormat?: string | null;
  decimalComma?: boolean | null;
  amountSign?: AmountSign | null;
  account?: string | null;
  accounts?: readonly string[];
  columns?: readonly { index: number; name: string; role?: ImportColumnRole | null; sample: string }[];
  date?: string | null; valueDate?: string | null; amount?: string | null; debit?: string | null;
  credit?: string | null; indicator?: string | null; fee?: string | null; balance?: string | null;
  currency?: string | null; description?: string | null; counterparty?: string | null;
  counterpartyIban?: string | null; reference?: string | null; status?: string | null;
}

export type DateOrder = "" | "DMY" | "MDY" | "OTHER";

/** The form's state: "" everywhere means "detect it". */
export interface Reading {
  format: ImportFormat | "";
  encoding: string;
  delimiter: string;
  headerRow: string;
  dateOrder: DateOrder;
  /** The strptime format, when dateOrder is OTHER. */
  dateFormat: string;
  decimalComma: "" | "point" | "comma";
  amountSign: "" | AmountSign;
  account: string;
  /** Which column (by name) has each role. */
  columns: Partial<Record<RoleField, string>>;
}

export const DETECT: Reading = {
  format: "", encoding: "", delimiter: "", headerRow: "", dateOrder: "", dateFormat: "",
  decimalComma: "", amountSign: "", account: "", columns: {},
};

const ORDER_FORMAT = /^%([dm])([/.\- ])%([dm])\2%[Yy]$/;

/** Day first or month first, for the formats that only say that; OTHER for the rest. */
export function dateOrderOf(format: string | null | undefined): DateOrder {
  if (!format) return "";
  const match = ORDER_FORMAT.exec(format);
  if (!match || match[1] === match[3]) return "OTHER";
  return match[1] === "d" ? "DMY" : "MDY";
}

/** The strptime format of an order, written as `example` (a date of the file) writes its dates:
 * its separator and its year's digits; `/` and four digits without one. */
export function dateFormatFor(order: "DMY" | "MDY", example?: string | null): string {
  const match = /(?<!\d)(\d{1,2})\s?([/.\- ])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?!\d)/.exec(example ?? "");
  const separator = match?.[2] ?? "/";
  const year = match?.[4]?.length === 2 ? "%y" : "%Y";
  return order === "DMY" ? `%d${separator}%m${separator}${year}` : `%m${separator}%d${separator}${year}`;
}

/** A date such as 05/03/2021 quoted in a message (the server's example of an ambiguous one). */
export function dateExampleIn(message: string): string | null {
  return /(?<!\d)\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2,4}/.exec(message)?.[0] ?? null;
}

/** The accounts a refusal lists ("This file holds 2 accounts (A, B): …"), when the count it
 * states matches the names it lists; else none (the person types the account). */
export function accountsIn(message: string): string[] {
  const match = /(\d+) (?:accounts|times, at different banks) \(([^()]*)\)/.exec(message);
  if (!match) return [];
  const names = match[2].split(", ").map((n) => n.trim()).filter(Boolean);
  return names.length === Number(match[1]) ? names : [];
}

/** The server's reading as the form's state. */
export function readingOf(mapping: MappingFields | null | undefined): Reading {
  if (!mapping) return DETECT;
  const order = dateOrderOf(mapping.dateFormat);
  const columns: Reading["columns"] = {};
  for (const { field } of ROLES) {
    const name = mapping[field];
    if (name) columns[field] = name;
  }
  return {
    format: mapping.format ?? "",
    encoding: mapping.encoding ?? "",
    delimiter: mapping.delimiter ?? "",
    headerRow: mapping.headerRow == null ? "" : String(mapping.headerRow),
    dateOrder: order,
    dateFormat: order === "OTHER" ? mapping.dateFormat ?? "" : "",
    decimalComma: mapping.decimalComma == null ? "" : mapping.decimalComma ? "comma" : "point",
    amountSign: mapping.amountSign ?? "",
    account: mapping.account ?? "",
    columns,
  };
}

/** The form's state as the mapping to send: everything it says, nothing it leaves to detection;
 * null when it says nothing. `dateExample` is a date of the file, so that "day first" is
 * written the way the file writes its dates. */
export function inputOf(reading: Reading, dateExample?: string | null): CsvMappingInput | null {
  const input: CsvMappingInput = {};
  for (const { field } of ROLES) {
    const name = reading.columns[field];
    if (name) input[field] = name;
  }
  if (reading.dateOrder === "DMY" || reading.dateOrder === "MDY") {
    input.dateFormat = dateFormatFor(reading.dateOrder, dateExample);
  } else if (reading.dateOrder === "OTHER" && reading.dateFormat.trim()) {
    input.dateFormat = reading.dateFormat.trim();
  }
  if (reading.decimalComma) input.decimalComma = reading.decimalComma === "comma";
  if (reading.amountSign) input.amountSign = reading.amountSign;
  if (reading.delimiter) input.delimiter = reading.delimiter;
  if (reading.encoding.trim()) input.encoding = reading.encoding.trim();
  if (/^\d+$/.test(reading.headerRow.trim())) input.headerRow = Number(reading.headerRow.trim());
  if (reading.account.trim()) input.account = reading.account.trim();
  return Object.keys(input).length ? input : null;
}

/** The role (field) a column has in the reading, or "" when it is not read by name. */
export function roleOf(reading: Reading, column: string): RoleField | "" {
  return ROLES.find(({ field }) => reading.columns[field] === column)?.field ?? "";
}

/** The reading with `column` given `role` (or none): a role is one column's, and an amount
 * column excludes debit and credit columns (and the other way round). */
export function withRole(reading: Reading, column: string, role: RoleField | ""): Reading {
  const columns = { ...reading.columns };
  for (const { field } of ROLES) if (columns[field] === column) delete columns[field];
  if (role) {
    columns[role] = column;
    if (role === "amount") {
      delete columns.debit;
      delete columns.credit;
    } else if (role === "debit" || role === "credit") {
      delete columns.amount;
    }
  }
  return { ...reading, columns };
}

export function roleLabel(field: string): string {
  return ROLES.find((r) => r.field === field)?.label ?? field;
}

const SIGNS: Record<AmountSign, string> = {
  NORMAL: "Money out is negative",
  INVERTED: "Purchases are positive numbers in this file (money out is positive)",
};

export function signLabel(sign: AmountSign): string {
  return SIGNS[sign];
}

export function dateLabel(format: string): string {
  const order = dateOrderOf(format);
  if (order === "DMY") return `Day first (${format})`;
  if (order === "MDY") return `Month first (${format})`;
  return format;
}

export function delimiterLabel(delimiter: string): string {
  return DELIMITERS.find(([value]) => value === delimiter)?.[1] ?? `“${delimiter}”`;
}

export function formatLabel(format: ImportFormat): string {
  return FORMATS.find((f) => f.value === format)?.label ?? format;
}

/** A reading in words, as pairs of label and value (what is detected is left out). */
export function describeReading(mapping: MappingFields): [string, string][] {
  const lines: [string, string][] = [];
  if (mapping.format) lines.push(["Format", formatLabel(mapping.format)]);
  if (mapping.encoding) lines.push(["Encoding", mapping.encoding]);
  if (mapping.delimiter) lines.push(["Delimiter", delimiterLabel(mapping.delimiter)]);
  if (mapping.headerRow != null) lines.push(["Header", mapping.headerRow ? `line ${mapping.headerRow}` : "none"]);
  if (mapping.dateFormat) lines.push(["Dates", dateLabel(mapping.dateFormat)]);
  if (mapping.decimalComma != null) lines.push(["Decimal mark", mapping.decimalComma ? "comma (1.234,56)" : "point (1,234.56)"]);
  if (mapping.amountSign) lines.push(["Sign", signLabel(mapping.amountSign)]);
  if (mapping.account) lines.push(["Account in the file", mapping.account]);
  for (const { field, label } of ROLES) {
    const name = mapping[field];
    if (name) lines.push([label, name]);
  }
  return lines;
}
