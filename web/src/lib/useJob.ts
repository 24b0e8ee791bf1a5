// Follow a background job: jobUpdates over graphql-transport-ws, with polling as a fallback
// when the socket cannot be opened (a proxy that drops WebSockets).
import type { ResultOf } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { useEffect, useState } from "react";
import { useClient } from "urql";
import { graphql } from "../gql";
import type { JobFieldsFragment, JobState } from "../gql/graphql";
import { socket } from "./client";
import { serverErrors } from "./errors";

export const JobFields = graphql(`
  fragment JobFields on Job {
    id kind state progress message error attempts maxAttempts result finishedAt
  }
`);

const JobUpdates = graphql(`
  subscription JobUpdates($id: ID!) { jobUpdates(id: $id) { ...JobFields } }
`);

// graphql-ws takes the query as text.
const JobUpdatesText = print(JobUpdates);

const JobPoll = graphql(`
  query JobPoll($id: ID!) { job(id: $id) { ...JobFields } }
`);

export const FINISHED: ReadonlySet<string> = new Set<JobState>(["SUCCEEDED", "DEAD", "CANCELLED"]);

export function isFinished(job: { state: string } | null | undefined): boolean {
  return Boolean(job && FINISHED.has(job.state));
}

/** The job's latest state; `null` until the first update arrives. */
export function useJob(id: string | null | undefined, pollMs = 1500): JobFieldsFragment | null {
  const client = useClient();
  const [job, setJob] = useState<JobFieldsFragment | null>(null);

  useEffect(() => {
    setJob(null);
    if (!id) return;
    let stopped = false;
    let polling = false;
    let last: JobFieldsFragment | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const show = (next: JobFieldsFragment) => {
      last = next;
      setJob(next);
    };

    let delay = pollMs;
    const poll = async () => {
      if (stopped) return;
      const result = await client.query(JobPoll, { id }, { requestPolicy: "network-only" }).toPromise();
      if (stopped) return;
      const next = result.data?.job;
      const refused = serverErrors(result.error).find((e) => e.code);
      if (!next && refused) {
        // The job is gone or not ours: say so and stop, rather than "Starting…" forever.
        show({ id, kind: "", state: "DEAD", progress: 0, message: "", error: refused.message, attempts: 0, maxAttempts: 0 });
        return;
      }
      if (next) show(next);
      // Unreachable server: keep trying, less and less often.
      delay = next ? pollMs : Math.min(delay * 2, 15_000);
      if (!isFinished(next)) timer = setTimeout(poll, delay);
    };

    // The socket failed, or the server ended the stream early (it answers errors, such as an
    // access token that expired mid-run, as a result with `errors` and then completes):
    // carry on by polling, which refreshes the token like any other request.
    const fallBack = () => {
      if (stopped || polling || isFinished(last)) return;
      polling = true;
      void poll();
    };
    const dispose = socket().subscribe(
      { query: JobUpdatesText, variables: { id } },
      {
        next: (value) => {
          const next = (value.data as ResultOf<typeof JobUpdates> | null | undefined)?.jobUpdates;
          if (stopped) return;
          if (next) show(next);
          else if (value.errors?.length) fallBack();
        },
        error: fallBack,
        complete: fallBack,
      },
    );
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      dispose();
    };
  }, [client, id, pollMs]);

  return job;
}
