// Errors as the server says them: a GraphQL error's own message and its extensions (`code`,
// and `field` when it is about one input). Every page reads them through this module.
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

/** A failed request as urql reports it, a thrown Error, or errors already read (an upload's,
 * or a form's own check before asking the server). */
export type ErrorSource = CombinedError | Error | readonly ServerError[] | null | undefined;

/** One error of a GraphQL response (urql's or a raw JSON payload's) as a ServerError. */
export function toServerError(error: { message: string; extensions?: Record<string, unknown> | null }): ServerError {
  const extensions = error.extensions ?? undefined;
  return {
    message: error.message,
    code: extensions?.code as string | undefined,
    field: extensions?.field as string | undefined,
    extensions,
  };
}

export function serverErrors(error: ErrorSource): ServerError[] {
  if (!error) return [];
  if (Array.isArray(error)) return [...error];
  const combined = error as CombinedError;
  if (combined.graphQLErrors?.length) return combined.graphQLErrors.map(toServerError);
  if (combined.networkError) {
    return [{ message: "The server could not be reached. Check your connection and try again." }];
  }
  return [{ message: (error as Error).message.replace(/^\[(GraphQL|Network)\]\s*/, "") }];
}

/** The first message, as the server wrote it. */
export function errorMessage(error: ErrorSource): string | null {
  return serverErrors(error)[0]?.message ?? null;
}

export function errorCode(error: ErrorSource): string | undefined {
  return serverErrors(error)[0]?.code;
}

/** A form's view of the errors: each under the input it is about, the rest above the form. */
export interface FormErrors<F extends string = string> {
  /** The message about one input (the error's `extensions.field`), for the Field under it. */
  field(name: F): string | null;
  /** What no input of the form claims, for the ErrorAlert: so each message is shown once. */
  others: ServerError[];
}

/**
 * Splits errors between a form's inputs and its alert. `fields` names the inputs the form
 * shows: an error about any other field (one the form has no input for) stays in `others`
 * rather than vanishing.
 */
export function fieldErrors<F extends string>(source: ErrorSource, fields: readonly F[]): FormErrors<F> {
  const errors = serverErrors(source);
  const shown = new Set<string>(fields);
  const byField = new Map<string, string>();
  const others: ServerError[] = [];
  for (const error of errors) {
    if (error.field && shown.has(error.field)) {
      const before = byField.get(error.field);
      byField.set(error.field, before ? `${before} ${error.message}` : error.message);
    } else {
      others.push(error);
    }
  }
  return { field: (name) => byField.get(name) ?? null, others };
}
