// The import wizard: choose an account and a bank file in any format; a dry run shows how the
// file reads (and lets the person correct it, each correction read again at once), what it
// would change, and the importer's notes; committing writes it with the same reading, all or
// nothing, and may keep the reading for the account. A file that reads two ways is refused
// with the question that settles it, answered in the same form.
import { Fragment, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge } from "../../components/Badge";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { FileDrop } from "../../components/FileDrop";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { ProgressBar } from "../../components/ProgressBar";
import { graphql } from "../../gql";
import type { CsvMappingInput, FinanceImportMappingFieldsFragment, FinanceImportTransactionsMutation, ImportFormat } from "../../gql/graphql";
import { fieldErrors, serverErrors, type ServerError } from "../../lib/errors";
import { formatBytes, formatDate } from "../../lib/format";
import { uploadMutation } from "../../lib/upload";
import { useAccounts } from "./common";
import { ImportReading, READING_FIELDS, type ReadingColumn } from "./ImportReading";
import { accountsIn, dateExampleIn, describeReading, DETECT, inputOf, readingOf, type Reading } from "./importReading";

graphql(`
  fragment FinanceImportMappingFields on ImportMapping {
    format encoding delimiter headerRow dateFormat decimalComma amountSign account accounts
    columns { index name role sample }
    date valueDate amount debit credit indicator fee balance currency description counterparty counterpartyIban reference status
  }
`);

export const ImportTransactions = graphql(`
  mutation FinanceImportTransactions(
    $accountId: ID!, $file: Upload!, $format: ImportFormat, $mapping: CsvMappingInput, $dryRun: Boolean!, $rememberMapping: Boolean!
  ) {
    importTransactions(
      accountId: $accountId, file: $file, format: $format, mapping: $mapping, dryRun: $dryRun, rememberMapping: $rememberMapping
    ) {
      rows inserted duplicates rejected stored dryRun categorisedByRules pending settled removed skipped notes
      statementBalance statementDate
      errors { row message }
      preview { row bookingDate amount description counterpartyName pending }
      mapping { ...FinanceImportMappingFields }
    }
  }
`);

const ImportAccount = graphql(`
  query FinanceImportAccount($id: ID!) { account(id: $id) { id name importMapping { ...FinanceImportMappingFields } } }
`);

const SetImportMapping = graphql(`
  mutation FinanceSetImportMapping($accountId: ID!, $mapping: CsvMappingInput) {
    setImportMapping(accountId: $accountId, mapping: $mapping) { id importMapping { ...FinanceImportMappingFields } }
  }
`);

type Report = FinanceImportTransactionsMutation["importTransactions"];
type Mapping = FinanceImportMappingFieldsFragment;
type Step = "choose" | "read" | "done";
/** What a report was read with: a commit sends the same. */
interface Sent { format: ImportFormat | null; mapping: CsvMappingInput | null }

const ACCEPT = ".csv,.txt,.tsv,.ofx,.qfx,.qbo,.qif,.sta,.mt940,.940,.942,.xml,.camt,text/csv,text/plain,application/xml";

function isRefusal(error: ServerError): boolean {
  return Boolean(error.field?.startsWith("mapping."));
}

