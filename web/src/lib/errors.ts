// Errors as the server says them: a GraphQL error's own message and its extensions.code.
import type { CombinedError } from "@urql/core";

export type ErrorCode =
  | "UNAUTHENTICATED" | "FORBIDDEN" | "BAD_USER_INPUT" | "NOT_FOUND" | "CONFLICT"
  | "RATE_LIMITED" | "INTEGRATION_NOT_CONFIGURED" | string;

export interface ServerError {
  message: string;
  code?: ErrorCode;
  field?: string;
  extensions?: Record<string, unknown>;
}

export function serverErrors(error: CombinedError | Error | null | undefined): ServerError[] {
  if (!error) return [];
  const combined = error as CombinedError;
  if (combined.graphQLErrors?.length) {
    return combined.graphQLErrors.map((e) => ({
      message: e.message,
      code: e.extensions?.code as string | undefined,
      field: e.extensions?.field as string | undefined,
      extensions: e.extensions as Record<string, unknown>,
    }));
  }
  if (combined.networkError) {
    return [{ message: "The server could not be reached. Check your connection and try again." }];
  }
  return [{ message: error.message.replace(/^\[(GraphQL|Network)\]\s*/, "") }];
}

/** The first message, as the server wrote it. */
export function errorMessage(error: CombinedError | Error | null | undefined): string | null {
  return serverErrors(error)[0]?.message ?? null;
}

export function errorCode(error: CombinedError | Error | null | undefined): string | undefined {
  return serverErrors(error)[0]?.code;
}

export function isNotConfigured(error: CombinedError | Error | null | undefined): boolean {
  return serverErrors(error).some((e) => e.code === "INTEGRATION_NOT_CONFIGURED");
}
