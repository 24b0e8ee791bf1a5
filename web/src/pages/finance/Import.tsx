// The import wizard: choose an account, a file and its format (and for CSV, optionally, which
// column is which); a dry run previews what would happen; committing writes it, all or nothing.
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { Alert, ErrorAlert } from "../../components/Alert";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { FileDrop } from "../../components/FileDrop";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { ProgressBar } from "../../components/ProgressBar";
import { graphql } from "../../gql";
import type { CsvMappingInput, FinanceImportTransactionsMutation, ImportFormat } from "../../gql/graphql";
import { fieldErrors, serverErrors, type FormErrors, type ServerError } from "../../lib/errors";
import { formatBytes, formatDate } from "../../lib/format";
import { uploadMutation } from "../../lib/upload";
import { useAccounts } from "./common";

export const ImportTransactions = graphql(`
  mutation FinanceImportTransactions($accountId: ID!, $file: Upload!, $format: ImportFormat!, $mapping: CsvMappingInput, $dryRun: Boolean!) {
    importTransactions(accountId: $accountId, file: $file, format: $format, mapping: $mapping, dryRun: $dryRun) {
      rows inserted duplicates rejected stored dryRun categorisedByRules
      errors { row message }
      preview { row bookingDate amount description counterpartyName }
    }
  }
`);

type Report = FinanceImportTransactionsMutation["importTransactions"];

const FORMATS: { value: ImportFormat; label: string; accept: string }[] = [
  { value: "CSV", label: "CSV", accept: ".csv,.txt,text/csv" },
  { value: "OFX", label: "OFX / QFX", accept: ".ofx,.qfx" },
  { value: "CAMT053", label: "camt.053 (ISO 20022 XML)", accept: ".xml" },
];

/** The CSV columns a user may name; empty ones are left to the server's detection. */
export const MAPPING_COLUMNS = [
  ["date", "Booking date column"], ["amount", "Amount column"], ["debit", "Debit column"], ["credit", "Credit column"],
  ["description", "Description column"], ["counterparty", "Counterparty column"], ["counterpartyIban", "Counterparty IBAN column"],
  ["reference", "Reference column"], ["valueDate", "Value date column"], ["currency", "Currency column"],
] as const;

export interface MappingState {
  columns: Partial<Record<(typeof MAPPING_COLUMNS)[number][0], string>>;
  dateFormat: string;
  decimalComma: "" | "yes" | "no";
  delimiter: string;
}

export const EMPTY_MAPPING: MappingState = { columns: {}, dateFormat: "", decimalComma: "", delimiter: "" };

/** The mapping input, or null when the user named nothing (the server detects the layout). */
export function mappingInput(state: MappingState): CsvMappingInput | null {
  const input: CsvMappingInput = {};
  for (const [key] of MAPPING_COLUMNS) {
    const value = state.columns[key]?.trim();
    if (value) input[key] = value;
  }
  if (state.dateFormat.trim()) input.dateFormat = state.dateFormat.trim();
  if (state.decimalComma) input.decimalComma = state.decimalComma === "yes";
  // A tab cannot be typed into a text field: "\t" stands for it.
  if (state.delimiter) input.delimiter = state.delimiter === "\\t" ? "\t" : state.delimiter;
  return Object.keys(input).length ? input : null;
}

const CHOOSE_FIELDS = ["accountId", "format"];
const MAPPING_FIELDS = [...MAPPING_COLUMNS.map(([key]) => `mapping.${key}`), "mapping.dateFormat", "mapping.decimalComma", "mapping.delimiter"];

type Step = "choose" | "preview" | "done";

