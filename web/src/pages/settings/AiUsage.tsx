import { useMemo } from "react";
import { useQuery } from "urql";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { QueryState } from "../../components/QueryState";
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
      <QueryState
        result={result}
        empty={usage?.calls === 0 && (
          <EmptyState title="No AI calls this month.">Document analysis, search answers and categorisation use the AI integrations above.</EmptyState>
        )}
      >
        {({ aiUsage }) => (
          <DataTable
            caption={`AI usage in ${month} by model`} layout="scroll" rows={aiUsage.byModel} rowKey={(row) => `${row.provider}/${row.model}`}
            columns={[
              { header: "Provider", cell: (row) => row.provider },
              { header: "Model", cell: (row) => row.model },
              { header: "Calls", numeric: true, cell: (row) => count(row.calls) },
              { header: "Failed", numeric: true, cell: (row) => count(row.failedCalls) },
              { header: "Input tokens", numeric: true, cell: (row) => count(row.inputTokens) },
              { header: "Output tokens", numeric: true, cell: (row) => count(row.outputTokens) },
              { header: "Cost", numeric: true, cell: (row) => formatMoney(row.costUsd, "USD") },
            ]}
            footer={
              <tr>
                <th scope="row" colSpan={2}>Total</th><td className="num">{count(aiUsage.calls)}</td>
                <td className="num">{count(aiUsage.failedCalls)}</td><td className="num">{count(aiUsage.inputTokens)}</td>
                <td className="num">{count(aiUsage.outputTokens)}</td><td className="num">{formatMoney(aiUsage.costUsd, "USD")}</td>
              </tr>
            }
          />
        )}
      </QueryState>
    </section>
  );
}
