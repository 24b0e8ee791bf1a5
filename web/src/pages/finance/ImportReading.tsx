// How the file was read, as a form to correct it: the format and the conventions (encoding,
// delimiter, header line, date order, decimal mark, sign, account), then each CSV column with a
// sample and the role it was read in. A change of a choice reads the file again at once; a typed
// value (a header line, a date format) when the field is left or Enter is pressed. A refusal is
// a question at the top: the server's message, once, under the one control that answers it.
import { Fragment, type ReactNode } from "react";
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

type Control = { field: string; show: boolean; render: () => ReactNode };

export function ImportReading({
  reading, onChange, onCommit, columns, csv, accounts, errors, refusal, busy, detected,
}: {
  reading: Reading;
  /** A choice made: `reread` when it should be read again now. */
  onChange: (next: Reading, reread: boolean) => void;
  /** Read again with the reading as it is: when the form is submitted (`force`), or when a
   * typed value is left (then only if the reading changed). */
  onCommit: (force: boolean) => void;
  columns: readonly ReadingColumn[];
  csv: boolean;
  /** The accounts of the file to choose from. */
  accounts: readonly string[];
  errors: FormErrors;
  /** The refusal the form answers, if any. */
  refusal: ServerError | null;
  busy: boolean;
  /** What the last reading found; null when the file has not been read yet (refused at once). */
  detected: { dateFormat?: string | null; decimalComma?: boolean | null; encoding?: string | null } | null;
}) {
  const asked = refusal?.field ?? "";
  const change = (patch: Partial<Reading>) => onChange({ ...reading, ...patch }, true);
  const edit = (patch: Partial<Reading>) => onChange({ ...reading, ...patch }, false);
  const qif = reading.format === "QIF";
  const role = ROLES.find((r) => asked === `mapping.${r.field}`);

  const controls: Control[] = [
    {
      field: "mapping.encoding",
      show: csv || qif || Boolean(detected?.encoding) || Boolean(reading.encoding),
      render: () => (
        <Field label="Encoding" error={errors.field("mapping.encoding")}>
          <select data-answers="mapping.encoding" value={reading.encoding} onChange={(e) => change({ encoding: e.target.value })}>
            <option value="">Detect</option>
            {withCurrent(ENCODINGS, reading.encoding).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
      ),
    },
    {
      field: "mapping.delimiter",
      show: csv,
      render: () => (
        <Field label="Delimiter" error={errors.field("mapping.delimiter")}>
          <select data-answers="mapping.delimiter" value={reading.delimiter} onChange={(e) => change({ delimiter: e.target.value })}>
            <option value="">Detect</option>
            {withCurrent(DELIMITERS, reading.delimiter, (d) => `“${d}”`).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </Field>
      ),
    },
    {
      field: "mapping.headerRow",
      show: csv,
      render: () => (
        <Field label="Header line" hint="Its line number; 0 when the file has none." error={errors.field("mapping.headerRow")}>
          <input
            data-answers="mapping.headerRow" type="number" min={0} inputMode="numeric" placeholder="Detect"
            value={reading.headerRow} onChange={(e) => edit({ headerRow: e.target.value })} onBlur={() => onCommit(false)}
          />
        </Field>
      ),
    },
    {
      field: "mapping.dateFormat",
      show: csv || qif || Boolean(detected?.dateFormat) || Boolean(reading.dateOrder),
      render: () => (
        <>
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
          {reading.dateOrder === "OTHER" ? (
            <Field label="Date format" hint="As strptime writes it, e.g. %d.%m.%Y or %Y%m%d.">
              <input value={reading.dateFormat} onChange={(e) => edit({ dateFormat: e.target.value })} onBlur={() => onCommit(false)} spellCheck={false} />
            </Field>
          ) : null}
        </>
      ),
    },
    {
      field: "mapping.decimalComma",
      show: csv || qif || detected?.decimalComma != null || Boolean(reading.decimalComma),
      render: () => (
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
      ),
    },
    {
      field: "mapping.amountSign",
      show: (csv && Boolean(reading.columns.amount)) || Boolean(reading.amountSign),
      render: () => (
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
      ),
    },
    {
      field: "mapping.account",
      show: accounts.length > 1 || Boolean(reading.account),
      render: () => (
        <Field
          label="Account in the file" error={errors.field("mapping.account")}
          hint={accounts.length > 1 ? "The file holds several: which one is this account?" : "As the file writes it (an IBAN, a number or a name)."}
        >
          {accounts.length ? (
            <select data-answers="mapping.account" value={reading.account} onChange={(e) => change({ account: e.target.value })}>
              <option value="">Choose an account…</option>
              {withCurrent(accounts.map((a) => [a, a] as [string, string]), reading.account).map(([value, label]) => (
                <option key={value} value={value}>{label}</option>
              ))}
            </select>
          ) : (
            <input data-answers="mapping.account" value={reading.account} onChange={(e) => edit({ account: e.target.value })} onBlur={() => onCommit(false)} />
          )}
        </Field>
      ),
    },
  ];
  // The control a refusal asks for leads the form; the others follow in the grid.
  const question = controls.find((c) => c.field === asked);

  return (
    <form className="reading" aria-busy={busy || undefined} onSubmit={(event) => { event.preventDefault(); onCommit(true); }}>
      {question || role ? (
        <div className="question">
          {question ? question.render() : role ? (
            <Field label={`${role.label} column`} error={errors.field(`mapping.${role.field}`)} hint="Which column of the file holds it?">
              <select
                data-answers={`mapping.${role.field}`} value={reading.columns[role.field] ?? ""}
                onChange={(e) => {
                  const { [role.field]: _dropped, ...others } = reading.columns;
                  onChange(e.target.value ? withRole(reading, e.target.value, role.field) : { ...reading, columns: others }, Boolean(e.target.value));
                }}
              >
                <option value="">Choose a column…</option>
                {columns.map((c) => <option key={c.index} value={c.name}>{c.name}{c.sample ? ` (${c.sample})` : ""}</option>)}
              </select>
            </Field>
          ) : null}
        </div>
      ) : null}
      <div className="form-grid">
        <Field label="Format">
          <select value={reading.format} onChange={(e) => change({ format: e.target.value as ImportFormat | "" })}>
            <option value="">Detect from the file</option>
            {FORMATS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
          </select>
        </Field>
        {controls.filter((c) => c.show && c !== question).map((c) => <Fragment key={c.field}>{c.render()}</Fragment>)}
      </div>
      {csv && columns.length ? (
        detected ? (
          <ColumnRoles columns={columns} reading={reading} onChange={onChange} unread="Not read" />
        ) : (
          // Refused before anything was read: the columns are there to name, not yet read.
          <details className="columns-details">
            <summary>All {columns.length} columns of the file</summary>
            <ColumnRoles columns={columns} reading={reading} onChange={onChange} unread="Detect" />
          </details>
        )
      ) : null}
      <div className="actions">
        <button type="submit" disabled={busy}>Read again</button>
      </div>
    </form>
  );
}

function ColumnRoles({ columns, reading, onChange, unread }: {
  columns: readonly ReadingColumn[]; reading: Reading; onChange: (next: Reading, reread: boolean) => void;
  /** The words of the "" choice: "Not read" once the file was read, "Detect" before. */
  unread: string;
}) {
  return (
    <>
      <DataTable
        caption="Columns of the file" showCaption rows={columns} rowKey={(c) => String(c.index)}
        className="columns-table"
        columns={[
          { header: "Column", card: "title", cell: (c) => c.name },
          { header: "Sample", cell: (c) => (c.sample ? <code className="sample">{c.sample}</code> : <span className="muted">—</span>) },
          { header: "Read as", cell: (c) => <RoleSelect column={c} reading={reading} onChange={onChange} unread={unread} /> },
        ]}
      />
      <p className="muted small">A column set to “{unread}” is found by its name and values unless another column takes its role.</p>
    </>
  );
}

function RoleSelect({ column, reading, onChange, unread }: {
  column: ReadingColumn; reading: Reading; onChange: (next: Reading, reread: boolean) => void; unread: string;
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
      <option value="">{unread}</option>
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
