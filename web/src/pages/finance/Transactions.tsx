import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { DataTable } from "../../components/DataTable";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { FinanceTransactionsQuery, TransactionFilterInput } from "../../gql/graphql";
import { formatDate } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { CategorySelect, useAccounts, useCategories, useClientOptions, useTags, type CategoryOption, type ClientOption, type TagOption } from "./common";
import { FILTER_KEYS, filterFromParams, hasFilters } from "./filters";
import { TagEditor } from "./TagEditor";

const PAGE_SIZE = 50;

export const FinanceTransactions = graphql(`
  query FinanceTransactions($first: Int!, $after: String, $filter: TransactionFilterInput) {
    transactions(first: $first, after: $after, filter: $filter) {
      edges { node {
        id bookingDate amount currency description counterpartyName reference status
        account { id name } category { id name } client { id name } tags { id name color }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
const Categorize = graphql(`
  mutation FinanceCategorize($id: ID!, $categoryId: ID) {
    categorizeTransaction(id: $id, categoryId: $categoryId) { id category { id name } }
  }
`);
const SetClient = graphql(`
  mutation FinanceSetTransactionClient($id: ID!, $clientId: ID) {
    setTransactionClient(id: $id, clientId: $clientId) { id client { id name } }
  }
`);

type Row = FinanceTransactionsQuery["transactions"]["edges"][number]["node"];

export default function Transactions() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromParams(params), [params]);
  const { accounts } = useAccounts();
  const { categories } = useCategories();
  const { tags } = useTags();
  const { clients } = useClientOptions();
  // Typed filters reach the URL (and so the server) once the typing settles.
  // On a phone only the search shows until "More filters" is opened.
  const [moreOpen, setMoreOpen] = useState(false);
  const activeMore = FILTER_KEYS.filter((key) => key !== "q" && params.get(key)).length;
  const [typed, setTyped] = useState(() => ({ q: params.get("q") ?? "", min: params.get("min") ?? "", max: params.get("max") ?? "" }));
  const settled = useDebounced(typed, 300);
  const type = (key: keyof typeof typed, value: string) => setTyped((t) => ({ ...t, [key]: value }));

  const set = (key: string, value: string) => setParams((current) => {
    const next = new URLSearchParams(current);
    if (value) next.set(key, value);
    else next.delete(key);
    return next;
  }, { replace: true });

  // The URL as of the latest render, read when the typing settles.
  const latestParams = useRef(params);
  latestParams.current = params;
  useEffect(() => {
    const current = latestParams.current;
    const next = new URLSearchParams(current);
    for (const [key, value] of Object.entries(settled)) {
      if (value.trim()) next.set(key, value.trim());
      else next.delete(key);
    }
    // Only when the typing settles, and only for a real change: running on every URL change
    // (and navigating even when nothing changed) raced the other filters, e.g. undid
    // "Uncategorised only" checked right after "Clear filters".
    if (next.toString() !== current.toString()) setParams(next, { replace: true });
  }, [settled]); // not setParams: it changes with every URL change

  const clear = () => {
    setTyped({ q: "", min: "", max: "" });
    setParams((current) => {
      const next = new URLSearchParams(current);
      FILTER_KEYS.forEach((key) => next.delete(key));
      return next;
    }, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="Transactions"
        description="Everything booked on your accounts, newest first."
        actions={<Link className="button" to="/finance/import">Import a file</Link>}
      />
      <form className={`filters card${moreOpen ? " filters-open" : ""}`} role="search" aria-label="Filter transactions" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search">
          <input type="search" value={typed.q} placeholder="Description, counterparty, reference" onChange={(e) => type("q", e.target.value)} />
        </Field>
        <button type="button" className="filters-toggle" aria-expanded={moreOpen} aria-controls="more-filters" onClick={() => setMoreOpen((open) => !open)}>
          {moreOpen ? "Fewer filters" : "More filters"}{activeMore ? ` (${activeMore} on)` : ""}
        </button>
        <div className="filters-more" id="more-filters">
        <Field label="Account">
          <select value={params.get("account") ?? ""} onChange={(e) => set("account", e.target.value)}>
            <option value="">All accounts</option>
            {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}{a.archived ? " (archived)" : ""}</option>)}
          </select>
        </Field>
        <Field label="From">
          <input type="date" value={params.get("from") ?? ""} onChange={(e) => set("from", e.target.value)} />
        </Field>
        <Field label="To">
          <input type="date" value={params.get("to") ?? ""} onChange={(e) => set("to", e.target.value)} />
        </Field>
        <Field label="Min amount">
          <input inputMode="decimal" size={8} value={typed.min} onChange={(e) => type("min", e.target.value)} />
        </Field>
        <Field label="Max amount">
          <input inputMode="decimal" size={8} value={typed.max} onChange={(e) => type("max", e.target.value)} />
        </Field>
        <Field label="Category">
          <CategorySelect categories={categories} emptyLabel="Any category" value={params.get("category") ?? ""}
            onChange={(e) => set("category", e.target.value)} />
        </Field>
        <Field label="Tag">
          <select value={params.get("tag") ?? ""} onChange={(e) => set("tag", e.target.value)}>
            <option value="">Any tag</option>
            {tags.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </Field>
        {clients.length ? (
          <Field label="Client">
            <select value={params.get("client") ?? ""} onChange={(e) => set("client", e.target.value)}>
              <option value="">Any client</option>
              {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select>
          </Field>
        ) : null}
        <label className="check">
          <input type="checkbox" checked={params.get("uncategorised") === "1"} onChange={(e) => set("uncategorised", e.target.checked ? "1" : "")} />
          Uncategorised only
        </label>
        </div>
        {hasFilters(params) ? <button type="button" className="link" onClick={clear}>Clear filters</button> : null}
      </form>
      {/* A new filter starts again at the first page: the table (and its cursors) remounts. */}
      <TransactionTable key={JSON.stringify(filter)} filter={filter} filtered={hasFilters(params)}
        categories={categories} tags={tags} clients={clients} onClear={clear} />
    </>
  );
}

function TransactionTable({ filter, filtered, categories, tags, clients, onClear }: {
  filter: TransactionFilterInput | null; filtered: boolean; categories: readonly CategoryOption[];
  tags: readonly TagOption[]; clients: readonly ClientOption[]; onClear: () => void;
}) {
  const pages = useKeyset();
  const [result, refetch] = useQuery({
    query: FinanceTransactions,
    variables: { first: PAGE_SIZE, after: pages.after, filter },
  });
  const [categorized, categorize] = useMutation(Categorize);
  const [linked, link] = useMutation(SetClient);
  const refresh = () => refetch({ requestPolicy: "network-only" });

  const connection = result.data?.transactions;
  const rows = connection?.edges.map((e) => e.node) ?? [];

  return (
    <QueryState
      result={result}
      loading="Loading transactions…"
      empty={connection && !rows.length && !pages.hasPrevious && (filtered ? (
        <EmptyState title="No transaction matches these filters.">
          <button type="button" onClick={onClear}>Clear filters</button>
        </EmptyState>
      ) : (
        <EmptyState title="No transactions yet.">
          <p><Link to="/finance/import">Import a bank file</Link>, <Link to="/finance/banks">connect a bank</Link>, or first <Link to="/finance/accounts">create an account</Link>.</p>
        </EmptyState>
      ))}
    >
      {({ transactions }) => (
        <>
          <ErrorAlert error={categorized.error ?? linked.error} />
          <DataTable
            caption="Transactions" className="tx-table" rows={rows} rowKey={(row) => row.id}
            columns={[
              {
                header: "Date", className: "nowrap", card: "plain",
                cell: (row) => <>{formatDate(row.bookingDate)}{row.status === "PENDING" ? <><br /><span className="badge badge-busy">Pending</span></> : null}</>,
              },
              {
                header: "Description", card: "plain",
                cell: (row) => <><div>{row.description || "—"}</div>{row.counterpartyName ? <div className="muted small">{row.counterpartyName}</div> : null}</>,
              },
              { header: "Account", className: "tx-account", card: "plain", cell: (row) => row.account.name },
              {
                header: "Category", card: "plain",
                cell: (row) => (
                  <CategorySelect categories={categories} emptyLabel="Uncategorised" aria-label={`Category for ${rowLabel(row)}`}
                    value={row.category?.id ?? ""} onChange={(e) => void categorize({ id: row.id, categoryId: e.target.value || null })} />
                ),
              },
              {
                header: "Tags", card: "plain",
                cell: (row) => <TagEditor entityType="TRANSACTION" entityId={row.id} entityLabel={rowLabel(row)} tags={row.tags} allTags={tags} onChanged={refresh} />,
              },
              clients.length > 0 && {
                header: "Client", card: "plain",
                cell: (row) => (
                  <select aria-label={`Client for ${rowLabel(row)}`} value={row.client?.id ?? ""} onChange={(e) => void link({ id: row.id, clientId: e.target.value || null })}>
                    <option value="">No client</option>
                    {clients.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                ),
              },
              { header: "Amount", numeric: true, card: "aside", cell: (row) => <Money amount={row.amount} currency={row.currency} /> },
            ]}
          />
          <KeysetPager label="Transaction pages" hasPrevious={pages.hasPrevious} hasNext={transactions.pageInfo.hasNextPage}
            onPrevious={pages.previous} onNext={() => pages.next(transactions.pageInfo.endCursor)} />
        </>
      )}
    </QueryState>
  );
}

/** How a row's controls name it: "Coffee on 2 Jan 2025". */
function rowLabel(row: Row): string {
  return `${row.description || row.counterpartyName || "transaction"} on ${formatDate(row.bookingDate)}`;
}
