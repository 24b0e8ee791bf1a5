import { useMemo } from "react";
import { useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { EmptyState } from "../../components/EmptyState";
import { graphql } from "../../gql";
import { formatMoney } from "../../lib/format";

const AiUsageQuery = graphql(`
  query SettingsAiUsage($from: DateTime!, $to: DateTime!) {
    aiUsage(from: $from, to: $to) {
      calls failedCalls inputTokens outputTokens costUsd
      byModel { provider model calls failedCalls inputTokens outputTokens costUsd }
    }
  }
`);

/** [first day of this month, first day of next month) in local time, as ISO date-times. */
export function thisMonth(now = new Date()): { from: string; to: string } {
  const from = new Date(now.getFullYear(), now.getMonth(), 1);
  const to = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

// Token counts are BigInt strings: formatted exactly.
const count = (value: string | number) => BigInt(value).toLocaleString();

export function AiUsage({ admin }: { admin: boolean }) {
  const range = useMemo(() => thisMonth(), []);
  const [result] = useQuery({ query: AiUsageQuery, variables: range });
  const usage = result.data?.aiUsage;
  const month = new Date(range.from).toLocaleDateString(undefined, { month: "long", year: "numeric" });
  return (
    <section className="card" aria-labelledby="ai-usage-heading">
      <h2 id="ai-usage-heading">AI usage in {month}</h2>
      <p className="muted small">{admin ? "Every user of this instance." : "Your calls."} Costs are estimated from list prices.</p>
      <ErrorAlert error={result.error} />
      {!usage ? null : usage.calls === 0 ? (
        <EmptyState title="No AI calls this month.">Document analysis, search answers and categorisation use the AI integrations above.</EmptyState>
      ) : (
        <div className="table-wrap settings-table">
          <table>
            <thead>
              <tr>
                <th scope="col">Provider</th><th scope="col">Model</th><th scope="col" className="num">Calls</th>
                <th scope="col" className="num">Failed</th><th scope="col" className="num">Input tokens</th>
                <th scope="col" className="num">Output tokens</th><th scope="col" className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {usage.byModel.map((row) => (
                <tr key={`${row.provider}/${row.model}`}>
                  <td>{row.provider}</td><td>{row.model}</td><td className="num">{count(row.calls)}</td>
                  <td className="num">{count(row.failedCalls)}</td><td className="num">{count(row.inputTokens)}</td>
                  <td className="num">{count(row.outputTokens)}</td><td className="num">{formatMoney(row.costUsd, "USD")}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>Total</th><td className="num">{count(usage.calls)}</td>
                <td className="num">{count(usage.failedCalls)}</td><td className="num">{count(usage.inputTokens)}</td>
                <td className="num">{count(usage.outputTokens)}</td><td className="num">{formatMoney(usage.costUsd, "USD")}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
