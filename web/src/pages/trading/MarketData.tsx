// Market data: import OHLCV CSVs (with upload progress and a report of what changed or was
// rejected), the stored series, deleting one, and a price chart of the selected one.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { DataTable, RowAction } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { FileDrop } from "../../components/FileDrop";
import { PageHeader } from "../../components/PageHeader";
import { ProgressBar } from "../../components/ProgressBar";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { Timeframe, TradingImportMarketDataMutation, TradingMarketSymbolsQuery } from "../../gql/graphql";
import { fieldErrors, type ServerError } from "../../lib/errors";
import { formatBytes, formatDate, formatDateTime } from "../../lib/format";
import { uploadMutation } from "../../lib/upload";
import { TradingMarketSymbols } from "./operations";
import { PriceChart } from "./PriceChart";
import { num, symbolFromFileName, TIMEFRAME_LABELS, TIMEFRAMES } from "./util";

const ImportMarketData = graphql(`
  mutation TradingImportMarketData($symbol: String!, $timeframe: Timeframe!, $file: Upload!) {
    importMarketData(symbol: $symbol, timeframe: $timeframe, file: $file) {
      symbol timeframe rows inserted updated unchanged rejected stored first last errors { row message }
    }
  }
`);

const DeleteMarketData = graphql(`
  mutation TradingDeleteMarketData($symbol: String!, $timeframe: Timeframe!) {
    deleteMarketData(symbol: $symbol, timeframe: $timeframe)
  }
`);

type Report = TradingImportMarketDataMutation["importMarketData"];
type SeriesKey = Pick<TradingMarketSymbolsQuery["marketSymbols"][number], "symbol" | "timeframe">;

export default function MarketData() {
  const [symbols, refetchSymbols] = useQuery({ query: TradingMarketSymbols });
  const [selected, setSelected] = useState<SeriesKey | null>(null);
  const [deleting, setDeleting] = useState<SeriesKey | null>(null);
  const [deleted, remove] = useMutation(DeleteMarketData);
  const list = symbols.data?.marketSymbols ?? [];
  const same = (a: SeriesKey | null, b: SeriesKey) => a?.symbol === b.symbol && a.timeframe === b.timeframe;
  // Until one is picked, chart the first series.
  const shown = list.find((s) => same(selected, s)) ?? list[0];

  const imported = (report: Report) => {
    refetchSymbols({ requestPolicy: "network-only" });
    if (report.stored) setSelected({ symbol: report.symbol, timeframe: report.timeframe });
  };

  const destroy = async () => {
    if (!deleting) return;
    const outcome = await remove({ symbol: deleting.symbol, timeframe: deleting.timeframe });
    if (outcome.data) {
      setDeleting(null);
      refetchSymbols({ requestPolicy: "network-only" });
    }
  };

  return (
    <>
      <PageHeader title="Market data" description="Price bars (OHLCV) your strategies backtest and signal on." />
      <section className="card" aria-labelledby="trading-import">
        <h2 id="trading-import">Import a CSV</h2>
        <ImportForm onImported={imported} />
      </section>

      <section className="trading-section" aria-labelledby="trading-series">
        <h2 id="trading-series">Stored series</h2>
        <QueryState
          result={symbols}
          empty={list.length === 0 && (
            <EmptyState title="No market data yet.">Import a CSV of daily (or intraday) bars above, e.g. a Yahoo Finance history download.</EmptyState>
          )}
        >
          <DataTable
            caption="Stored series" rows={list} rowKey={(s) => `${s.symbol}-${s.timeframe}`}
            columns={[
              { header: "Symbol", card: "title", cell: (s) => <strong>{s.symbol}</strong> },
              { header: "Timeframe", cell: (s) => TIMEFRAME_LABELS[s.timeframe] ?? s.timeframe },
              { header: "Bars", numeric: true, cell: (s) => num(s.barCount) },
              { header: "First", cell: (s) => barTime(s.timeframe, s.first) },
              { header: "Last", cell: (s) => barTime(s.timeframe, s.last) },
            ]}
            actions={(s) => (
              <>
                <RowAction label="Chart" subject={`${s.symbol} ${s.timeframe}`} className="ghost"
                  aria-pressed={shown ? same(shown, s) : false} onClick={() => setSelected(s)} />
                <RowAction label="Delete" subject={`${s.symbol} ${s.timeframe}`} className="danger" onClick={() => setDeleting(s)} />
              </>
            )}
          />
        </QueryState>
      </section>

      {shown ? (
        <section className="card" aria-labelledby="trading-chart">
          <h2 id="trading-chart">{shown.symbol} · {TIMEFRAME_LABELS[shown.timeframe] ?? shown.timeframe}</h2>
          <PriceChart key={`${shown.symbol}-${shown.timeframe}-${shown.last}`} symbol={shown.symbol} storedTimeframe={shown.timeframe} last={shown.last} />
        </section>
      ) : null}

      <ConfirmDialog
        open={Boolean(deleting)} title="Delete market data" danger busy={deleted.fetching} error={deleted.error} confirmLabel="Delete"
        message={deleting ? <>Delete every {deleting.symbol} {TIMEFRAME_LABELS[deleting.timeframe]?.toLowerCase()} bar? Strategies on it can no longer be backtested until you import it again.</> : null}
        onConfirm={destroy} onClose={() => setDeleting(null)}
      />
    </>
  );
}

