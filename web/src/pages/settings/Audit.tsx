import { useState } from "react";
import { useQuery } from "urql";
import { DataTable } from "../../components/DataTable";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import { formatDateTime } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";

const AuditQuery = graphql(`
  query SettingsAuditLog($first: Int!, $after: String, $action: String) {
    auditLog(first: $first, after: $after, action: $action) {
      edges {
        node {
          id createdAt action actorEmail targetType targetId ip requestId details
          actor { id email fullName }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// The actions the server records, offered as suggestions (the filter matches one exactly).
export const AUDIT_ACTIONS = [
  "auth.login", "auth.login_failed", "auth.login_throttled", "auth.logout", "auth.refresh_token_reuse",
  "user.created", "user.role_changed", "user.activated", "user.deactivated", "user.password_changed",
  "user.password_change_failed", "user.password_reset", "integration.set", "integration.deleted",
  "integration.tested", "notification.test", "telegram.webhook.registered", "telegram.webhook.deleted",
];

const PAGE = 50;

/** Details as "key: value" pairs; nested values as compact JSON. */
export function describeDetails(details: unknown): string {
  let value = details;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return value as string;
    }
  }
  if (value === null || value === undefined) return "";
  if (typeof value !== "object" || Array.isArray(value)) return JSON.stringify(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([key, v]) => `${key}: ${typeof v === "string" ? v : Array.isArray(v) ? v.join(", ") : JSON.stringify(v)}`)
    .join("; ");
}

export function Audit() {
  const [action, setAction] = useState("");
  const filter = useDebounced(action.trim(), 300);
  const keyset = useKeyset();
  const [appliedFilter, setAppliedFilter] = useState(filter);
  // A new filter starts from the newest page again.
  if (appliedFilter !== filter) {
    setAppliedFilter(filter);
    keyset.reset();
  }
  const [result, refetch] = useQuery({
    query: AuditQuery,
    variables: { first: PAGE, after: keyset.after, action: filter || null },
  });
  const log = result.data?.auditLog;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Security events: sign-ins, user changes, integration changes. Newest first."
        actions={<button type="button" onClick={() => refetch({ requestPolicy: "network-only" })}>Refresh</button>}
      />
      <div className="filters">
        <Field label="Action" hint="One action exactly, e.g. auth.login_failed; empty for all.">
          <input type="search" list="audit-actions" value={action} onChange={(e) => setAction(e.target.value)} />
        </Field>
        <datalist id="audit-actions">
          {AUDIT_ACTIONS.map((a) => <option key={a} value={a} />)}
        </datalist>
      </div>
      <QueryState
        result={result}
        empty={log?.edges.length === 0 && (
          <EmptyState title={filter ? `No “${filter}” events.` : "No events yet."}>
            {filter ? <button type="button" onClick={() => setAction("")}>Show every action</button> : "Sign-ins and changes to users and integrations appear here."}
          </EmptyState>
        )}
      >
        {({ auditLog }) => (
          <>
            <DataTable
              caption="Audit log, newest first" rows={auditLog.edges.map((e) => e.node)} rowKey={(event) => event.id}
              columns={[
                { header: "Time", className: "nowrap", card: "title", cell: (event) => formatDateTime(event.createdAt) },
                { header: "Actor", cell: (event) => event.actor?.email ?? event.actorEmail ?? <span className="muted">command line</span> },
                { header: "Action", cell: (event) => <code>{event.action}</code> },
                { header: "Target", cell: (event) => (event.targetType ? `${event.targetType} ${event.targetId ?? ""}` : <span className="muted">—</span>) },
                { header: "IP", cell: (event) => event.ip ?? <span className="muted">—</span> },
                {
                  header: "Details", className: "small",
                  cell: (event) => <span title={event.requestId ? `Request ${event.requestId}` : undefined}>{describeDetails(event.details)}</span>,
                },
              ]}
            />
            <KeysetPager
              label="Audit log pages" hasPrevious={keyset.hasPrevious} hasNext={auditLog.pageInfo.hasNextPage}
              onPrevious={keyset.previous} onNext={() => keyset.next(auditLog.pageInfo.endCursor)}
            />
          </>
        )}
      </QueryState>
    </>
  );
}
