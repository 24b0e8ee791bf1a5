import { render } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ChartProps } from "../../components/Chart";
import CashFlowChart from "./CashFlowChart";

// uPlot needs a real canvas: assert what the chart is given instead.
const seen: ChartProps[] = [];
vi.mock("../../components/Chart", () => ({
  Chart: (props: ChartProps) => {
    seen.push(props);
    return <figure role="img" aria-label={props.title} />;
  },
}));

describe("CashFlowChart", () => {
  it("draws income up, expenses down, net and balance (on its own scale) per period", () => {
    const { getByRole } = render(
      <CashFlowChart series={{
        currency: "EUR", periods: ["2025-01-01", "2025-02-01"],
        income: ["2000.00", "0.00"], expenses: ["112.99", "40.00"], net: ["1887.01", "-40.00"], balance: ["1987.01", "1947.01"],
      }} />,
    );
    expect(getByRole("img", { name: "Cash flow in EUR" })).toBeInTheDocument();
    const props = seen.at(-1)!;
    expect(props.x).toEqual([new Date(2025, 0, 1).getTime() / 1000, new Date(2025, 1, 1).getTime() / 1000]);
    expect(props.values).toEqual([[2000, 0], [-112.99, -40], [1887.01, -40], [1987.01, 1947.01]]);
    expect(props.series.map((s) => [s.label, Boolean(s.bars), s.scale])).toEqual([
      ["Income", true, "y"], ["Expenses", true, "y"], ["Net", false, "y"], ["Balance", false, "balance"],
    ]);
    expect(props.series[1].format!(-40)).toMatch(/40[.,]00/);
    expect(props.series[1].format!(-40)).not.toMatch(/-/);
  });
});
