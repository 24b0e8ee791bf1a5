import { useState } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge, statusLabel } from "../../components/Badge";
import { DataTable, RowAction } from "../../components/DataTable";
import { EditDialog } from "../../components/EditDialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { AccountType, FinanceAccountsQuery } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime, sumDecimals } from "../../lib/format";
import { ACCOUNT_TYPES, orNull } from "./common";

graphql(`
  fragment FinanceAccountFields on Account {
    id name institution iban currency type source openingBalance balance archived lastSyncedAt
    connection { id institutionName status }
  }
`);
const AccountsQuery = graphql(`
  query FinanceAccounts($includeArchived: Boolean!) { accounts(includeArchived: $includeArchived) { ...FinanceAccountFields } }
`);
const CreateAccount = graphql(`
  mutation FinanceCreateAccount($input: CreateAccountInput!) { createAccount(input: $input) { ...FinanceAccountFields } }
`);
const UpdateAccount = graphql(`
  mutation FinanceUpdateAccount($id: ID!, $input: UpdateAccountInput!) { updateAccount(id: $id, input: $input) { ...FinanceAccountFields } }
`);
const ArchiveAccount = graphql(`
  mutation FinanceArchiveAccount($id: ID!, $archived: Boolean!) { archiveAccount(id: $id, archived: $archived) { ...FinanceAccountFields } }
`);

// Named so the first account created refetches the (then empty) list.
const ACCOUNT_TYPENAMES = { additionalTypenames: ["Account"] };

type AccountRow = FinanceAccountsQuery["accounts"][number];

/** Balances summed per currency, exactly. */
export function totalsByCurrency(accounts: readonly { currency: string; balance: string; archived: boolean }[]) {
  const by = new Map<string, string[]>();
  for (const a of accounts) if (!a.archived) by.set(a.currency, [...(by.get(a.currency) ?? []), a.balance]);
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, values]) => ({ currency, total: sumDecimals(values) }));
}

