// Bank connections (PSD2 through GoCardless or Enable Banking): pick a bank, give consent on its
// page, come back here (?bankConnection=&bankStatus=), then sync its accounts as a job.
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Alert, ErrorAlert } from "../../components/Alert";
import { Badge, statusLabel } from "../../components/Badge";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { JobProgress } from "../../components/ProgressBar";
import { graphql } from "../../gql";
import type { BankProvider, FinanceBankConnectionsQuery } from "../../gql/graphql";
import { fieldErrors } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { isFinished, useJob } from "../../lib/useJob";
import { usePollWhile } from "../../lib/usePollWhile";

const Connections = graphql(`
  query FinanceBankConnections {
    bankConnections {
      id provider institutionId institutionName status consentExpiresAt lastSyncedAt lastError createdAt nextSyncAt
      accounts { id name iban currency }
    }
  }
`);
const Institutions = graphql(`
  query FinanceBankInstitutions($provider: BankProvider!, $country: String!) {
    bankInstitutions(provider: $provider, country: $country) { id name bic countries maxHistoryDays maxConsentDays }
  }
`);
const Connect = graphql(`
  mutation FinanceConnectBank($provider: BankProvider!, $institutionId: String!, $redirectUrl: String!) {
    connectBank(provider: $provider, institutionId: $institutionId, redirectUrl: $redirectUrl) { url connection { id status } }
  }
`);
const Sync = graphql(`
  mutation FinanceSyncBankAccounts($connectionId: ID!) { syncBankAccounts(connectionId: $connectionId) { id state } }
`);
const Disconnect = graphql(`
  mutation FinanceDisconnectBank($connectionId: ID!) { disconnectBank(connectionId: $connectionId) { id status } }
`);

type Connection = FinanceBankConnectionsQuery["bankConnections"][number];

const PROVIDERS: { value: BankProvider; label: string }[] = [
  { value: "GOCARDLESS", label: "GoCardless Bank Account Data" },
  { value: "ENABLE_BANKING", label: "Enable Banking" },
];

/** What the bank's return trip says, in words. */
export function returnMessage(status: string | null): { tone: "success" | "error" | "info"; text: string } | null {
  if (!status) return null;
  switch (status) {
    case "LINKED": return { tone: "success", text: "The bank is connected. Its accounts and transactions are being fetched now." };
    case "PENDING": return { tone: "info", text: "The bank has not confirmed the consent yet. Check again in a moment." };
    case "REJECTED": return { tone: "error", text: "The consent was refused or cancelled at the bank. Nothing was connected." };
    case "EXPIRED": return { tone: "error", text: "The consent expired before it was completed. Connect again." };
    default: return { tone: "error", text: `The bank connection ended as ${statusLabel(status).toLowerCase()}. See its details below.` };
  }
}

export default function Banks() {
  const [params, setParams] = useSearchParams();
  const [result, refetch] = useQuery({ query: Connections });
  const outcome = returnMessage(params.get("bankStatus"));
  const connections = result.data?.bankConnections ?? [];
  // A consent the bank has not confirmed yet, or a new link whose first sync (queued by the
  // callback) has not brought its accounts: keep the cards current.
  const settling = connections.some((c) => c.status === "PENDING" || (c.status === "LINKED" && !c.lastSyncedAt));
  usePollWhile(settling, useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]), 4000);

  return (
    <>
      <PageHeader title="Bank connections" description="Link a bank account through a licensed provider; transactions are fetched on sync." />
      {outcome ? (
        <Alert tone={outcome.tone}>
          {outcome.text}{" "}
          <button type="button" className="link" onClick={() => setParams({}, { replace: true })}>Dismiss</button>
        </Alert>
      ) : null}
      <ConnectForm />
      <h2>Your connections</h2>
      <QueryState
        result={result}
        loading="Loading connections…"
        empty={!connections.length && (
          <EmptyState title="No bank connected yet.">
            <p>Choose a provider, a country and your bank above, then give consent on the bank's page. Or <Link to="/finance/import">import a statement file</Link> instead.</p>
          </EmptyState>
        )}
      >
        <div className="grid connections">
          {connections.map((c) => (
            <ConnectionCard key={c.id} connection={c} highlighted={params.get("bankConnection") === c.id}
              onChanged={() => refetch({ requestPolicy: "network-only" })} />
          ))}
        </div>
      </QueryState>
    </>
  );
}

