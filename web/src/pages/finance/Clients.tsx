import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { DataTable } from "../../components/DataTable";
import { EditDialog } from "../../components/EditDialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { ClientInput, FinanceClientFieldsFragment } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { orNull } from "./common";
import { TagChip } from "./TagEditor";

graphql(`
  fragment FinanceClientFields on Client {
    id name businessName taxId email phone address currency paymentTermsDays notes createdAt
    tags { id name color }
    totals { currency income expenses count }
  }
`);
const ClientsQuery = graphql(`query FinanceClients { clients { ...FinanceClientFields } }`);
const CreateClient = graphql(`
  mutation FinanceCreateClient($input: ClientInput!) { createClient(input: $input) { ...FinanceClientFields } }
`);
export const UpdateClient = graphql(`
  mutation FinanceUpdateClient($id: ID!, $input: ClientInput!) { updateClient(id: $id, input: $input) { ...FinanceClientFields } }
`);

export type ClientView = FinanceClientFieldsFragment;
const CLIENT_TYPES = { additionalTypenames: ["Client"] };

export default function Clients() {
  const [result] = useQuery({ query: ClientsQuery, context: CLIENT_TYPES });
  const [creating, setCreating] = useState(false);
  const clients = result.data?.clients ?? [];
  const newClient = <button type="button" className="primary" onClick={() => setCreating(true)}>New client</button>;
  // Totals are per currency: one line each.
  const perCurrency = (c: ClientView, amount: (t: ClientView["totals"][number]) => string) =>
    c.totals.length ? c.totals.map((t) => <div key={t.currency}><Money amount={amount(t)} currency={t.currency} /></div>) : "—";
  return (
    <>
      <PageHeader title="Clients" description="People and companies you invoice or pay; link transactions to them to see what each one brings in."
        actions={newClient} />
      <QueryState
        result={result}
        loading="Loading clients…"
        empty={!clients.length && (
          <EmptyState title="No clients yet.">
            <p>Add one, then link its payments on the <Link to="/finance/transactions">Transactions</Link> page or with a <Link to="/finance/rules">rule</Link>.</p>
            {newClient}
          </EmptyState>
        )}
      >
        <DataTable
          caption="Clients" rows={clients} rowKey={(c) => c.id}
          columns={[
            { header: "Name", card: "title", cell: (c) => <Link to={`/finance/clients/${c.id}`}>{c.name}</Link> },
            { header: "Business", cell: (c) => c.businessName ?? "—" },
            { header: "Email", cell: (c) => (c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : "—") },
            { header: "Tags", cell: (c) => <div className="row">{c.tags.map((t) => <TagChip key={t.id} tag={t} />)}</div> },
            { header: "Income", numeric: true, cell: (c) => perCurrency(c, (t) => t.income) },
            { header: "Expenses", numeric: true, cell: (c) => perCurrency(c, (t) => t.expenses) },
            { header: "Transactions", numeric: true, cell: (c) => c.totals.reduce((n, t) => n + t.count, 0) },
          ]}
        />
      </QueryState>
      {creating ? <ClientDialog client={null} onClose={() => setCreating(false)} /> : null}
    </>
  );
}

const TEXT_FIELDS = [
  ["name", "Name"], ["businessName", "Business name"], ["taxId", "Tax ID"], ["email", "Email"], ["phone", "Phone"], ["currency", "Currency"],
] as const;
const CLIENT_FIELDS = [...TEXT_FIELDS.map(([key]) => key), "paymentTermsDays", "address", "notes"] as const;

/** The input: blank fields become null, so clearing one clears it on the server. */
export function clientInput(values: Record<string, string>): ClientInput {
  const terms = values.paymentTermsDays?.trim();
  return {
    name: values.name?.trim() ?? "",
    businessName: orNull(values.businessName ?? ""), taxId: orNull(values.taxId ?? ""), email: orNull(values.email ?? ""),
    phone: orNull(values.phone ?? ""), currency: orNull(values.currency ?? "")?.toUpperCase() ?? null,
    paymentTermsDays: terms ? Number(terms) : null,
    // Addresses and notes keep their line breaks; only the ends are trimmed.
    address: orNull(values.address ?? ""), notes: orNull(values.notes ?? ""),
  };
}

/** Create a client, or edit one; `onClose` gets the client's id after a save. */
export function ClientDialog({ client, onClose }: { client: ClientView | null; onClose: (id?: string) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() => ({
    name: client?.name ?? "", businessName: client?.businessName ?? "", taxId: client?.taxId ?? "", email: client?.email ?? "",
    phone: client?.phone ?? "", currency: client?.currency ?? "", paymentTermsDays: client?.paymentTermsDays?.toString() ?? "",
    address: client?.address ?? "", notes: client?.notes ?? "",
  }));
  const [created, create] = useMutation(CreateClient);
  const [updated, update] = useMutation(UpdateClient);
  const errors = fieldErrors(created.error ?? updated.error, CLIENT_FIELDS);
  const set = (key: string, value: string) => setValues((v) => ({ ...v, [key]: value }));

  const submit = async () => {
    const input = clientInput(values);
    if (client) {
      const outcome = await update({ id: client.id, input });
      if (!outcome.error) onClose(client.id);
    } else {
      const outcome = await create({ input });
      if (outcome.data) onClose(outcome.data.createClient.id);
    }
  };

  return (
    <EditDialog
      title={client ? "Edit client" : "New client"} submitLabel={client ? "Save" : "Create client"}
      busy={created.fetching || updated.fetching} errors={errors.others} onSubmit={submit} onClose={() => onClose()}
    >
      <div className="form-grid">
        {TEXT_FIELDS.map(([key, label]) => (
          <Field key={key} label={label} error={errors.field(key)} hint={key === "currency" ? "ISO code, e.g. EUR" : undefined}>
            <input value={values[key]} onChange={(e) => set(key, e.target.value)} required={key === "name"}
              type={key === "email" ? "email" : key === "phone" ? "tel" : "text"} maxLength={key === "currency" ? 3 : 300} />
          </Field>
        ))}
        <Field label="Payment terms (days)" error={errors.field("paymentTermsDays")}>
          <input type="number" min={0} max={365} value={values.paymentTermsDays} onChange={(e) => set("paymentTermsDays", e.target.value)} />
        </Field>
      </div>
      <Field label="Address" error={errors.field("address")}>
        <textarea rows={3} value={values.address} onChange={(e) => set("address", e.target.value)} />
      </Field>
      <Field label="Notes" error={errors.field("notes")}>
        <textarea rows={4} value={values.notes} onChange={(e) => set("notes", e.target.value)} />
      </Field>
    </EditDialog>
  );
}