export default function Accounts() {
  const [showArchived, setShowArchived] = useState(false);
  const [result] = useQuery({ query: AccountsQuery, variables: { includeArchived: showArchived }, context: ACCOUNT_TYPENAMES });
  const [archived, archive] = useMutation(ArchiveAccount);
  const [editing, setEditing] = useState<AccountRow | "new" | null>(null);
  const accounts = result.data?.accounts ?? [];
  const newAccount = <button type="button" className="primary" onClick={() => setEditing("new")}>New account</button>;

  return (
    <>
      <PageHeader title="Accounts" description="Bank accounts, cards and cash you keep track of." actions={newAccount} />
      <ErrorAlert error={archived.error} />
      {accounts.length ? (
        <div className="grid totals" aria-label="Balances by currency" role="group">
          {totalsByCurrency(accounts).map((t) => (
            <div className="card" key={t.currency}>
              <div className="muted small">Total {t.currency}</div>
              <div className="stat"><Money amount={t.total} currency={t.currency} /></div>
            </div>
          ))}
        </div>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} /> Show archived accounts
      </label>
      <QueryState
        result={result}
        loading="Loading accounts…"
        empty={!accounts.length && (
          <EmptyState title={showArchived ? "No accounts at all yet." : "No accounts yet."}>
            <p>Create one by hand (a name and a currency are enough), or <Link to="/finance/banks">connect a bank</Link>.</p>
            {newAccount}
          </EmptyState>
        )}
      >
        <DataTable
          caption="Accounts" rows={accounts} rowKey={(a) => a.id}
          columns={[
            {
              header: "Name", card: "title",
              cell: (a) => <><Link to={`/finance/transactions?account=${a.id}`}>{a.name}</Link>{a.archived ? <> <Badge>Archived</Badge></> : null}</>,
            },
            { header: "Type", cell: (a) => statusLabel(a.type) },
            { header: "Source", cell: (a) => (a.connection ? <>{statusLabel(a.source)} <Badge>{a.connection.status}</Badge></> : statusLabel(a.source)) },
            { header: "Institution", cell: (a) => a.institution ?? a.connection?.institutionName ?? "—" },
            { header: "IBAN", className: "nowrap", cell: (a) => (a.iban ? formatIban(a.iban) : "—") },
            { header: "Last sync", cell: (a) => (a.lastSyncedAt ? formatDateTime(a.lastSyncedAt) : "—") },
            { header: "Balance", numeric: true, card: "aside", cell: (a) => <Money amount={a.balance} currency={a.currency} /> },
          ]}
          actions={(a) => (
            <>
              <RowAction label="Edit" subject={a.name} onClick={() => setEditing(a)} />
              <RowAction label={a.archived ? "Unarchive" : "Archive"} subject={a.name} disabled={archived.fetching}
                onClick={() => void archive({ id: a.id, archived: !a.archived })} />
            </>
          )}
        />
      </QueryState>
      {editing !== null ? <AccountDialog account={editing === "new" ? null : editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

function formatIban(iban: string): string {
  return iban.replace(/(.{4})/g, "$1 ").trim();
}

const ACCOUNT_FIELDS = ["name", "currency", "type", "institution", "iban", "openingBalance"] as const;

function AccountDialog({ account, onClose }: { account: AccountRow | null; onClose: () => void }) {
  const [name, setName] = useState(account?.name ?? "");
  const [currency, setCurrency] = useState(account?.currency ?? "EUR");
  const [type, setType] = useState<AccountType>(account?.type ?? "CHECKING");
  const [institution, setInstitution] = useState(account?.institution ?? "");
  const [iban, setIban] = useState(account?.iban ?? "");
  const [opening, setOpening] = useState(account?.openingBalance ?? "");
  const [created, create] = useMutation(CreateAccount);
  const [updated, update] = useMutation(UpdateAccount);
  const errors = fieldErrors(created.error ?? updated.error, ACCOUNT_FIELDS);
  const synced = account?.connection != null;

  const submit = async () => {
    const common = {
      name: name.trim(), currency: currency.trim().toUpperCase(), type,
      institution: orNull(institution), iban: orNull(iban),
    };
    const openingBalance = orNull(opening.replace(",", "."));
    const outcome = account
      ? await update({ id: account.id, input: { ...common, openingBalance } })  // empty: back to 0
      : await create({ input: { ...common, openingBalance } });
    if (!outcome.error) onClose();
  };

  return (
    <EditDialog
      title={account ? "Edit account" : "New account"} submitLabel={account ? "Save" : "Create account"}
      busy={created.fetching || updated.fetching} errors={errors.others} onSubmit={submit} onClose={onClose}
    >
      <div className="form-grid">
        <Field label="Name" error={errors.field("name")}>
          <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </Field>
        <Field label="Currency" hint="ISO code, e.g. EUR" error={errors.field("currency")}>
          <input required value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3} pattern="[A-Za-z]{3}" disabled={synced} />
        </Field>
        <Field label="Type" error={errors.field("type")}>
          <select value={type} onChange={(e) => setType(e.target.value as AccountType)}>
            {ACCOUNT_TYPES.map((t) => <option key={t} value={t}>{statusLabel(t)}</option>)}
          </select>
        </Field>
        <Field label="Institution" hint="Optional" error={errors.field("institution")}>
          <input value={institution} onChange={(e) => setInstitution(e.target.value)} />
        </Field>
        <Field label="IBAN" hint="Optional" error={errors.field("iban")}>
          <input value={iban} onChange={(e) => setIban(e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Opening balance" hint="Optional; the balance before the first transaction" error={errors.field("openingBalance")}>
          <input inputMode="decimal" value={opening} onChange={(e) => setOpening(e.target.value)} />
        </Field>
      </div>
    </EditDialog>
  );
}
