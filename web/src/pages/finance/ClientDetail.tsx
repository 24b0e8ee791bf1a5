import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { DataTable } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { Loading, QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import { formatDate } from "../../lib/format";
import { ClientDialog } from "./Clients";
import { useTags } from "./common";
import { TagEditor } from "./TagEditor";
import { FinanceTransactions } from "./Transactions";

const ClientQuery = graphql(`query FinanceClient($id: ID!) { client(id: $id) { ...FinanceClientFields } }`);
const DeleteClient = graphql(`mutation FinanceDeleteClient($id: ID!) { deleteClient(id: $id) }`);

export default function ClientDetail() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [result, refetch] = useQuery({ query: ClientQuery, variables: { id } });
  const { tags } = useTags();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleted, remove] = useMutation(DeleteClient);
  const client = result.data?.client;

  if (result.error && !client) {
    return <><PageHeader title="Client" /><ErrorAlert error={result.error} /><Link to="/finance/clients">Back to clients</Link></>;
  }
  if (!client) return <Loading label="Loading client…" />;

  return (
    <>
      <p className="small"><Link to="/finance/clients">← Clients</Link></p>
      <PageHeader title={client.name} description={client.businessName ?? undefined} actions={<>
        <button type="button" onClick={() => setEditing(true)}>Edit</button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>Delete</button>
      </>} />
      <div className="grid">
        {client.totals.length ? client.totals.map((t) => (
          <div className="card" key={t.currency}>
            <h2 className="small muted">{t.currency} · {t.count} transaction{t.count === 1 ? "" : "s"}</h2>
            <dl className="details">
              <dt>Income</dt><dd><Money amount={t.income} currency={t.currency} /></dd>
              <dt>Expenses</dt><dd><Money amount={t.expenses} currency={t.currency} /></dd>
            </dl>
          </div>
        )) : <div className="card muted">No linked transactions yet, so no totals.</div>}
        <div className="card">
          <h2 className="small muted">Details</h2>
          <dl className="details">
            <dt>Tax ID</dt><dd>{client.taxId ?? "—"}</dd>
            <dt>Email</dt><dd>{client.email ? <a href={`mailto:${client.email}`}>{client.email}</a> : "—"}</dd>
            <dt>Phone</dt><dd>{client.phone ?? "—"}</dd>
            <dt>Currency</dt><dd>{client.currency ?? "—"}</dd>
            <dt>Payment terms</dt><dd>{client.paymentTermsDays != null ? `${client.paymentTermsDays} days` : "—"}</dd>
            <dt>Address</dt><dd className="multiline">{client.address ?? "—"}</dd>
          </dl>
        </div>
      </div>
      {client.notes ? <section className="card"><h2>Notes</h2><p className="multiline">{client.notes}</p></section> : null}
      <section className="card">
        <h2>Tags</h2>
        <TagEditor entityType="CLIENT" entityId={client.id} entityLabel={client.name} tags={client.tags} allTags={tags}
          onChanged={() => refetch({ requestPolicy: "network-only" })} />
      </section>
      <h2>Linked transactions</h2>
      <ClientTransactions clientId={client.id} />
      {editing ? <ClientDialog client={client} onClose={() => setEditing(false)} /> : null}
      <ConfirmDialog open={deleting} title={`Delete ${client.name}?`} danger confirmLabel="Delete" busy={deleted.fetching} error={deleted.error}
        message="The client goes; its transactions stay, without a client." onClose={() => setDeleting(false)}
        onConfirm={async () => {
          if (!(await remove({ id: client.id })).error) navigate("/finance/clients", { replace: true });
        }} />
    </>
  );
}

function ClientTransactions({ clientId }: { clientId: string }) {
  const pages = useKeyset();
  const [result] = useQuery({ query: FinanceTransactions, variables: { first: 25, after: pages.after, filter: { clientIds: [clientId] } } });
  const connection = result.data?.transactions;
  return (
    <QueryState
      result={result}
      loading="Loading transactions…"
      empty={connection && !connection.edges.length && !pages.hasPrevious && (
        <EmptyState title="No transactions linked to this client.">
          <p>Pick the client in a transaction's row on the <Link to="/finance/transactions">Transactions</Link> page, or let a <Link to="/finance/rules">rule</Link> assign them.</p>
        </EmptyState>
      )}
    >
      {({ transactions }) => (
        <>
          <DataTable
            caption="Transactions linked to this client" rows={transactions.edges.map((e) => e.node)} rowKey={(t) => t.id}
            columns={[
              { header: "Date", className: "nowrap", card: "plain", cell: (t) => formatDate(t.bookingDate) },
              { header: "Description", card: "plain", cell: (t) => <>{t.description}{t.counterpartyName ? <div className="muted small">{t.counterpartyName}</div> : null}</> },
              { header: "Account", cell: (t) => t.account.name },
              { header: "Category", cell: (t) => t.category?.name ?? "—" },
              { header: "Amount", numeric: true, card: "aside", cell: (t) => <Money amount={t.amount} currency={t.currency} /> },
            ]}
          />
          <KeysetPager label="Client transaction pages" hasPrevious={pages.hasPrevious} hasNext={transactions.pageInfo.hasNextPage}
            onPrevious={pages.previous} onNext={() => pages.next(transactions.pageInfo.endCursor)} />
          <p><Link to={`/finance/transactions?client=${clientId}`}>Open in Transactions</Link> to categorise or tag them.</p>
        </>
      )}
    </QueryState>
  );
}