export default function Import() {
  const [params] = useSearchParams();
  const { accounts, loaded, error: accountsError } = useAccounts();
  const active = accounts.filter((a) => !a.archived);
  const [accountId, setAccountId] = useState(params.get("account") ?? "");
  const [format, setFormat] = useState<ImportFormat>("CSV");
  const [file, setFile] = useState<File | null>(null);
  const [mapping, setMapping] = useState<MappingState>(EMPTY_MAPPING);
  const [mappingOpen, setMappingOpen] = useState(false);
  const [step, setStep] = useState<Step>("choose");
  const [progress, setProgress] = useState<number | null>(null);
  const [errors, setErrors] = useState<ServerError[]>([]);
  const [preview, setPreview] = useState<Report | null>(null);
  const [final, setFinal] = useState<Report | null>(null);

  // Only an active account of this user is taken from a link (?account=); with one, it is the one.
  useEffect(() => {
    if (!loaded) return;
    if (accountId && !active.some((a) => a.id === accountId)) setAccountId("");
    else if (!accountId && active.length === 1) setAccountId(active[0].id);
  }, [accountId, active, loaded]);

  const account = active.find((a) => a.id === accountId);
  const busy = progress !== null;
  // Errors go under the inputs while they are on screen (the first step), else above.
  const shown = fieldErrors(errors, step === "choose" ? [...CHOOSE_FIELDS, ...(format === "CSV" ? MAPPING_FIELDS : [])] : []);

  const send = async (dryRun: boolean): Promise<Report | null> => {
    if (!file || !accountId) return null;
    setErrors([]);
    setProgress(0);
    try {
      const result = await uploadMutation(
        ImportTransactions,
        { accountId, format, mapping: format === "CSV" ? mappingInput(mapping) : null, dryRun },
        { file },
        setProgress,
      );
      if (result.errors.length) {
        setErrors(result.errors);
        // The server could not tell which column is which: show the mapping form.
        if (result.errors.some((e) => e.field?.startsWith("mapping"))) setMappingOpen(true);
        return null;
      }
      return result.data?.importTransactions ?? null;
    } catch (error) {
      setErrors([{ message: (error as Error).message }]);
      return null;
    } finally {
      setProgress(null);
    }
  };

  const runPreview = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setErrors([{ message: "Choose a file to import." }]);
      return;
    }
    const report = await send(true);
    if (report) {
      setPreview(report);
      setStep("preview");
    }
  };

  const commit = async () => {
    const report = await send(false);
    if (report) {
      setFinal(report);
      setStep("done");
    }
  };

  const restart = () => {
    setStep("choose");
    setFile(null);
    setPreview(null);
    setFinal(null);
    setErrors([]);
  };

  if (loaded && !active.length) {
    return (
      <>
        <PageHeader title="Import transactions" />
        <EmptyState title="There is no account to import into.">
          <p><Link to="/finance/accounts">Create an account</Link> first (a name and a currency are enough).</p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Import transactions" description="A CSV, OFX or camt.053 statement from your bank. Rows already imported are skipped." />
      <ol className="steps" aria-label="Import steps">
        <li aria-current={step === "choose" ? "step" : undefined}>1. Choose a file</li>
        <li aria-current={step === "preview" ? "step" : undefined}>2. Check the preview</li>
        <li aria-current={step === "done" ? "step" : undefined}>3. Done</li>
      </ol>
      <ErrorAlert errors={[...serverErrors(accountsError), ...shown.others]} />
      {busy ? (
        <div className="card">
          <ProgressBar value={progress ?? 0} label="Uploading the statement" />
          <p className="muted small" role="status">{(progress ?? 0) < 1 ? "Uploading…" : "Reading the statement…"}</p>
        </div>
      ) : null}

      {step === "choose" ? (
        <form className="card" onSubmit={runPreview}>
          <div className="form-grid">
            <Field label="Account" error={shown.field("accountId")}>
              <select required value={accountId} onChange={(e) => setAccountId(e.target.value)}>
                <option value="">Choose an account…</option>
                {active.map((a) => <option key={a.id} value={a.id}>{a.name} ({a.currency})</option>)}
              </select>
            </Field>
            <Field label="Format" error={shown.field("format")}>
              <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
                {FORMATS.map((f) => <option key={f.value} value={f.value}>{f.label}</option>)}
              </select>
            </Field>
          </div>
          <FileDrop label="Choose a statement file" accept={FORMATS.find((f) => f.value === format)?.accept} onFiles={(files) => setFile(files[0])} disabled={busy} />
          <p className="muted small" aria-live="polite">{file ? <>Selected: <strong>{file.name}</strong> ({formatBytes(file.size)})</> : "No file selected."}</p>
          {format === "CSV" ? (
            <details className="mapping" open={mappingOpen} onToggle={(e) => setMappingOpen((e.target as HTMLDetailsElement).open)}>
              <summary>Column mapping (optional)</summary>
              <p className="muted small">Most bank exports are recognised as they are. Name the header of a column only when it is not; use either an amount column or debit and credit columns.</p>
              <MappingForm value={mapping} onChange={setMapping} errors={shown} />
            </details>
          ) : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !accountId}>Preview import</button>
          </div>
        </form>
      ) : null}

      {step === "preview" && preview ? (
        <section className="card" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview of {file?.name}</h2>
          <ReportCounts report={preview} />
          {preview.rejected ? (
            <Alert tone="error" title="Nothing will be imported.">Fix the rows below in the file (or the column mapping) and try again: an import is all or nothing.</Alert>
          ) : preview.inserted === 0 ? (
            <Alert tone="info">Nothing new: every row is already in {account?.name ?? "this account"}.</Alert>
          ) : null}
          <RowErrors report={preview} />
          <PreviewRows report={preview} currency={account?.currency ?? "EUR"} />
          <div className="actions">
            <button type="button" onClick={() => setStep("choose")} disabled={busy}>Back</button>
            {!preview.rejected && preview.inserted > 0 ? (
              <button type="button" className="primary" onClick={() => void commit()} disabled={busy}>
                Import {preview.inserted} transaction{preview.inserted === 1 ? "" : "s"}
              </button>
            ) : null}
          </div>
        </section>
      ) : null}

      {step === "done" && final ? (
        <section className="card" aria-labelledby="done-heading">
          <h2 id="done-heading">Import finished</h2>
          {final.stored ? (
            <Alert tone="success">Imported {final.inserted} transaction{final.inserted === 1 ? "" : "s"} into {account?.name}{final.categorisedByRules ? `; your rules categorised ${final.categorisedByRules}` : ""}.</Alert>
          ) : (
            <Alert tone={final.rejected ? "error" : "info"}>Nothing was written{final.rejected ? ": some rows were rejected" : ": every row was already there"}.</Alert>
          )}
          <ReportCounts report={final} />
          <RowErrors report={final} />
          <div className="actions">
            <Link className="button primary" to={`/finance/transactions?account=${accountId}`}>View the transactions</Link>
            <button type="button" onClick={restart}>Import another file</button>
          </div>
        </section>
      ) : null}
    </>
  );
}

