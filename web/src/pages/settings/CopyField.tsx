import { useState } from "react";

/** A secret shown once, with a button that copies it. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): the text is selectable.
      setCopied("no");
    }
  };
  return (
    <div className="copy-field">
      <span className="visually-hidden">{label}: </span>
      <code className="secret-value">{value}</code>
      <button type="button" onClick={copy}>Copy</button>
      <span role="status" className="small muted">
        {copied === "yes" ? "Copied." : copied === "no" ? "Could not copy: select the text and copy it." : ""}
      </span>
    </div>
  );
}
