import { useEffect, useState } from "react";
import { getSession, onSessionChange, type Session } from "./session";

/** The current session, re-rendering on sign-in, refresh and sign-out (in any tab). */
export function useSession(): Session | null {
  const [session, setState] = useState(getSession);
  useEffect(() => onSessionChange(setState), []);
  return session;
}
