import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge, statusLabel } from "../../components/Badge";
import { Dialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { Money } from "../../components/Money";
import { PageHeader } from "../../components/PageHeader";
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

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Bank accounts, cards and cash you keep track of."
        actions={<button type="button" className="primary" onClick={() => setEditing("new")}>New account</button>}
      />
      <ErrorAlert error={result.error ?? archived.error} />
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
      {!result.data && result.fetching ? <p className="muted" role="status">Loading accounts…</p> : null}
      {result.data && !accounts.length ? (
        <EmptyState title={showArchived ? "No accounts at all yet." : "No accounts yet."}>
          <p>Create one by hand (a name and a currency are enough), or <Link to="/finance/banks">connect a bank</Link>.</p>
          <button type="button" className="primary" onClick={() => setEditing("new")}>New account</button>
        </EmptyState>
      ) : null}
      {accounts.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th><th scope="col">Type</th><th scope="col">Source</th><th scope="col">Institution</th>
                <th scope="col">IBAN</th><th scope="col">Last sync</th><th scope="col" className="num">Balance</th><th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/finance/transactions?account=${a.id}`}>{a.name}</Link>
                    {a.archived ? <> <Badge>Archived</Badge></> : null}
                  </td>
                  <td>{statusLabel(a.type)}</td>
                  <td>{a.connection ? <>{statusLabel(a.source)} <Badge>{a.connection.status}</Badge></> : statusLabel(a.source)}</td>
                  <td>{a.institution ?? a.connection?.institutionName ?? "—"}</td>
                  <td className="nowrap">{a.iban ? formatIban(a.iban) : "—"}</td>
                  <td>{a.lastSyncedAt ? formatDateTime(a.lastSyncedAt) : "—"}</td>
                  <td className="num"><Money amount={a.balance} currency={a.currency} /></td>
                  <td>
                    <div className="actions nowrap">
                      <button type="button" onClick={() => setEditing(a)} aria-label={`Edit ${a.name}`}>Edit</button>
                      <button type="button" disabled={archived.fetching} onClick={() => void archive({ id: a.id, archived: !a.archived })}
                        aria-label={`${a.archived ? "Unarchive" : "Archive"} ${a.name}`}>{a.archived ? "Unarchive" : "Archive"}</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={editing !== null} title={editing === "new" ? "New account" : "Edit account"} onClose={() => setEditing(null)}>
        {editing !== null ? <AccountForm account={editing === "new" ? null : editing} onDone={() => setEditing(null)} /> : null}
      </Dialog>
    </>
  );
}

function formatIban(iban: string): string {
  return iban.replace(/(.{4})/g, "$1 ").trim();
}

const ACCOUNT_FIELDS = ["name", "currency", "type", "institution", "iban", "openingBalance"] as const;

function AccountForm({ account, onDone }: { account: AccountRow | null; onDone: () => void }) {
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const common = {
      name: name.trim(), currency: currency.trim().toUpperCase(), type,
      institution: orNull(institution), iban: orNull(iban),
    };
    const openingBalance = orNull(opening.replace(",", "."));
    const outcome = account
      ? await update({ id: account.id, input: { ...common, openingBalance } })  // empty: back to 0
      : await create({ input: { ...common, openingBalance } });
    if (!outcome.error) onDone();
  };

  return (
    <form onSubmit={submit}>
      <ErrorAlert errors={errors.others} />
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
      <div className="actions">
        <button type="button" onClick={onDone}>Cancel</button>
        <button type="submit" className="primary" disabled={created.fetching || updated.fetching}>{account ? "Save" : "Create account"}</button>
      </div>
    </form>
  );
}
