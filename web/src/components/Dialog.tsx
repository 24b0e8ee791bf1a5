import { useEffect, useRef, type ReactNode } from "react";
import type { ErrorSource } from "../lib/errors";
import { ErrorAlert } from "./Alert";

/** A modal built on <dialog>: focus is trapped by the browser, Escape closes it. */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  // Focus goes back where it was when the dialog opened, also when it is unmounted while open
  // (the browser only restores it on close()).
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement as HTMLElement | null;
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    } else if (!open && dialog.open) {
      if (typeof dialog.close === "function") dialog.close();
      else dialog.removeAttribute("open");
      opener.current?.focus?.();
    }
  }, [open]);
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      if (dialog?.open) opener.current?.focus?.();
    };
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <header className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="ghost" aria-label="Close" onClick={onClose}>×</button>
      </header>
      {open ? children : null}
    </dialog>
  );
}

/** "Are you sure?" before an action; it stays open with the server's error when the action
 * is refused, and closes only when the caller says so (after success). */
export function ConfirmDialog({ open, title, message, confirmLabel = "Confirm", danger, busy, error, onConfirm, onClose }: {
  open: boolean; title: string; message: ReactNode; confirmLabel?: string; danger?: boolean; busy?: boolean;
  error?: ErrorSource; onConfirm: () => void; onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <p>{message}</p>
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
