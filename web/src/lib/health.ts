// The service's readiness (GET /status): each dependency's state, for the dashboard.
import { useEffect, useState } from "react";

export interface DependencyCheck {
  state: string;
  backend?: string;
  required: boolean;
  latencyMs?: number;
  provider?: string;
  error?: string;
}

export interface ServiceStatus {
  status: string;
  checks: Record<string, DependencyCheck>;
}

export function useServiceStatus(refreshMs = 30_000): { status: ServiceStatus | null; error: string | null } {
  const [status, setStatus] = useState<ServiceStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        // 503 still carries the checks: it means a required dependency is down.
        const response = await fetch("/status", { headers: { Accept: "application/json" } });
        const body = (await response.json()) as ServiceStatus;
        if (!stopped) {
          setStatus(body);
          setError(null);
        }
      } catch {
        if (!stopped) setError("The service did not answer its status check.");
      }
    };
    void load();
    const timer = setInterval(load, refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [refreshMs]);
  return { status, error };
}