export default function Import() {
  const [params] = useSearchParams();
  const { accounts, loaded, error: accountsError } = useAccounts();
  const active = accounts.filter((a) => !a.archived);
  const [accountId, setAccountId] = useState(params.get("account") ?? "");
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState<Step>("choose");
  const [progress, setProgress] = useState<number | null>(null);
  const [errors, setErrors] = useState<ServerError[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [detected, setDetected] = useState<Mapping | null>(null);
  const [reading, setReading] = useState<Reading>(DETECT);
  const [sent, setSent] = useState<Sent>({ format: null, mapping: null });
  const [remember, setRemember] = useState(false);
  const [final, setFinal] = useState<Report | null>(null);
  const [focus, setFocus] = useState<{ field: string } | null>(null);
  const requests = useRef(0);
  const tried = useRef("");

  // Only an active account of this user is taken from a link (?account=); with one, it is the one.
  useEffect(() => {
    if (!loaded) return;
    if (accountId && !active.some((a) => a.id === accountId)) setAccountId("");
    else if (!accountId && active.length === 1) setAccountId(active[0].id);
  }, [accountId, active, loaded]);

  // After a refusal, the control that answers it takes the focus.
  // (It may be rendered a little after the refusal arrives: the effect waits for it.)
  useEffect(() => {
    if (!focus) return;
    const control = document.querySelector<HTMLElement>(`[data-answers="${focus.field}"]`);
    if (!control) return;
    control.focus();
    setFocus(null);
  }, [focus, step]);

  const account = active.find((a) => a.id === accountId);
  const busy = progress !== null;
  const refusal = errors.find(isRefusal) ?? null;
  const refusalColumns = (refusal?.extensions?.columns as string[] | undefined) ?? [];
  const shown = fieldErrors(errors, step === "choose" ? ["accountId"] : step === "read" ? READING_FIELDS : []);
  const columns: ReadingColumn[] = refusalColumns.length
    ? refusalColumns.map((name, index) => ({ index, name, role: null, sample: detected?.columns.find((c) => c.name === name)?.sample ?? "" }))
    : detected?.columns ?? [];
  const csv = (reading.format || detected?.format) === "CSV" || refusalColumns.length > 0;
  const fileAccounts = [...new Set([...(refusal?.field === "mapping.account" ? accountsIn(refusal.message) : []), ...(detected?.accounts ?? [])])];

  /** A date of the file, so "day first" is sent as the file writes its dates. */
  const dateExample = (): string | null => {
    const date = columns.find((c) => c.name === reading.columns.date)?.sample;
    return date || errors.map((e) => dateExampleIn(e.message)).find(Boolean) || null;
  };

  /** One upload; the answer of a request overtaken by a newer one is dropped. */
  const send = async (what: Sent & { dryRun: boolean; remember?: boolean }): Promise<Report | "refused" | null> => {
    if (!file || !accountId) return null;
    const request = ++requests.current;
    setProgress(0);
    try {
      const result = await uploadMutation(
        ImportTransactions,
        { accountId, format: what.format, mapping: what.mapping, dryRun: what.dryRun, rememberMapping: Boolean(what.remember) },
        { file },
        (fraction) => { if (request === requests.current) setProgress(fraction); },
      );
      if (request !== requests.current) return null;
      setErrors(result.errors);
      if (result.errors.length) {
        const answerable = result.errors.find(isRefusal);
        if (answerable?.field) setFocus({ field: answerable.field });
        return answerable ? "refused" : null;
      }
      return result.data?.importTransactions ?? null;
    } catch (error) {
      if (request === requests.current) setErrors([{ message: (error as Error).message }]);
      return null;
    } finally {
      if (request === requests.current) setProgress(null);
    }
  };

  /** A dry run with this reading; its report replaces the reading by what the server read. */
  const readWith = async (next: Reading, example: string | null = dateExample()) => {
    setReading(next);
    tried.current = JSON.stringify(next);
    const what: Sent = { format: next.format || null, mapping: inputOf(next, example) };
    const result = await send({ ...what, dryRun: true });
    if (result === "refused") {
      setReport(null);
      setStep("read");
    } else if (result) {
      setReport(result);
      setSent(what);
      if (result.mapping) {
        const read = readingOf(result.mapping);
        setDetected(result.mapping);
        setReading(read);
        tried.current = JSON.stringify(read);
      }
      setStep("read");
    }
  };

  const start = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setErrors([{ message: "Choose a file to import." }]);
      return;
    }
    setDetected(null);
    setRemember(false);
    await readWith(DETECT, null);
  };

  const commit = async () => {
    const result = await send({ ...sent, dryRun: false, remember });
    if (result === "refused") {
      setReport(null);
    } else if (result) {
      setFinal(result);
      setStep("done");
    }
  };

  /** Back to the first step, keeping the account and the file. */
  const back = () => {
    requests.current++;
    tried.current = "";
    setProgress(null);
    setStep("choose");
    setReport(null);
    setDetected(null);
    setReading(DETECT);
    setErrors([]);
  };

  const restart = () => {
    back();
    setFile(null);
    setFinal(null);
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
      <PageHeader
        title="Import transactions"
        description="A statement from your bank: CSV, OFX/QFX/QBO, QIF, MT940/MT942 or camt.052/053/054. You see how it reads before anything is written; rows already imported are skipped."
      />
      <ol className="steps" aria-label="Import steps">
        <li aria-current={step === "choose" ? "step" : undefined}>1. Choose a file</li>
        <li aria-current={step === "read" ? "step" : undefined}>2. Check how it reads</li>
        <li aria-current={step === "done" ? "step" : undefined}>3. Done</li>
      </ol>
      <ErrorAlert errors={[...serverErrors(accountsError), ...shown.others]} />
      {busy && step !== "read" ? (
        <div className="card">
          <ProgressBar value={progress ?? 0} label="Uploading the statement" />
          <p className="muted small" role="status">{(progress ?? 0) < 1 ? "Uploading…" : "Reading the statement…"}</p>
        </div>
      ) : null}

      {step === "choose" ? (
        <form className="card" onSubmit={start}>
          <div className="form-grid">
            <Field label="Account" error={shown.field("accountId")}>
              <select required value={accountId} onChange={(e) => setAccountId(e.target.value)}>
                <option value="">Choose an account…</option>
                {active.map((a) => <option key={a.id} value={a.id}>{a.name} ({a.currency})</option>)}
              </select>
            </Field>
          </div>
          <FileDrop label="Choose a statement file" accept={ACCEPT} onFiles={(files) => setFile(files[0])} disabled={busy} />
          <p className="muted small" aria-live="polite">{file ? <>Selected: <strong>{file.name}</strong> ({formatBytes(file.size)})</> : "No file selected."}</p>
          {accountId ? <RememberedReading accountId={accountId} /> : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy || !accountId}>Preview import</button>
          </div>
        </form>
      ) : null}

      {step === "read" ? (
        <>
          <section className="card" aria-labelledby="reading-heading">
            <h2 id="reading-heading">How {file?.name} reads</h2>
            {refusal ? (
              <p className="muted">The file could be read more than one way: answer below and it is read again.</p>
            ) : (
              <p className="muted">Detected from the file. Correct anything that is wrong: the file is read again at once.</p>
            )}
            <ImportReading
              reading={reading} columns={columns} csv={csv} accounts={fileAccounts} errors={shown} refusal={refusal}
              busy={busy} detected={detected}
              onChange={(next, reread) => (reread ? void readWith(next) : setReading(next))}
              onCommit={(force) => {
                // Leaving a field reads again only when the reading differs from the one last tried.
                if (force || JSON.stringify(reading) !== tried.current) void readWith(reading);
              }}
            />
            <p className="muted small" role="status">{busy ? "Reading the file…" : ""}</p>
            {report?.notes.length ? (
              <>
                <h3>What the importer decided</h3>
                <ul className="notes">{report.notes.map((note, i) => <li key={i}>{note}</li>)}</ul>
              </>
            ) : null}
            {accountId ? <RememberedReading accountId={accountId} compact onForgotten={() => void readWith(DETECT, null)} /> : null}
          </section>

          {report ? (
            <section className="card" aria-labelledby="preview-heading">
              <h2 id="preview-heading">Preview of {file?.name}</h2>
              <ReportCounts report={report} currency={account?.currency ?? "EUR"} />
              {report.rejected ? (
                <Alert tone="error" title="Nothing will be imported.">Correct the reading above (or the rows below in the file) and try again: an import is all or nothing.</Alert>
              ) : !hasChanges(report) ? (
                <Alert tone="info">Nothing new: every row is already in {account?.name ?? "this account"}.</Alert>
              ) : null}
              <RowErrors report={report} />
              <PreviewRows report={report} currency={account?.currency ?? "EUR"} />
              {!report.rejected && report.mapping ? (
                <label className="check remember">
                  <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
                  Remember this reading for {account?.name ?? "this account"}
                </label>
              ) : null}
              <div className="actions">
                <button type="button" onClick={back}>Back</button>
                {!report.rejected && (hasChanges(report) || remember) ? (
                  <button type="button" className="primary" onClick={() => void commit()} disabled={busy}>{commitLabel(report)}</button>
                ) : null}
              </div>
            </section>
          ) : (
            <div className="actions">
              <button type="button" onClick={back}>Back</button>
            </div>
          )}
        </>
      ) : null}

      {step === "done" && final ? (
        <section className="card" aria-labelledby="done-heading">
          <h2 id="done-heading">Import finished</h2>
          {final.stored ? (
            <Alert tone="success">
              Imported {plural(final.inserted, "transaction")} into {account?.name}
              {final.categorisedByRules ? `; your rules categorised ${final.categorisedByRules}` : ""}.
            </Alert>
          ) : (
            <Alert tone={final.rejected ? "error" : "info"}>Nothing was written{final.rejected ? ": some rows were rejected" : ": every row was already there"}.</Alert>
          )}
          {remember && !final.rejected ? <p>{account?.name} will read its next files this way.</p> : null}
          <ReportCounts report={final} currency={account?.currency ?? "EUR"} />
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

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function hasChanges(report: Report): boolean {
  return report.inserted > 0 || report.settled > 0 || report.removed > 0;
}

function commitLabel(report: Report): string {
  if (report.inserted > 0) return `Import ${plural(report.inserted, "transaction")}`;
  if (report.settled + report.removed > 0) return `Update ${plural(report.settled + report.removed, "pending transaction")}`;
  return "Remember the reading";
}

/** What the account remembers of how its files read, and the way to forget it. */
function RememberedReading({ accountId, compact = false, onForgotten }: { accountId: string; compact?: boolean; onForgotten?: () => void }) {
  const [result] = useQuery({ query: ImportAccount, variables: { id: accountId }, requestPolicy: "cache-and-network" });
  const [forgetting, forget] = useMutation(SetImportMapping);
  const account = result.data?.account;
  const remembered = account?.importMapping;
  if (!account || !remembered) {
    return forgetting.data ? <Alert tone="success">Forgotten: files are read as they are.</Alert> : null;
  }
  const lines = describeReading(remembered);
  const body = (
    <>
      <dl className="details">
        {lines.map(([label, value]) => <Fragment key={label}><dt>{label}</dt><dd>{value}</dd></Fragment>)}
      </dl>
      <ErrorAlert error={forgetting.error} />
      <div className="actions">
        <button
          type="button" disabled={forgetting.fetching}
          onClick={async () => {
            const done = await forget({ accountId, mapping: null });
            if (!done.error) onForgotten?.();
          }}
        >
          Forget this reading
        </button>
      </div>
    </>
  );
  if (compact) {
    return (
      <details className="remembered">
        <summary>{account.name} remembers a reading: files are read with it where it fits</summary>
        {body}
      </details>
    );
  }
  return (
    <section className="remembered" aria-labelledby="remembered-heading">
      <h2 id="remembered-heading">{account.name} remembers how its files read</h2>
      <p className="muted small">The next file is read this way where it fits; a file it does not fit is read as it is.</p>
      {body}
    </section>
  );
}

function ReportCounts({ report, currency }: { report: Report; currency: string }) {
  const items: [string, number, boolean][] = [
    ["Rows read", report.rows, true],
    [report.dryRun ? "New" : "Imported", report.inserted, true],
    ["Already imported", report.duplicates, true],
    ["Pending", report.pending, report.pending > 0],
    ["Pending ones now booked", report.settled, report.settled > 0],
    ["Pending ones never booked", report.removed, report.removed > 0],
    ["Skipped", report.skipped, report.skipped > 0],
    ["Rejected", report.rejected, true],
  ];
  return (
    <>
      <dl className="counts">
        {items.filter(([, , show]) => show).map(([label, value]) => (
          <div key={label}><dt>{label}</dt><dd className="stat">{value}</dd></div>
        ))}
      </dl>
      {report.statementBalance != null ? (
        <p className="small">
          The file states a balance of <Money amount={report.statementBalance} currency={currency} signed={false} />
          {report.statementDate ? <> on {formatDate(report.statementDate)}</> : null}.
        </p>
      ) : null}
    </>
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
  const pending = report.preview.some((r) => r.pending);
  return (
    <DataTable
      caption={`New rows${report.preview.length < report.inserted ? ` (the first ${report.preview.length})` : ""}`} showCaption
      rows={report.preview} rowKey={(r) => String(r.row)}
      rowProps={(r) => (r.pending ? { className: "pending" } : {})}
      columns={[
        { header: "Row", numeric: true, cell: (r) => r.row },
        { header: "Date", cell: (r) => formatDate(r.bookingDate) },
        pending && { header: "Status", cell: (r) => (r.pending ? <Badge tone="busy">Pending</Badge> : "Booked") },
        { header: "Description", card: "title", cell: (r) => r.description },
        { header: "Counterparty", cell: (r) => r.counterpartyName ?? "—" },
        { header: "Amount", numeric: true, card: "aside", cell: (r) => <Money amount={r.amount} currency={currency} /> },
      ]}
    />
  );
}
