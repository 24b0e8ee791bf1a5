import type { ReactNode } from "react";
import type { ServerError } from "../lib/errors";
import { ErrorAlert } from "./Alert";
import { Dialog } from "./Dialog";

/**
 * A form in a dialog: the fields, the errors no field shows, Cancel and the submit button.
 * Render it while editing and stop rendering it to close: each opening is a fresh form, and
 * focus goes back to the button that opened it.
 */
export function EditDialog({ title, submitLabel, busyLabel = "Saving…", busy, errors, onSubmit, onClose, className, children }: {
  title: string;
  submitLabel: string;
  /** The submit button's words while the request runs. */
  busyLabel?: string;
  busy?: boolean;
  /** What `fieldErrors(...).others` left for the form as a whole. */
  errors?: readonly ServerError[];
  onSubmit: () => void | Promise<unknown>;
  onClose: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Dialog open title={title} onClose={onClose}>
      <form className={className} onSubmit={(event) => { event.preventDefault(); void onSubmit(); }}>
        <ErrorAlert errors={errors} />
        {children}
        <div className="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? busyLabel : submitLabel}</button>
        </div>
      </form>
    </Dialog>
  );
}
