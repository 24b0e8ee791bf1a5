// AI category suggestions: confident ones become rules at once; the rest wait here for review.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { DataTable, RowAction } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Money } from "../../components/Money";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { FinanceCategorySuggestionsQuery } from "../../gql/graphql";
import { formatDate, formatPercent } from "../../lib/format";
import { CategorySelect, type CategoryOption } from "./common";
import { describeConditions } from "./ruleConditions";

const Queue = graphql(`
  query FinanceCategorySuggestions {
    categorySuggestions(status: PENDING) {
      id confidence rule matches reason status
      category { id name }
      transaction { id bookingDate description counterpartyName amount currency }
    }
  }
`);
const Suggest = graphql(`
  mutation FinanceSuggestCategories { suggestCategories { accepted queued skipped } }
`);
const Accept = graphql(`
  mutation FinanceAcceptSuggestion($id: ID!, $categoryId: ID) { acceptCategorySuggestion(id: $id, categoryId: $categoryId) { id status ruleId } }
`);
const Reject = graphql(`
  mutation FinanceRejectSuggestion($id: ID!) { rejectCategorySuggestion(id: $id) { id status } }
`);

const QUEUE_TYPES = { additionalTypenames: ["CategorySuggestion"] };

type Suggestion = FinanceCategorySuggestionsQuery["categorySuggestions"][number];

export function Suggestions({ categories, onAccepted }: { categories: readonly CategoryOption[]; onAccepted: () => void }) {
  const [queue, refetch] = useQuery({ query: Queue, context: QUEUE_TYPES });
  const [suggested, suggest] = useMutation(Suggest);
  const [accepted, accept] = useMutation(Accept);
  const [rejected, reject] = useMutation(Reject);
  const reload = () => refetch({ requestPolicy: "network-only" });
  const items = queue.data?.categorySuggestions ?? [];
  // The category each row would accept: the AI's, until the user picks another.
  const [choices, setChoices] = useState<Record<string, string>>({});
  const chosen = (s: Suggestion) => choices[s.id] ?? s.category.id;
  const busy = accepted.fetching || rejected.fetching;
  const acceptOne = async (s: Suggestion) => {
    const categoryId = chosen(s);
    if (!(await accept({ id: s.id, categoryId: categoryId === s.category.id ? null : categoryId })).error) {
      reload();
      onAccepted();
    }
  };

  return (
    <section className="card suggestions" aria-labelledby="suggestions-heading">
      <div className="page-header">
        <div>
          <h2 id="suggestions-heading">AI suggestions</h2>
          <p className="muted small">The AI reads your uncategorised transactions (the latest 200) and proposes a category and a rule for each. Confident answers become rules at once.</p>
        </div>
        <button type="button" disabled={suggested.fetching} onClick={async () => {
          if (!(await suggest({})).error) {
            reload();
            onAccepted();
          }
        }}>{suggested.fetching ? "Asking the AI…" : "Suggest categories"}</button>
      </div>
      {suggested.fetching ? <p className="muted" role="status">Waiting for the AI; this can take up to a minute.</p> : null}
      <ErrorAlert error={suggested.error ?? accepted.error ?? rejected.error} />
      {suggested.data ? (
        <Alert tone="success">
          {suggested.data.suggestCategories.accepted} became rules, {suggested.data.suggestCategories.queued} wait for your review
          {suggested.data.suggestCategories.skipped ? `, ${suggested.data.suggestCategories.skipped} did not hold up and were dropped` : ""}.
        </Alert>
      ) : null}
      <QueryState
        result={queue}
        loading="Loading suggestions…"
        empty={!items.length && (
          <EmptyState title="Nothing to review.">Press “Suggest categories” to ask the AI about your uncategorised transactions.</EmptyState>
        )}
      >
        <DataTable
          caption="Suggestions to review, most confident first" rows={items} rowKey={(s) => s.id}
          columns={[
            {
              header: "Transaction", card: "title",
              cell: (s) => (
                <>
                  <div>{transactionLabel(s)}</div>
                  <div className="muted small">{formatDate(s.transaction.bookingDate)}{s.transaction.counterpartyName ? ` · ${s.transaction.counterpartyName}` : ""}</div>
                </>
              ),
            },
            { header: "Amount", numeric: true, card: "aside", cell: (s) => <Money amount={s.transaction.amount} currency={s.transaction.currency} /> },
            {
              header: "Proposed rule",
              cell: (s) => (
                <>
                  <div>{describeConditions(s.rule)}</div>
                  <div className="muted small">Matches {s.matches} of your transactions{s.reason ? ` · ${s.reason}` : ""}</div>
                </>
              ),
            },
            { header: "Confidence", numeric: true, cell: (s) => formatPercent(s.confidence, 0) },
            {
              header: "Category", card: "plain",
              cell: (s) => (
                <CategorySelect categories={categories} emptyLabel="Choose…" aria-label={`Category for ${transactionLabel(s)}`}
                  value={chosen(s)} onChange={(e) => setChoices((c) => ({ ...c, [s.id]: e.target.value }))} />
              ),
            },
          ]}
          actions={(s) => (
            <>
              <RowAction label="Accept" subject={`suggestion for ${transactionLabel(s)}`} className="primary"
                disabled={busy || !chosen(s)} onClick={() => void acceptOne(s)} />
              <RowAction label="Reject" subject={`suggestion for ${transactionLabel(s)}`} disabled={busy}
                onClick={async () => { if (!(await reject({ id: s.id })).error) reload(); }} />
            </>
          )}
        />
      </QueryState>
    </section>
  );
}

function transactionLabel(s: Suggestion): string {
  return s.transaction.description || s.transaction.counterpartyName || "transaction";
}