function ReportCounts({ report }: { report: Report }) {
  const items: [string, number][] = [
    ["Rows read", report.rows],
    [report.dryRun ? "Would be imported" : "Imported", report.inserted],
    ["Already imported", report.duplicates],
    ["Rejected", report.rejected],
  ];
  return (
    <dl className="counts">
      {items.map(([label, value]) => (
        <div key={label}><dt>{label}</dt><dd className="stat">{value}</dd></div>
      ))}
    </dl>
  );
}

function RowErrors({ report }: { report: Report }) {
  if (!report.errors.length) return null;
  return (
    <DataTable
      caption="Rejected rows" showCaption rows={report.errors} rowKey={(_e, i) => String(i)}
      columns={[
        { header: "Row", numeric: true, card: "title", cell: (e) => `Row ${e.row}` },
        { header: "Reason", card: "plain", cell: (e) => e.message },
      ]}
    />
  );
}

function PreviewRows({ report, currency }: { report: Report; currency: string }) {
  if (!report.preview.length) return null;
  return (
    <DataTable
      caption={`New rows${report.preview.length < report.inserted ? ` (the first ${report.preview.length})` : ""}`} showCaption
      rows={report.preview} rowKey={(r) => String(r.row)}
      columns={[
        { header: "Row", numeric: true, cell: (r) => r.row },
        { header: "Date", cell: (r) => formatDate(r.bookingDate) },
        { header: "Description", card: "title", cell: (r) => r.description },
        { header: "Counterparty", cell: (r) => r.counterpartyName ?? "—" },
        { header: "Amount", numeric: true, card: "aside", cell: (r) => <Money amount={r.amount} currency={currency} /> },
      ]}
    />
  );
}

function MappingForm({ value, onChange, errors }: { value: MappingState; onChange: (next: MappingState) => void; errors: FormErrors }) {
  const column = (key: keyof MappingState["columns"], text: string) => onChange({ ...value, columns: { ...value.columns, [key]: text } });
  return (
    <div className="form-grid">
      {MAPPING_COLUMNS.map(([key, label]) => (
        <Field key={key} label={label} error={errors.field(`mapping.${key}`)}>
          <input value={value.columns[key] ?? ""} onChange={(e) => column(key, e.target.value)} placeholder="Header as in the file" />
        </Field>
      ))}
      <Field label="Date format" hint="strptime, e.g. %d.%m.%Y" error={errors.field("mapping.dateFormat")}>
        <input value={value.dateFormat} onChange={(e) => onChange({ ...value, dateFormat: e.target.value })} />
      </Field>
      <Field label="Decimal separator" error={errors.field("mapping.decimalComma")}>
        <select value={value.decimalComma} onChange={(e) => onChange({ ...value, decimalComma: e.target.value as MappingState["decimalComma"] })}>
          <option value="">Detect</option>
          <option value="no">Point (1,234.56)</option>
          <option value="yes">Comma (1.234,56)</option>
        </select>
      </Field>
      <Field label="Delimiter" hint="Detected when empty; \t for a tab" error={errors.field("mapping.delimiter")}>
        <input value={value.delimiter} maxLength={2} onChange={(e) => onChange({ ...value, delimiter: e.target.value })} />
      </Field>
    </div>
  );
}
