import { useCallback, useState } from "react";
import { useMutation, useQuery } from "urql";
import { ErrorAlert } from "../../components/Alert";
import { Badge, statusLabel } from "../../components/Badge";
import { DataTable, RowAction } from "../../components/DataTable";
import { ConfirmDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/EmptyState";
import { Field } from "../../components/Field";
import { KeysetPager, useKeyset } from "../../components/KeysetPager";
import { PageHeader } from "../../components/PageHeader";
import { ProgressBar } from "../../components/ProgressBar";
import { QueryState } from "../../components/QueryState";
import { graphql } from "../../gql";
import type { JobState, SettingsJobsQuery } from "../../gql/graphql";
import { formatDateTime } from "../../lib/format";
import { usePollWhile } from "../../lib/usePollWhile";
import { useSession } from "../../lib/useSession";

const JobsQuery = graphql(`
  query SettingsJobs($first: Int!, $after: String, $state: JobState) {
    jobs(first: $first, after: $after, state: $state) {
      edges {
        node {
          id kind state progress message error attempts maxAttempts
          runAt createdAt startedAt finishedAt owner { id email }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const RetryJob = graphql(`mutation SettingsRetryJob($id: ID!) { retryJob(id: $id) { id state attempts error message progress runAt } }`);
const CancelJob = graphql(`mutation SettingsCancelJob($id: ID!) { cancelJob(id: $id) { id state message finishedAt } }`);

type Job = SettingsJobsQuery["jobs"]["edges"][number]["node"];

const STATES: JobState[] = ["QUEUED", "RUNNING", "SUCCEEDED", "DEAD", "CANCELLED"];
const PAGE = 25;
/** While something runs, the list refreshes this often (cheaper than a subscription per row). */
export const POLL_MS = 3000;

/** Its progress while it runs, what it says, and its error. */
function JobStatus({ job }: { job: Job }) {
  return (
    <>
      {job.state === "RUNNING" ? <ProgressBar value={job.progress} label={`Progress of job ${job.id}`} /> : null}
      <div>{job.message || (job.state === "QUEUED" ? `Waits until ${formatDateTime(job.runAt)}` : "")}</div>
      {job.error ? <div className="field-error small">{job.error}</div> : null}
    </>
  );
}

export const isActive = (job: { state: string }) => job.state === "QUEUED" || job.state === "RUNNING";
export const canRetry = (job: { state: string }) => job.state === "DEAD" || job.state === "CANCELLED";

export function Jobs() {
  const session = useSession();
  const admin = session?.user.role === "ADMIN";
  const [state, setState] = useState<JobState | "">("");
  const keyset = useKeyset();
  const [result, refetch] = useQuery({
    query: JobsQuery,
    variables: { first: PAGE, after: keyset.after, state: state || null },
  });
  const [retried, retry] = useMutation(RetryJob);
  const [cancelled, cancel] = useMutation(CancelJob);
  const [cancelling, setCancelling] = useState<Job | null>(null);
  const jobs = result.data?.jobs;
  const running = Boolean(jobs?.edges.some((e) => isActive(e.node)));

  // Follow running jobs by polling the page while any of them is queued or running.
  const reload = useCallback(() => refetch({ requestPolicy: "network-only" }), [refetch]);
  usePollWhile(running, reload, POLL_MS);

  const confirmCancel = async () => {
    if (!cancelling) return;
    const outcome = await cancel({ id: cancelling.id });
    if (!outcome.error) {
      setCancelling(null);
      refetch({ requestPolicy: "network-only" });
    }
  };

  return (
    <>
      <PageHeader
        title="Jobs"
        description={admin ? "Background work of every user: imports, syncs, backtests, document analysis." : "Your background work: imports, syncs, backtests, document analysis."}
        actions={<button type="button" onClick={() => refetch({ requestPolicy: "network-only" })}>Refresh</button>}
      />
      <div className="filters">
        <Field label="State">
          <select value={state} onChange={(e) => { setState(e.target.value as JobState | ""); keyset.reset(); }}>
            <option value="">Any state</option>
            {STATES.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
          </select>
        </Field>
        {running ? <p className="small muted" role="status">Updating every few seconds while jobs run.</p> : null}
      </div>
      <ErrorAlert error={retried.error} />
      <QueryState
        result={result}
        empty={jobs?.edges.length === 0 && (
          <EmptyState title={state ? `No ${statusLabel(state).toLowerCase()} jobs.` : "No jobs yet."}>
            {state ? <button type="button" onClick={() => { setState(""); keyset.reset(); }}>Show jobs in any state</button>
              : "Imports, bank syncs, long backtests and document analysis run as jobs and show up here."}
          </EmptyState>
        )}
      >
        {({ jobs }) => (
          <>
            <DataTable
              caption="Jobs, newest first" rows={jobs.edges.map((e) => e.node)} rowKey={(job) => job.id}
              columns={[
                { header: "Kind", card: "title", cell: (job) => <><code>{job.kind}</code><div className="small muted">#{job.id}</div></> },
                admin && { header: "Owner", cell: (job) => job.owner?.email ?? <span className="muted">system</span> },
                { header: "State", cell: (job) => <Badge>{job.state}</Badge> },
                { header: "Progress", className: "job-progress-cell", cell: (job) => <JobStatus job={job} /> },
                { header: "Attempts", numeric: true, cell: (job) => `${job.attempts} / ${job.maxAttempts}` },
                {
                  header: "Times", className: "small",
                  cell: (job) => (
                    <>
                      <div>Created {formatDateTime(job.createdAt)}</div>
                      {job.startedAt ? <div>Started {formatDateTime(job.startedAt)}</div> : null}
                      {job.finishedAt ? <div>Finished {formatDateTime(job.finishedAt)}</div> : null}
                    </>
                  ),
                },
              ]}
              actions={(job) => (
                <>
                  {isActive(job) ? <RowAction label="Cancel" subject={`job ${job.id}`} onClick={() => setCancelling(job)} /> : null}
                  {canRetry(job) ? (
                    <RowAction label="Retry" subject={`job ${job.id}`} disabled={retried.fetching}
                      onClick={() => void retry({ id: job.id }).then(() => refetch({ requestPolicy: "network-only" }))} />
                  ) : null}
                </>
              )}
            />
            <KeysetPager
              label="Jobs pages" hasPrevious={keyset.hasPrevious} hasNext={jobs.pageInfo.hasNextPage}
              onPrevious={keyset.previous} onNext={() => keyset.next(jobs.pageInfo.endCursor)}
            />
          </>
        )}
      </QueryState>
      <ConfirmDialog
        open={Boolean(cancelling)} title="Cancel this job?" confirmLabel="Cancel job" danger
        busy={cancelled.fetching} error={cancelled.error}
        message={cancelling ? <><code>{cancelling.kind}</code> #{cancelling.id} stops; you can retry it later.</> : null}
        onConfirm={confirmCancel} onClose={() => setCancelling(null)}
      />
    </>
  );
}
