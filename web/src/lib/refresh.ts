// One refresh at a time across tabs: refresh tokens rotate (each works once), so two tabs
// refreshing together would sign each other out. A Web Lock serialises them; inside it, a tab
// first checks whether another one already refreshed.
import type { ResultOf } from "@graphql-typed-document-node/core";
import { stringifyDocument } from "@urql/core";
import { graphql } from "../gql";
import { toServerError } from "./errors";
import { expiresSoon, getSession, noteSessionEnded, setSession, type Session } from "./session";

// Sent with fetch, not urql: the auth exchange itself waits for it.
const RefreshSession = graphql(`
  mutation RefreshSession($token: String!) { refreshToken(refreshToken: $token) { ...AuthPayloadFields } }
`);

let inFlight: Promise<Session | null> | null = null;

async function exchange(spent: Session): Promise<Session | null> {
  const current = getSession();
  // Another tab refreshed while we waited for the lock.
  if (current && current.refreshToken !== spent.refreshToken && !expiresSoon(current)) return current;
  if (!current) return null;
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query: stringifyDocument(RefreshSession), variables: { token: current.refreshToken } }),
  });
  const payload = (await response.json()) as {
    data?: ResultOf<typeof RefreshSession> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
  const next = payload.data?.refreshToken ?? null;
  if (next) {
    setSession(next);
    return next;
  }
  // Only the server's refusal of the token signs out; anything else (a server error, rate
  // limiting) keeps the session for the next try.
  if (!payload.errors?.map(toServerError).some((e) => e.code === "UNAUTHENTICATED")) {
    throw new Error("The session could not be refreshed just now.");
  }
  noteSessionEnded("Your session has ended (it expired or was signed out elsewhere). Please sign in again.");
  setSession(null);
  return null;
}

/** A fresh session, or null when the refresh token was refused (the user must sign in). */
export function refreshSession(): Promise<Session | null> {
  const spent = getSession();
  if (!spent) return Promise.resolve(null);
  if (!inFlight) {
    const run = () => exchange(spent);
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    const locked: Promise<Session | null> = locks
      ? locks.request("ai-service.refresh", run).then((s) => s)
      : run();
    inFlight = locked.finally(() => {
      inFlight = null;
    });
  }
  return inFlight as Promise<Session | null>;
}

/** A session whose access token is good for at least the next half minute. */
export async function freshSession(): Promise<Session | null> {
  const session = getSession();
  if (!session) return null;
  return expiresSoon(session) ? refreshSession() : session;
}
