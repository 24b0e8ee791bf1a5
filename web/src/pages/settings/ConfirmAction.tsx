import type { CombinedError } from "@urql/core";
import type { ReactNode } from "react";
import { ErrorAlert } from "../../components/Alert";
import { Dialog } from "../../components/Dialog";

/** A confirmation that stays open with the server's error when the action is refused. */
export function ConfirmAction({ open, title, children, confirmLabel, danger, busy, error, onConfirm, onClose }: {
  open: boolean; title: string; children: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean;
  error?: CombinedError | null; onConfirm: () => void; onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="dialog-body">{children}</div>
      <ErrorAlert error={error} />
      <div className="actions">
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="button" className={danger ? "danger" : "primary"} disabled={busy} onClick={onConfirm}>
          {busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
