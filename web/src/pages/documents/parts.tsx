// Small pieces the documents pages share.
import { Badge, statusLabel } from "../../components/Badge";

const TONE = { READY: "good", FAILED: "bad", PENDING: "busy", PROCESSING: "busy" } as const;

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={TONE[status as keyof typeof TONE] ?? "neutral"}>{statusLabel(status)}</Badge>;
}

export function TagList({ tags }: { tags: readonly string[] }) {
  if (!tags.length) return <span className="muted">—</span>;
  return (
    <ul className="doc-tags" aria-label="Tags">
      {tags.map((tag) => <li key={tag}><Badge>{tag}</Badge></li>)}
    </ul>
  );
}

/** "Legal, contracts ,, tax" → ["Legal", "contracts", "tax"] (the server normalises case). */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(",").map((t) => t.trim()).filter(Boolean))];
}

/** What kind of file, in a word, from its sniffed MIME type. */
export function fileKind(mimeType: string): string {
  const kinds: Record<string, string> = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "text/html": "HTML",
    "text/markdown": "Markdown",
    "text/csv": "CSV",
    "text/plain": "Text",
  };
  return kinds[mimeType] ?? mimeType;
}
