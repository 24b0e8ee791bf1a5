import { useCallback, useState } from "react";

/** Keyset paging: the server gives a cursor for the next page; we remember the ones before. */
export function KeysetPager({ hasPrevious, hasNext, onPrevious, onNext, label = "Pages", previousLabel = "← Newer", nextLabel = "Older →" }: {
  hasPrevious: boolean; hasNext: boolean; onPrevious: () => void; onNext: () => void; label?: string;
  /** Lists sorted oldest first say "← Earlier" / "Later →". */
  previousLabel?: string; nextLabel?: string;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={!hasPrevious} onClick={onPrevious}>{previousLabel}</button>
      <button type="button" disabled={!hasNext} onClick={onNext}>{nextLabel}</button>
    </nav>
  );
}

/** The cursor stack behind KeysetPager. */
export function useKeyset() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const after = stack[stack.length - 1];
  const next = useCallback((cursor: string | null | undefined) => {
    if (cursor) setStack((s) => [...s, cursor]);
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { after, hasPrevious: stack.length > 1, next, previous, reset };
}
