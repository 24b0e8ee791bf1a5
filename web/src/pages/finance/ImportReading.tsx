// How the file was read, as a form to correct it: the format and the conventions (encoding,
// delimiter, header line, date order, decimal mark, sign, account), then each CSV column with a
// sample and the role it was read in. A change of a choice reads the file again at once; a typed
// value (a header line, a date format) when the field is left or Enter is pressed. A refusal is
// shown once, under the control that answers it.
import { DataTable } from "../../components/DataTable";
import { Field } from "../../components/Field";
import type { ImportColumnRole, ImportFormat } from "../../gql/graphql";
import type { FormErrors, ServerError } from "../../lib/errors";
import {
  DELIMITERS, DETECTED_ONLY, ENCODINGS, FORMATS, ROLES, roleOf, withRole,
  type DateOrder, type Reading, type RoleField,
} from "./importReading";

export interface ReadingColumn {
  index: number;
  name: string;
  role?: ImportColumnRole | null;
  sample: string;
}

/** The mapping fields the form answers (each has a control below). */
export const READING_FIELDS = [
  "mapping.encoding", "mapping.delimiter", "mapping.headerRow", "mapping.dateFormat", "mapping.decimalComma",
  "mapping.amountSign", "mapping.account", ...ROLES.map((r) => `mapping.${r.field}`),
];

