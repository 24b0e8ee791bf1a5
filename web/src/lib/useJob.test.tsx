import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { Provider } from "urql";
import { never } from "wonka";
import { beforeEach, describe, expect, it, vi } from "vitest";

type Sink = { next: (value: unknown) => void; error: (error: unknown) => void; complete: () => void };
const subscriptions: { payload: { query: string; variables: Record<string, unknown> }; sink: Sink; disposed: boolean }[] = [];

vi.mock("./client", () => ({
  socket: () => ({
    subscribe(payload: { query: string; variables: Record<string, unknown> }, sink: Sink) {
      const entry = { payload, sink, disposed: false };
      subscriptions.push(entry);
      return () => { entry.disposed = true; };
    },
  }),
}));

const { useJob } = await import("./useJob");

const job = (state: string, progress: number) => ({
  id: "7", kind: "backtest", state, progress, message: `${state} ${progress}`, error: null,
  attempts: 1, maxAttempts: 3, result: null, finishedAt: null,
});

function wrapper(client: unknown) {
  return ({ children }: { children: ReactNode }) => <Provider value={client as never}>{children}</Provider>;
}

describe("useJob", () => {
  beforeEach(() => { subscriptions.length = 0; });

  it("follows jobUpdates over the socket and unsubscribes on unmount", async () => {
    const client = { query: vi.fn(), executeQuery: vi.fn(() => never), executeMutation: vi.fn(), executeSubscription: vi.fn() };
    const { result, unmount } = renderHook(() => useJob("7"), { wrapper: wrapper(client) });
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].payload.query).toContain("jobUpdates(id: $id)");
    expect(subscriptions[0].payload.variables).toEqual({ id: "7" });
    act(() => subscriptions[0].sink.next({ data: { jobUpdates: job("RUNNING", 0.5) } }));
    expect(result.current?.progress).toBe(0.5);
    act(() => subscriptions[0].sink.next({ data: { jobUpdates: job("SUCCEEDED", 1) } }));
    expect(result.current?.state).toBe("SUCCEEDED");
    expect(client.query).not.toHaveBeenCalled();  // no polling while the socket works
    unmount();
    expect(subscriptions[0].disposed).toBe(true);
  });

  it("falls back to polling the job when the socket fails", async () => {
    const client = {
      query: vi.fn(() => ({ toPromise: async () => ({ data: { job: job("SUCCEEDED", 1) } }) })),
      executeQuery: vi.fn(), executeMutation: vi.fn(), executeSubscription: vi.fn(),
    };
    const { result } = renderHook(() => useJob("7", 10), { wrapper: wrapper(client) });
    act(() => subscriptions[0].sink.error(new Error("socket closed")));
    await waitFor(() => expect(result.current?.state).toBe("SUCCEEDED"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.query).toHaveBeenCalledTimes(1);  // finished: polling stops
  });

  it("stops and says why when the job cannot be read", async () => {
    const client = {
      query: vi.fn(() => ({ toPromise: async () => ({ data: null, error: { graphQLErrors: [{ message: "Job 7 not found", extensions: { code: "NOT_FOUND" } }] } }) })),
      executeQuery: vi.fn(), executeMutation: vi.fn(), executeSubscription: vi.fn(),
    };
    const { result } = renderHook(() => useJob("7", 10), { wrapper: wrapper(client) });
    act(() => subscriptions[0].sink.error(new Error("socket closed")));
    await waitFor(() => expect(result.current?.error).toBe("Job 7 not found"));
    expect(result.current?.state).toBe("DEAD");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.query).toHaveBeenCalledTimes(1);
  });

  it("polls when the server ends the stream with an error before the job finished", async () => {
    const client = {
      query: vi.fn(() => ({ toPromise: async () => ({ data: { job: job("SUCCEEDED", 1) } }) })),
      executeQuery: vi.fn(), executeMutation: vi.fn(), executeSubscription: vi.fn(),
    };
    const { result } = renderHook(() => useJob("7", 10), { wrapper: wrapper(client) });
    act(() => subscriptions[0].sink.next({ data: { jobUpdates: job("RUNNING", 0.2) } }));
    act(() => {
      subscriptions[0].sink.next({ data: null, errors: [{ message: "Not signed in", extensions: { code: "UNAUTHENTICATED" } }] });
      subscriptions[0].sink.complete();
    });
    await waitFor(() => expect(result.current?.state).toBe("SUCCEEDED"));
    expect(client.query).toHaveBeenCalledTimes(1);  // one poller, however many signals
  });

  it("does not poll after the stream completes a finished job", async () => {
    const client = { query: vi.fn(), executeQuery: vi.fn(), executeMutation: vi.fn(), executeSubscription: vi.fn() };
    renderHook(() => useJob("7", 10), { wrapper: wrapper(client) });
    act(() => {
      subscriptions[0].sink.next({ data: { jobUpdates: job("SUCCEEDED", 1) } });
      subscriptions[0].sink.complete();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(client.query).not.toHaveBeenCalled();
  });
});
