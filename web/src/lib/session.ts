// The signed-in session, kept in localStorage so every tab (and GraphiQL at /graphiql, which
// reads the same key) shares it. Subscribers hear about changes from this tab and others.
import { graphql } from "../gql";
import type { AuthPayloadFieldsFragment } from "../gql/graphql";

export const SESSION_KEY = "ai-service.session";

// What login, createFirstAdmin and refreshToken answer is stored as it is: the session.
export const AuthPayloadFields = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    accessToken refreshToken expiresAt user { id email fullName role }
  }
`);

/** `expiresAt` is the ISO date-time the access token stops working. */
export type Session = AuthPayloadFieldsFragment;

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    return value.accessToken && value.refreshToken && value.user ? (value as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return parse(localStorage.getItem(SESSION_KEY));
}

export function setSession(session: Session | null): void {
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
  listeners.forEach((listener) => listener(session));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in, refreshed or signed out.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === SESSION_KEY || event.key === null) {
      const session = getSession();
      listeners.forEach((listener) => listener(session));
    }
  });
}

/** True when the access token expires within `marginMs`. */
export function expiresSoon(session: Session, marginMs = 30_000, now = Date.now()): boolean {
  const at = Date.parse(session.expiresAt);
  return Number.isNaN(at) || at - now < marginMs;
}

// Why the last session ended when the user did not sign out themselves (shown once on the
// sign-in page). Per tab: sessionStorage.
const ENDED_KEY = "ai-service.session-ended";

export function noteSessionEnded(reason: string): void {
  sessionStorage.setItem(ENDED_KEY, reason);
}

export function sessionEndedReason(): string | null {
  return sessionStorage.getItem(ENDED_KEY);
}

export function clearSessionEnded(): void {
  sessionStorage.removeItem(ENDED_KEY);
}
