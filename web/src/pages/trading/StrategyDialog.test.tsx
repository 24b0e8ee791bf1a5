import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { StrategyDialog, toStrategyInput, initialState, type KindInfo } from "./StrategyDialog";

const KINDS: KindInfo[] = [
  {
    kind: "SMA_CROSSOVER",
    parameters: [
      { name: "fast", description: "Bars in the fast SMA", default: 20, minimum: 2, maximum: 1000, integer: true, exclusive: false },
      { name: "slow", description: "Bars in the slow SMA", default: 50, minimum: 2, maximum: 1000, integer: true, exclusive: false },
    ],
  },
  {
    kind: "RSI_REVERSION",
    parameters: [
      { name: "period", description: "Bars in the RSI", default: 14, minimum: 2, maximum: 500, integer: true, exclusive: false },
      { name: "lower", description: "Oversold level", default: 30, minimum: 0, maximum: 100, integer: false, exclusive: true },
      { name: "upper", description: "Overbought level", default: 70, minimum: 0, maximum: 100, integer: false, exclusive: true },
    ],
  },
];

describe("StrategyDialog", () => {
  it("builds the parameter fields of the chosen kind and submits what the API takes", async () => {
    const onSubmit = vi.fn();
    render(<StrategyDialog title="New strategy" kinds={KINDS} symbols={["ORCL"]} errors={[]} submitLabel="Create strategy" onSubmit={onSubmit} onClose={() => undefined} />);
    expect(screen.getByLabelText("fast")).toHaveValue(20);
    await userEvent.type(screen.getByLabelText("Name"), " RSI dips ");
    await userEvent.selectOptions(screen.getByLabelText("Kind"), "RSI_REVERSION");
    expect(screen.queryByLabelText("fast")).toBeNull();
    expect(screen.getByLabelText("lower")).toHaveValue(30);
    expect(screen.getByText(/Oversold level\. 0–100 \(exclusive\); default 30\./)).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("upper"));
    await userEvent.type(screen.getByLabelText("upper"), "75");
    await userEvent.clear(screen.getByLabelText("Position size (% of equity)"));
    await userEvent.type(screen.getByLabelText("Position size (% of equity)"), "50");
    await userEvent.type(screen.getByLabelText("Stop loss (%)"), "8");
    await userEvent.click(screen.getByLabelText(/Allow short positions/));
    await userEvent.click(screen.getByRole("button", { name: "Create strategy" }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: "RSI dips", kind: "RSI_REVERSION", symbol: "ORCL", timeframe: "D1",
      parameters: { period: 14, lower: 30, upper: 75 },
      risk: { positionSize: 0.5, stopLossPct: 8, takeProfitPct: null, feeBps: 0, slippageBps: 0, allowShort: true },
    });
  });

  it("shows the server's message under the field it is about", () => {
    render(<StrategyDialog title="Edit Cross" kinds={KINDS} errors={[{ message: "fast (60) must be less than slow (50)", field: "params.fast" }]}
                           submitLabel="Save" onSubmit={() => undefined} onClose={() => undefined} />);
    expect(screen.getByRole("alert")).toHaveTextContent("fast (60) must be less than slow (50)");
    expect(screen.getByLabelText("fast")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("slow")).not.toHaveAttribute("aria-invalid");
  });

  it("edits a strategy from its own values, and returns to them when its kind comes back", () => {
    const strategy = {
      id: "1", name: "Cross", kind: "SMA_CROSSOVER" as const, symbol: "NVDA", timeframe: "H1" as const,
      parameters: { fast: 10, slow: 30 }, status: "DRAFT" as const, createdAt: "", updatedAt: "",
      risk: { positionSize: 0.3, stopLossPct: null, takeProfitPct: 12.5, feeBps: 10, slippageBps: 2, allowShort: false },
    };
    const state = initialState(KINDS, strategy);
    expect(state.positionSizePct).toBe("30"); // not 30.000000000000004
    expect(toStrategyInput(state)).toMatchObject({
      symbol: "NVDA", timeframe: "H1", parameters: { fast: 10, slow: 30 },
      risk: { positionSize: 0.3, stopLossPct: null, takeProfitPct: 12.5, feeBps: 10, slippageBps: 2 },
    });
  });
});
