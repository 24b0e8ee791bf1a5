import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useSyncExternalStore } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { describe, expect, it, vi } from "vitest";
import type { JobFieldsFragment } from "../../gql/graphql";
import BacktestDetail from "./BacktestDetail";

// The job as a tiny store the test moves forward; charts as figures whose props can be read.
const job = vi.hoisted(() => {
  let value: JobFieldsFragment | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set: (next: JobFieldsFragment | null) => { value = next; listeners.forEach((l) => l()); },
    subscribe: (l: () => void) => { listeners.add(l); return () => listeners.delete(l); },
  };
});
vi.mock("../../lib/useJob", async (original) => ({
  ...(await original<typeof import("../../lib/useJob")>()),
  useJob: (id: string | null) => useSyncExternalStore(job.subscribe, () => (id ? job.get() : null)),
}));
vi.mock("../../components/Chart", () => ({
  Chart: ({ title, x, values }: { title: string; x: number[]; values: number[][] }) => (
    <figure role="img" aria-label={title} data-points={x.length} data-last={values[0][values[0].length - 1]} />
  ),
}));

const metrics = {
  totalReturn: 0.25, cagr: 0.05, volatility: 0.2, sharpe: 1.1, sortino: 1.5, maxDrawdown: 0.2, maxDrawdownDays: 120,
  winRate: 0.5, profitFactor: 1.4, tradeCount: 60, exposure: 0.6, buyAndHoldReturn: 0.4,
};
const trade = (i: number) => ({
  side: "LONG", entryTime: `2010-01-${String((i % 28) + 1).padStart(2, "0")}T00:00:00+00:00`, entryPrice: 10, exitTime: "2010-02-01T00:00:00+00:00",
  exitPrice: 11, quantity: 100, pnl: i % 2 ? 100 : -50, returnPct: 10, fees: 1, exitReason: i === 59 ? "END_OF_DATA" : "SIGNAL",
});
const base = {
  id: "7", strategyId: "3", error: null, from: null, to: null, initialCapital: 10000, barCount: 500,
  configuration: { kind: "SMA_CROSSOVER", symbol: "ORCL", timeframe: "D1", parameters: { fast: 10, slow: 30 } },
  createdAt: "2024-01-01T00:00:00Z", finishedAt: null, strategy: { id: "3", name: "Cross" },
};
const done = {
  ...base, status: "SUCCEEDED", metrics, trades: Array.from({ length: 60 }, (_, i) => trade(i)),
  equityCurve: { timestamps: [1, 2, 3], values: [10000, 8000, 12500] }, job: null,
};
const queuedJob: JobFieldsFragment = { id: "j1", kind: "trading.backtest", state: "RUNNING", progress: 0.4, message: "Simulating", attempts: 1, maxAttempts: 3 };
const queued = { ...base, status: "QUEUED", metrics: null, trades: [], equityCurve: null, job: queuedJob };

function renderPage(answers: unknown[]) {
  let call = 0;
  const client = {
    executeQuery: vi.fn(() => fromValue({ data: { backtest: answers[Math.min(call++, answers.length - 1)] } })),
    executeMutation: vi.fn(() => never),
    executeSubscription: vi.fn(() => never),
  };
  render(
    <Provider value={client as never}>
      <MemoryRouter initialEntries={["/trading/backtests/7"]}>
        <Routes><Route path="/trading/backtests/:id" element={<BacktestDetail />} /></Routes>
      </MemoryRouter>
    </Provider>,
  );
  return client;
}

describe("BacktestDetail", () => {
  it("shows the figures, both charts and the trades a page at a time", async () => {
    renderPage([done]);
    expect(await screen.findByRole("heading", { name: "Backtest of Cross", level: 1 })).toBeInTheDocument();
    const results = screen.getByRole("region", { name: "Results" });
    expect(within(results).getByText("+25.0%")).toBeInTheDocument();
    expect(within(results).getByText("-20.0%")).toBeInTheDocument(); // max drawdown, as a loss
    expect(within(results).getByText("Buy and hold: +40.0%")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Equity curve" })).toHaveAttribute("data-points", "3");
    // Drawdown from the running peak: 12500 is a new high.
    expect(screen.getByRole("img", { name: "Drawdown" })).toHaveAttribute("data-last", "0");

    const trades = screen.getByRole("region", { name: "Trades" });
    expect(within(trades).getAllByRole("row")).toHaveLength(51);
    expect(within(trades).getByText("Trades 1–50 of 60")).toBeInTheDocument();
    await userEvent.click(within(trades).getByRole("button", { name: "Later →" }));
    expect(within(trades).getAllByRole("row")).toHaveLength(11);
    expect(within(trades).getByText("End of data")).toBeInTheDocument();
  });

  it("follows a queued run's job and loads the results when it ends", async () => {
    job.set(queuedJob);
    const client = renderPage([queued, done]);
    expect(await screen.findByRole("progressbar", { name: "Backtest progress" })).toHaveAttribute("aria-valuenow", "40");
    expect(screen.queryByRole("region", { name: "Results" })).toBeNull();

    act(() => job.set({ ...queuedJob, state: "SUCCEEDED", progress: 1 }));
    expect(await screen.findByRole("region", { name: "Results" })).toBeInTheDocument();
    expect(screen.queryByRole("progressbar")).toBeNull();
    const policies = client.executeQuery.mock.calls.map((call) => (call as unknown[])[1] as { requestPolicy?: string });
    expect(policies.some((p) => p?.requestPolicy === "network-only")).toBe(true);
  });
});
