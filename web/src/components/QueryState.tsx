// What a page shows while its data is on the way, when it could not be read, and when there is
// none: the same words, roles and places everywhere.
import type { CombinedError } from "@urql/core";
import type { ReactNode } from "react";
import { ErrorAlert } from "./Alert";

/** "Loading…", announced politely (role=status). */
export function Loading({ label = "Loading…" }: { label?: string }) {
  return <p className="muted loading" role="status">{label}</p>;
}

/**
 * A query's states in order: its error (kept above stale data too), loading until the first
 * data, then `empty` when given (the data is there but has nothing to show: pass an EmptyState
 * only then), else the children. Children may be a function of the data, which is then defined.
 */
export function QueryState<Data>({ result, loading, empty, children }: {
  result: { data?: Data | null; error?: CombinedError; fetching?: boolean };
  /** What is loading, e.g. "Loading accounts…". */
  loading?: string;
  empty?: ReactNode;
  children?: ReactNode | ((data: Data) => ReactNode);
}) {
  const { data, error, fetching } = result;
  let body: ReactNode;
  // No data yet: loading, unless it failed or is not asked for (a paused query).
  if (data == null) body = error || fetching === false ? null : <Loading label={loading} />;
  else if (empty) body = empty;
  else body = typeof children === "function" ? children(data) : children;
  return (
    <>
      <ErrorAlert error={error} />
      {body}
    </>
  );
}