/** Daily and weekly bars by their date, shorter ones with their time. */
function barTime(timeframe: string, at: string): string {
  return timeframe === "D1" || timeframe === "W1" ? formatDate(at) : formatDateTime(at);
}

function ImportForm({ onImported }: { onImported: (report: Report) => void }) {
  const [symbol, setSymbol] = useState("");
  // A symbol guessed from a file name follows the next file picked; one typed stays.
  const [symbolTyped, setSymbolTyped] = useState(false);
  const [timeframe, setTimeframe] = useState<Timeframe>("D1");
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [errors, setErrors] = useState<ServerError[]>([]);
  const [report, setReport] = useState<Report | null>(null);

  const pick = (files: File[]) => {
    const chosen = files[0] ?? null;
    setFile(chosen);
    setReport(null);
    if (chosen && (!symbol || !symbolTyped)) setSymbol(symbolFromFileName(chosen.name));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setErrors([{ message: "Choose a CSV file first.", field: "file" }]);
      return;
    }
    setErrors([]);
    setReport(null);
    setProgress(0);
    try {
      const result = await uploadMutation(ImportMarketData, { symbol: symbol.trim(), timeframe }, { file }, setProgress);
      setErrors(result.errors);
      const answer = result.data?.importMarketData;
      if (answer) {
        setReport(answer);
        if (answer.stored) {
          setFile(null);
          setSymbolTyped(false);
        }
        onImported(answer);
      }
    } catch (error) {
      setErrors([{ message: (error as Error).message }]);
    } finally {
      setProgress(null);
    }
  };

  const busy = progress != null;
  const shown = fieldErrors(errors, ["symbol", "timeframe"]);
  return (
    <form onSubmit={submit} aria-label="Import market data">
      <p className="muted small">
        A header row and columns for date or time, open, high, low, close and volume (a Yahoo Finance download works as is).
        Importing again is safe: bars already stored are skipped, corrected ones updated. A file with any invalid row stores nothing.
      </p>
      <ErrorAlert errors={shown.others} />
      <div className="form-grid">
        <Field label="Symbol" hint="e.g. ORCL, BRK.B, ^GSPC, EURUSD=X" error={shown.field("symbol")}>
          <input required value={symbol} spellCheck={false} autoCapitalize="characters" onChange={(e) => { setSymbol(e.target.value); setSymbolTyped(true); }} />
        </Field>
        <Field label="Timeframe" hint="The bars' length in the file" error={shown.field("timeframe")}>
          <select value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {TIMEFRAMES.map((t) => <option key={t} value={t}>{TIMEFRAME_LABELS[t]}</option>)}
          </select>
        </Field>
      </div>
      <FileDrop label="Choose a CSV file" accept=".csv,.txt,text/csv" onFiles={pick} disabled={busy} />
      {file ? <p className="small">Selected: <strong>{file.name}</strong> ({formatBytes(file.size)})</p> : null}
      {busy ? (
        <div aria-live="polite">
          <ProgressBar value={progress} label="Upload progress" />
          <p className="muted small">{progress < 1 ? "Uploading…" : "Checking and storing the bars…"}</p>
        </div>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !file}>{busy ? "Importing…" : "Import"}</button>
      </div>
      {report ? <ImportReport report={report} /> : null}
    </form>
  );
}

export function ImportReport({ report }: { report: Report }) {
  const counts = `${num(report.rows)} rows: ${num(report.inserted)} new, ${num(report.updated)} updated, ${num(report.unchanged)} unchanged, ${num(report.rejected)} rejected.`;
  if (!report.stored) {
    return (
      <>
        <Alert tone="error" title="Nothing was stored.">{counts} Fix the rows below and import the file again.</Alert>
        <DataTable
          caption="Rejected rows" rows={report.errors} rowKey={(e) => `${e.row}-${e.message}`}
          columns={[
            { header: "Row", numeric: true, card: "title", cell: (e) => e.row },
            { header: "Problem", card: "plain", cell: (e) => e.message },
          ]}
        />
        {report.rejected > report.errors.length ? <p className="muted small">The first {report.errors.length} of {num(report.rejected)} rejected rows.</p> : null}
      </>
    );
  }
  return (
    <Alert tone="success" title={`Imported ${report.symbol} ${TIMEFRAME_LABELS[report.timeframe]?.toLowerCase() ?? report.timeframe} bars.`}>
      {counts} {report.first ? `From ${formatDate(report.first)} to ${formatDate(report.last)}.` : ""}
    </Alert>
  );
}
