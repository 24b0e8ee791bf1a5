// "Run backtest" on a strategy's page. Short runs finish in the request; long ones (or those
// asked for in the background) come back QUEUED: either way the backtest's page takes over.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Field } from "../../components/Field";
import { graphql } from "../../gql";
import type { TradingMarketSymbolsQuery } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDate } from "../../lib/format";
import { dayStart, num } from "./util";

const RunBacktest = graphql(`
  mutation TradingRunBacktest($input: RunBacktestInput!) {
    runBacktest(input: $input) { id status }
  }
`);

type Series = TradingMarketSymbolsQuery["marketSymbols"][number];

export function RunBacktestForm({ strategyId, series, symbol, timeframe }: {
  strategyId: string; series: Series | undefined; symbol: string; timeframe: string;
}) {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [capital, setCapital] = useState("10000");
  const [background, setBackground] = useState(false);
  const [result, run] = useMutation(RunBacktest);
  const navigate = useNavigate();
  const errors = fieldErrors(result.error, ["from", "to", "initialCapital"]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const outcome = await run({
      input: { strategyId, from: dayStart(from), to: dayStart(to), initialCapital: Number(capital), inBackground: background },
    });
    const id = outcome.data?.runBacktest.id;
    if (id) navigate(`/trading/backtests/${id}`);
  };

  return (
    <form onSubmit={submit} aria-label="Run backtest">
      {series ? (
        <p className="muted small">
          {num(series.barCount)} {symbol} {timeframe} bars from {formatDate(series.first)} to {formatDate(series.last)}.
          Position size, fees and slippage come from the strategy’s risk settings.
        </p>
      ) : (
        <Alert tone="warning">
          There are no {symbol} {timeframe} bars yet: <Link to="/trading/market-data">import them in Market data</Link> first.
        </Alert>
      )}
      <ErrorAlert errors={errors.others} />
      <div className="form-grid">
        <Field label="From" hint="Empty: from the first bar." error={errors.field("from")}>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To (exclusive)" hint="Empty: to the last bar." error={errors.field("to")}>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <Field label="Initial capital" error={errors.field("initialCapital")}>
          <input type="number" required min={0} step="any" value={capital} onChange={(e) => setCapital(e.target.value)} />
        </Field>
      </div>
      <label className="row">
        <input type="checkbox" checked={background} onChange={(e) => setBackground(e.target.checked)} />
        Run in the background (long runs always do)
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={result.fetching}>{result.fetching ? "Running…" : "Run backtest"}</button>
      </div>
    </form>
  );
}
