import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { describe, expect, it, vi } from "vitest";
import MarketData from "./MarketData";

const upload = vi.hoisted(() => vi.fn());
vi.mock("../../lib/upload", () => ({ uploadMutation: upload }));
vi.mock("uplot", () => ({ default: { paths: {} } })); // the candlestick plugin's import; nothing is drawn
vi.mock("../../components/Chart", () => ({ Chart: ({ title }: { title: string }) => <figure role="img" aria-label={title} /> }));

function renderPage(symbols: unknown[] = []) {
  const client = {
    executeQuery: vi.fn(({ query }: { query: { definitions: { name?: { value: string } }[] } }) => {
      const name = query.definitions[0].name?.value;
      if (name === "TradingMarketSymbols") return fromValue({ data: { marketSymbols: symbols } });
      return fromValue({ data: { candles: { timestamps: [1, 2], open: [1, 2], high: [2, 3], low: [0, 1], close: [1.5, 2.5], volume: [10, 20] } } });
    }),
    executeMutation: vi.fn(() => never),
    executeSubscription: vi.fn(() => never),
  };
  render(<Provider value={client as never}><MemoryRouter><MarketData /></MemoryRouter></Provider>);
  return client;
}

const report = {
  symbol: "ORCL", timeframe: "D1", rows: 3, inserted: 0, updated: 0, unchanged: 0, rejected: 2, stored: false,
  first: null, last: null, errors: [{ row: 3, message: "high 9.5 is below the close 10.5" }, { row: 4, message: "close must be positive" }],
};

describe("MarketData", () => {
  it("suggests the symbol from the file, uploads with progress and lists rejected rows", async () => {
    let finish: (value: unknown) => void = () => undefined;
    upload.mockImplementation((_doc, _vars, _files, onProgress: (f: number) => void) => {
      onProgress(0.5);
      return new Promise((resolve) => { finish = resolve; });
    });
    renderPage();
    expect(screen.getByText("No market data yet.")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Import market data" });
    const file = new File(["Date,Open\n"], "orcl-1995-2014.csv", { type: "text/csv" });
    await userEvent.upload(within(form).getByLabelText("Choose a CSV file"), file);
    expect(within(form).getByLabelText("Symbol")).toHaveValue("ORCL");
    await userEvent.click(within(form).getByRole("button", { name: "Import" }));
    expect(await screen.findByRole("progressbar", { name: "Upload progress" })).toHaveAttribute("aria-valuenow", "50");
    expect(upload.mock.calls[0][1]).toEqual({ symbol: "ORCL", timeframe: "D1" });
    expect(upload.mock.calls[0][2]).toEqual({ file });

    finish({ data: { importMarketData: report }, errors: [] });
    expect(await screen.findByRole("alert")).toHaveTextContent("Nothing was stored. 3 rows: 0 new, 0 updated, 0 unchanged, 2 rejected.");
    const rows = within(screen.getByRole("table", { name: "Rejected rows" })).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("3high 9.5 is below the close 10.5");
    expect(screen.queryByRole("progressbar")).toBeNull();
  });

  it("lists the stored series and charts the first one", async () => {
    renderPage([{ symbol: "NVDA", timeframe: "D1", first: "1999-01-22T00:00:00+00:00", last: "2014-12-31T00:00:00+00:00", barCount: 4011 }]);
    const row = screen.getByRole("row", { name: /NVDA/ });
    expect(row).toHaveTextContent("4,011");
    expect(await screen.findByRole("img", { name: "NVDA D1 prices" })).toBeInTheDocument();
    await userEvent.click(within(row).getByRole("button", { name: "Delete NVDA D1" }));
    expect(screen.getByRole("dialog", { name: "Delete market data" })).toHaveTextContent("Delete every NVDA daily bar?");
  });
});
