/** The query's words (letters and digits), lower-cased, longest first, without duplicates. */
export function queryWords(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export interface Segment {
  text: string;
  match: boolean;
}

/** `text` cut into plain and matching pieces: a piece matches when a query word starts a word
 * there (so "pay" marks "payable", as the server's stemming would find it), case-insensitively. */
export function highlightSegments(text: string, query: string): Segment[] {
  const words = queryWords(query);
  if (!words.length || !text) return text ? [{ text, match: false }] : [];
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(escapeRegExp).join("|")})[\\p{L}\\p{N}]*`, "giu");
  const segments: Segment[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index ?? 0;
    if (start > last) segments.push({ text: text.slice(last, start), match: false });
    segments.push({ text: found[0], match: true });
    last = start + found[0].length;
  }
  if (last < text.length) segments.push({ text: text.slice(last), match: false });
  return segments;
}

/** The passage with the query's words in <mark>, as React text nodes (never raw HTML). */
export function Highlight({ text, query }: { text: string; query: string }) {
  return <>{highlightSegments(text, query).map((s, i) => (s.match ? <mark key={i}>{s.text}</mark> : s.text))}</>;
}