function ConnectForm() {
  const [provider, setProvider] = useState<BankProvider>("GOCARDLESS");
  const [country, setCountry] = useState("");
  const [asked, setAsked] = useState<{ provider: BankProvider; country: string } | null>(null);
  const [institutionId, setInstitutionId] = useState("");
  const [filter, setFilter] = useState("");
  const [institutions] = useQuery({
    query: Institutions, variables: asked ?? { provider, country: "" }, pause: !asked,
  });
  const [connected, connect] = useMutation(Connect);
  const banks = institutions.data?.bankInstitutions ?? [];
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? banks.filter((b) => b.name.toLowerCase().includes(needle) || b.bic?.toLowerCase().includes(needle)) : banks;
  }, [banks, filter]);
  const chosen = banks.find((b) => b.id === institutionId);
  const errors = fieldErrors(institutions.error ?? connected.error, ["provider", "country", ...(banks.length ? ["institutionId"] : [])]);

  const find = (event: FormEvent) => {
    event.preventDefault();
    setInstitutionId("");
    setAsked({ provider, country: country.trim().toUpperCase() });
  };

  const start = async () => {
    if (!asked || !institutionId) return;
    const outcome = await connect({ provider: asked.provider, institutionId, redirectUrl: `${location.origin}/finance/banks` });
    const url = outcome.data?.connectBank.url;
    // Off to the bank's consent page; it sends the browser back here.
    if (url) window.location.assign(url);
  };

  return (
    <section className="card" aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect a bank</h2>
      <form className="filters" onSubmit={find}>
        <Field label="Provider" error={errors.field("provider")}>
          <select value={provider} onChange={(e) => setProvider(e.target.value as BankProvider)}>
            {PROVIDERS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
          </select>
        </Field>
        <Field label="Country" hint="Two letters, e.g. DE" error={errors.field("country")}>
          <input required value={country} onChange={(e) => setCountry(e.target.value)} maxLength={2} size={4} pattern="[A-Za-z]{2}" autoComplete="country" />
        </Field>
        <button type="submit" disabled={institutions.fetching}>{institutions.fetching ? "Finding banks…" : "Find banks"}</button>
      </form>
      <ErrorAlert errors={errors.others} />
      {asked && institutions.data ? (
        banks.length ? (
          <div className="filters">
            <Field label="Filter banks">
              <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
            </Field>
            <Field label="Bank" hint={chosen?.maxHistoryDays ? `Up to ${chosen.maxHistoryDays} days of history` : undefined} error={errors.field("institutionId")}>
              <select value={institutionId} onChange={(e) => setInstitutionId(e.target.value)}>
                <option value="">Choose a bank ({shown.length})…</option>
                {shown.map((b) => <option key={b.id} value={b.id}>{b.name}{b.bic ? ` (${b.bic})` : ""}</option>)}
              </select>
            </Field>
            <button type="button" className="primary" disabled={!institutionId || connected.fetching} onClick={() => void start()}>
              {connected.fetching ? "Opening the bank…" : "Connect"}
            </button>
          </div>
        ) : <p className="muted">{PROVIDERS.find((p) => p.value === asked.provider)?.label} offers no bank in {asked.country}.</p>
      ) : null}
    </section>
  );
}

function ConnectionCard({ connection: c, highlighted, onChanged }: { connection: Connection; highlighted: boolean; onChanged: () => void }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [synced, sync] = useMutation(Sync);
  const [disconnected, disconnect] = useMutation(Disconnect);
  const job = useJob(jobId);
  const running = Boolean(jobId) && !isFinished(job);

  // A finished sync changed the accounts, their last sync and the next allowed one.
  useEffect(() => {
    if (isFinished(job)) onChanged();
    // onChanged is a fresh closure each render; the job finishing is the event.
  }, [job?.state]);

  return (
    <article className={`card${highlighted ? " highlighted" : ""}`} aria-labelledby={`bank-${c.id}`}>
      <h3 id={`bank-${c.id}`}>{c.institutionName} <Badge>{c.status}</Badge></h3>
      <dl className="details">
        <dt>Provider</dt><dd>{PROVIDERS.find((p) => p.value === c.provider)?.label ?? c.provider}</dd>
        <dt>Consent expires</dt><dd>{formatDateTime(c.consentExpiresAt)}</dd>
        <dt>Last sync</dt><dd>{formatDateTime(c.lastSyncedAt)}</dd>
        {c.status === "LINKED" ? <><dt>Next full sync</dt><dd>{c.nextSyncAt ? formatDateTime(c.nextSyncAt) : "—"}</dd></> : null}
        <dt>Accounts</dt>
        <dd>
          {c.accounts.length ? (
            <ul className="plain">
              {c.accounts.map((a) => <li key={a.id}><Link to={`/finance/transactions?account=${a.id}`}>{a.name}</Link> <span className="muted small">{a.currency}</span></li>)}
            </ul>
          ) : "None yet: sync to fetch them."}
        </dd>
      </dl>
      {c.lastError ? <Alert tone="warning">{c.lastError}</Alert> : null}
      <ErrorAlert error={synced.error} />
      {jobId ? <JobProgress job={job} label={`Syncing ${c.institutionName}`} /> : null}
      <div className="actions">
        {c.status === "LINKED" ? (
          <button type="button" className="primary" disabled={running || synced.fetching} onClick={async () => {
            const outcome = await sync({ connectionId: c.id });
            if (outcome.data) setJobId(outcome.data.syncBankAccounts.id);
          }}>{running ? "Syncing…" : "Sync now"}</button>
        ) : null}
        {c.status === "LINKED" || c.status === "PENDING" ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>Disconnect</button>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirming} title={`Disconnect ${c.institutionName}?`} danger busy={disconnected.fetching} error={disconnected.error} confirmLabel="Disconnect"
        message="The consent ends at the provider and no more transactions are fetched. The accounts and their transactions stay."
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          const outcome = await disconnect({ connectionId: c.id });
          if (!outcome.error) {
            setConfirming(false);
            onChanged();
          }
        }}
      />
    </article>
  );
}