export function ImportReading({
  reading, onChange, onCommit, columns, csv, accounts, errors, refusal, busy, detected,
}: {
  reading: Reading;
  /** A choice made: `reread` when it should be read again now. */
  onChange: (next: Reading, reread: boolean) => void;
  /** Read again with the reading as it is (a typed value was left, or the form submitted). */
  onCommit: () => void;
  columns: readonly ReadingColumn[];
  csv: boolean;
  /** The accounts of the file to choose from. */
  accounts: readonly string[];
  errors: FormErrors;
  /** The refusal the form answers, if any. */
  refusal: ServerError | null;
  busy: boolean;
  /** What the last reading detected (to show only the conventions that apply). */
  detected: { dateFormat?: string | null; decimalComma?: boolean | null; encoding?: string | null } | null;
}) {
  const asks = (field: string) => refusal?.field === `mapping.${field}`;
  const change = (patch: Partial<Reading>) => onChange({ ...reading, ...patch }, true);
  const edit = (patch: Partial<Reading>) => onChange({ ...reading, ...patch }, false);
  const statement = reading.format === "QIF";
  const showDates = csv || statement || Boolean(detected?.dateFormat) || Boolean(reading.dateOrder) || asks("dateFormat");
  const showDecimal = csv || statement || detected?.decimalComma != null || Boolean(reading.decimalComma) || asks("decimalComma");
  const showEncoding = csv || statement || Boolean(detected?.encoding) || Boolean(reading.encoding) || asks("encoding");
  const showSign = (csv && Boolean(reading.columns.amount)) || Boolean(reading.amountSign) || asks("amountSign");
  const showAccount = accounts.length > 1 || Boolean(reading.account) || asks("account");
  const question = ROLES.find((r) => asks(r.field));
  const encodings = withCurrent(ENCODINGS, reading.encoding);
  const delimiters = withCurrent(DELIMITERS, reading.delimiter, (d) => `“${d}”`);

  return (
    <form
      className="reading" aria-busy={busy || undefined}
      onSubmit={(event) => { event.preventDefault(); onCommit(); }}
    >
      {question ? (
        <div className="question">
          <Field label={`${question.label} column`} error={errors.field(`mapping.${question.field}`)} hint="Which column of the file holds it?">
            <select
              data-answers={`mapping.${question.field}`} value={reading.columns[question.field] ?? ""}
              onChange={(e) => {
                const { [question.field]: _left, ...others } = reading.columns;
                onChange(e.target.value ? withRole(reading, e.target.value, question.field) : { ...reading, columns: others }, Boolean(e.target.value));
              }}
            >
              <option value="">Choose a column…</option>
              {columns.map((c) => <option key={c.index} value={c.name}>{c.name}{c.sample ? ` (${c.sample})` : ""}</option>)}
            </select>
          </Field>
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Format">
          <select value={reading.format} onChange={(e) => change({ format: e.target.value as ImportFormat | "" })}>
            <option value="">Detect from the file</option>
            {FORMATS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
          </select>
        </Field>
        {showEncoding ? (
          <Field label="Encoding" error={errors.field("mapping.encoding")}>
            <select data-answers="mapping.encoding" value={reading.encoding} onChange={(e) => change({ encoding: e.target.value })}>
              <option value="">Detect</option>
              {encodings.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
            </select>
          </Field>
        ) : null}
        {csv ? (
          <>
            <Field label="Delimiter" error={errors.field("mapping.delimiter")}>
              <select data-answers="mapping.delimiter" value={reading.delimiter} onChange={(e) => change({ delimiter: e.target.value })}>
                <option value="">Detect</option>
                {delimiters.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
              </select>
            </Field>
            <Field label="Header line" hint="Its line number; 0 when the file has none." error={errors.field("mapping.headerRow")}>
              <input
                data-answers="mapping.headerRow" type="number" min={0} inputMode="numeric" placeholder="Detect"
                value={reading.headerRow} onChange={(e) => edit({ headerRow: e.target.value })} onBlur={onCommit}
              />
            </Field>
          </>
        ) : null}
        {showDates ? (
          <Field label="Dates" error={errors.field("mapping.dateFormat")}>
            <select
              data-answers="mapping.dateFormat" value={reading.dateOrder}
              onChange={(e) => {
                const dateOrder = e.target.value as DateOrder;
                // Another format is typed first, then read when the field is left.
                onChange({ ...reading, dateOrder }, dateOrder !== "OTHER" || Boolean(reading.dateFormat.trim()));
              }}
            >
              <option value="">Detect</option>
              <option value="DMY">Day first (31/12/2024)</option>
              <option value="MDY">Month first (12/31/2024)</option>
              <option value="OTHER">Another format…</option>
            </select>
          </Field>
        ) : null}
        {showDates && reading.dateOrder === "OTHER" ? (
          <Field label="Date format" hint="As strptime writes it, e.g. %d.%m.%Y or %Y%m%d.">
            <input value={reading.dateFormat} onChange={(e) => edit({ dateFormat: e.target.value })} onBlur={onCommit} spellCheck={false} />
          </Field>
        ) : null}
        {showDecimal ? (
          <Field label="Decimal mark" error={errors.field("mapping.decimalComma")}>
            <select
              data-answers="mapping.decimalComma" value={reading.decimalComma}
              onChange={(e) => change({ decimalComma: e.target.value as Reading["decimalComma"] })}
            >
              <option value="">Detect</option>
              <option value="point">Point: 1,234.56</option>
              <option value="comma">Comma: 1.234,56</option>
            </select>
          </Field>
        ) : null}
        {showSign ? (
          <Field label="Sign of the amounts" error={errors.field("mapping.amountSign")}>
            <select
              data-answers="mapping.amountSign" value={reading.amountSign}
              onChange={(e) => change({ amountSign: e.target.value as Reading["amountSign"] })}
            >
              <option value="">Detect</option>
              <option value="NORMAL">Money out is negative (−12.50)</option>
              <option value="INVERTED">Purchases are positive numbers in this file</option>
            </select>
          </Field>
        ) : null}
        {showAccount ? (
          <Field label="Account in the file" error={errors.field("mapping.account")} hint={accounts.length > 1 ? "The file holds several: which one is this account?" : "As the file writes it (an IBAN, a number or a name)."}>
            {accounts.length ? (
              <select data-answers="mapping.account" value={reading.account} onChange={(e) => change({ account: e.target.value })}>
                <option value="">Choose an account…</option>
                {withCurrent(accounts.map((a) => [a, a] as [string, string]), reading.account).map(([value, label]) => (
                  <option key={value} value={value}>{label}</option>
                ))}
              </select>
            ) : (
              <input data-answers="mapping.account" value={reading.account} onChange={(e) => edit({ account: e.target.value })} onBlur={onCommit} />
            )}
          </Field>
        ) : null}
      </div>
      {csv && columns.length ? (
        <>
          <DataTable
            caption="Columns of the file" showCaption rows={columns} rowKey={(c) => String(c.index)}
            className="columns-table"
            columns={[
              { header: "Column", card: "title", cell: (c) => c.name },
              { header: "Sample", cell: (c) => (c.sample ? <code className="sample">{c.sample}</code> : <span className="muted">—</span>) },
              { header: "Read as", cell: (c) => <RoleSelect column={c} reading={reading} onChange={onChange} /> },
            ]}
          />
          <p className="muted small">A column set to “Not read” is found again by its name unless another column takes its role.</p>
        </>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={busy}>Read again</button>
      </div>
    </form>
  );
}

function RoleSelect({ column, reading, onChange }: {
  column: ReadingColumn; reading: Reading; onChange: (next: Reading, reread: boolean) => void;
}) {
  const role = roleOf(reading, column.name);
  const found = !role && column.role ? DETECTED_ONLY[column.role] : undefined;
  return (
    <select
      aria-label={`Role of column ${column.name}`} value={role || (found ? "found" : "")}
      onChange={(e) => {
        if (e.target.value === "found") return;
        onChange(withRole(reading, column.name, e.target.value as RoleField | ""), true);
      }}
    >
      <option value="">Not read</option>
      {found ? <option value="found">{found}</option> : null}
      {ROLES.map((r) => <option key={r.field} value={r.field}>{r.label}</option>)}
    </select>
  );
}

/** The choices, with the current value added when it is none of them (a detected cp1257, a
 * colon as the delimiter). */
function withCurrent(choices: readonly [string, string][], current: string, label: (v: string) => string = (v) => v): [string, string][] {
  if (!current || choices.some(([value]) => value === current)) return [...choices];
  return [...choices, [current, label(current)]];
}
