import type { ReactNode } from "react";
import { Link } from "react-router";
import { serverErrors, type ErrorSource, type ServerError } from "../lib/errors";

type Tone = "error" | "info" | "success" | "warning";

export function Alert({ tone = "info", title, children }: { tone?: Tone; title?: string; children?: ReactNode }) {
  // Errors interrupt (role=alert); the rest is announced politely.
  return (
    <div className={`alert alert-${tone}`} role={tone === "error" ? "alert" : "status"}>
      {title ? <strong>{title} </strong> : null}
      {children}
    </div>
  );
}

/** The server's own message(s); a missing integration links to its settings. */
export function ErrorAlert({ error, errors }: { error?: ErrorSource; errors?: readonly ServerError[] }) {
  const list = serverErrors(errors ?? error);
  if (!list.length) return null;
  return (
    <Alert tone="error">
      {list.map((e, i) => (
        <span key={i} className="error-line">
          {e.message}
          {e.code === "INTEGRATION_NOT_CONFIGURED" ? (
            <> <Link to="/settings/integrations">Set it up in Settings → Integrations.</Link></>
          ) : null}
        </span>
      ))}
    </Alert>
  );
}
