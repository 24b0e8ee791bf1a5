import type { JobFieldsFragment } from "../gql/graphql";
import { Badge, statusLabel } from "./Badge";

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress">
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-value">{percent}%</span>
    </div>
  );
}

/** A job's state, progress and message; its error when it failed. */
export function JobProgress({ job, label }: { job: JobFieldsFragment | null; label: string }) {
  if (!job) return <p className="muted" role="status">Starting…</p>;
  return (
    <div className="job-progress" aria-live="polite">
      <div className="row"><Badge>{job.state}</Badge> <span>{job.message || statusLabel(job.state)}</span></div>
      {job.state === "RUNNING" || job.state === "QUEUED" ? <ProgressBar value={job.progress} label={label} /> : null}
      {job.error && job.state !== "SUCCEEDED" ? <p className="field-error">{job.error}</p> : null}
    </div>
  );
}
