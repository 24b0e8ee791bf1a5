import { useEffect } from "react";

/** Call `refresh` every `ms` while `active` (a list with queued or running work in it). */
export function usePollWhile(active: boolean, refresh: () => void, ms = 3000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(refresh, ms);
    return () => clearInterval(timer);
  }, [active, refresh, ms]);
}
