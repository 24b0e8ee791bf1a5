// The urql client: bearer token on every request, a transparent refresh when the server says
// UNAUTHENTICATED or the token is about to expire, and graphql-transport-ws for subscriptions.
import { authExchange } from "@urql/exchange-auth";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, stringifyDocument, subscriptionExchange } from "urql";
import { graphql } from "../gql";
import { freshSession, refreshSession } from "./refresh";
import { expiresSoon, getSession, setSession } from "./session";

// UNAUTHENTICATED from these is about the credentials in their arguments, not the token.
const CREDENTIAL_FIELDS = new Set(["login", "refreshToken", "logout", "changePassword", "createFirstAdmin"]);

const Logout = graphql(`mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }`);

let ws: WsClient | null = null;

function wsUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

export function socket(): WsClient {
  if (!ws) {
    ws = createWsClient({
      url: wsUrl(),
      lazy: true,
      retryAttempts: 5,
      connectionParams: async () => {
        const session = await freshSession().catch(() => getSession());
        return session ? { Authorization: `Bearer ${session.accessToken}` } : {};
      },
    });
  }
  return ws;
}

/** Close the socket so the next subscription authenticates with the current token. */
export function resetSocket(): void {
  ws?.dispose();
  ws = null;
}

export function createClient(): Client {
  return new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange,
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const session = getSession();
          return session
            ? utils.appendHeaders(operation, { Authorization: `Bearer ${session.accessToken}` })
            : operation;
        },
        willAuthError() {
          const session = getSession();
          return Boolean(session && expiresSoon(session));
        },
        didAuthError(error) {
          return error.graphQLErrors.some(
            (e) =>
              e.extensions?.code === "UNAUTHENTICATED" &&
              !(e.path && CREDENTIAL_FIELDS.has(String(e.path[0]))),
          );
        },
        async refreshAuth() {
          if (!getSession()) return;
          try {
            await refreshSession();
          } catch {
            // Offline: keep the session; the request fails with a network error instead.
          }
        },
      })),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const dispose = socket().subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
}

export function signOut(): void {
  const session = getSession();
  setSession(null);
  resetSocket();
  if (session) {
    // Best effort: end the session on the server too.
    void fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.accessToken}` },
      body: JSON.stringify({ query: stringifyDocument(Logout), variables: { refreshToken: session.refreshToken } }),
    }).catch(() => undefined);
  }
}
