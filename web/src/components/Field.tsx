import { useId, type ReactElement, cloneElement, type ReactNode } from "react";

/** A label, a control, a hint and an error, wired together for screen readers. */
export function Field({ label, hint, error, children }: {
  label: ReactNode; hint?: ReactNode; error?: string | null;
  children: ReactElement<{ id?: string; "aria-describedby"?: string; "aria-invalid"?: boolean }>;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint ? <small id={hintId} className="muted">{hint}</small> : null}
      {/* An alert, like the form's: this is the one place the message is shown. */}
      {error ? <small id={errorId} className="field-error" role="alert">{error}</small> : null}
    </div>
  );
}
