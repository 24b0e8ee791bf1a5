import type { ReactNode } from "react";

const TONES: Record<string, string> = {
  SUCCEEDED: "good", READY: "good", OK: "good", ACTIVE: "good", LINKED: "good", HEALTHY: "good", CONNECTED: "good",
  FAILED: "bad", DEAD: "bad", ERROR: "bad", EXPIRED: "bad", REJECTED: "bad", REVOKED: "bad", UNHEALTHY: "bad",
  RUNNING: "busy", QUEUED: "busy", PROCESSING: "busy", PENDING: "busy",
};

/** A status word with a colour that matches its meaning (and never only colour). */
export function Badge({ children, tone }: { children: ReactNode; tone?: "good" | "bad" | "busy" | "neutral" }) {
  const resolved = tone ?? (typeof children === "string" ? TONES[children] : undefined) ?? "neutral";
  return <span className={`badge badge-${resolved}`}>{children}</span>;
}

export function statusLabel(value: string): string {
  return value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
}
