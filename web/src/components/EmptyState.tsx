import type { ReactNode } from "react";

/** What is missing and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p><strong>{title}</strong></p>
      {children ? <div>{children}</div> : null}
    </div>
  );
}
