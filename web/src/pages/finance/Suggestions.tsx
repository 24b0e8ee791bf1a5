// AI category suggestions: confident ones become rules at once; the rest wait here for review.
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { EmptyState } from "../../components/EmptyState";
import { Money } from "../../components/Money";
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
      <ErrorAlert error={suggested.error ?? accepted.error ?? rejected.error ?? queue.error} />
      {suggested.data ? (
        <Alert tone="success">
          {suggested.data.suggestCategories.accepted} became rules, {suggested.data.suggestCategories.queued} wait for your review
          {suggested.data.suggestCategories.skipped ? `, ${suggested.data.suggestCategories.skipped} did not hold up and were dropped` : ""}.
        </Alert>
      ) : null}
      {queue.data && !items.length ? (
        <EmptyState title="Nothing to review.">Press “Suggest categories” to ask the AI about your uncategorised transactions.</EmptyState>
      ) : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Suggestions to review, most confident first</caption>
            <thead>
              <tr><th scope="col">Transaction</th><th scope="col" className="num">Amount</th><th scope="col">Proposed rule</th><th scope="col" className="num">Confidence</th><th scope="col">Category</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <SuggestionRow key={s.id} suggestion={s} categories={categories} busy={accepted.fetching || rejected.fetching}
                  onAccept={async (categoryId) => {
                    if (!(await accept({ id: s.id, categoryId: categoryId === s.category.id ? null : categoryId })).error) {
                      reload();
                      onAccepted();
                    }
                  }}
                  onReject={async () => {
                    if (!(await reject({ id: s.id })).error) reload();
                  }} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function SuggestionRow({ suggestion: s, categories, busy, onAccept, onReject }: {
  suggestion: Suggestion; categories: readonly CategoryOption[]; busy: boolean;
  onAccept: (categoryId: string) => void; onReject: () => void;
}) {
  const [categoryId, setCategoryId] = useState(s.category.id);
  const label = s.transaction.description || s.transaction.counterpartyName || "transaction";
  return (
    <tr>
      <td>
        <div>{label}</div>
        <div className="muted small">{formatDate(s.transaction.bookingDate)}{s.transaction.counterpartyName ? ` · ${s.transaction.counterpartyName}` : ""}</div>
      </td>
      <td className="num"><Money amount={s.transaction.amount} currency={s.transaction.currency} /></td>
      <td>
        <div>{describeConditions(s.rule)}</div>
        <div className="muted small">Matches {s.matches} of your transactions{s.reason ? ` · ${s.reason}` : ""}</div>
      </td>
      <td className="num">{formatPercent(s.confidence, 0)}</td>
      <td>
        <CategorySelect categories={categories} emptyLabel="Choose…" aria-label={`Category for ${label}`} value={categoryId}
          onChange={(e) => setCategoryId(e.target.value)} />
      </td>
      <td>
        <div className="actions nowrap">
          <button type="button" className="primary" disabled={busy || !categoryId} onClick={() => onAccept(categoryId)} aria-label={`Accept suggestion for ${label}`}>Accept</button>
          <button type="button" disabled={busy} onClick={onReject} aria-label={`Reject suggestion for ${label}`}>Reject</button>
        </div>
      </td>
    </tr>
  );
}
