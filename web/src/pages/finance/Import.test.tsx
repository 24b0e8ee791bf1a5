import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { beforeEach, describe, expect, it, vi } from "vitest";
import Import from "./Import";

const upload = vi.fn();
vi.mock("../../lib/upload", () => ({ uploadMutation: (...args: unknown[]) => upload(...args) }));

const client = {
  executeQuery: vi.fn(() => fromValue({ data: { accounts: [{ id: "7", name: "Giro", currency: "EUR", archived: false }] } })),
  executeMutation: vi.fn(() => never),
  executeSubscription: vi.fn(() => never),
};

function report(overrides: Record<string, unknown>) {
  return {
    data: { importTransactions: {
      rows: 2, inserted: 2, duplicates: 0, rejected: 0, stored: false, dryRun: true, categorisedByRules: 0, errors: [],
      preview: [{ row: 2, bookingDate: "2025-01-02", amount: "-4.50", description: "Coffee", counterpartyName: "Cafe" }],
      ...overrides,
    } },
    errors: [],
  };
}

async function chooseAndPreview() {
  render(<Provider value={client as never}><MemoryRouter><Import /></MemoryRouter></Provider>);
  await screen.findByRole("option", { name: "Giro (EUR)" });
  const file = new File(["date,amount\n"], "statement.csv", { type: "text/csv" });
  await userEvent.upload(screen.getByLabelText("Choose a statement file"), file);
  await userEvent.click(screen.getByRole("button", { name: "Preview import" }));
}

describe("Import wizard", () => {
  beforeEach(() => upload.mockReset());

  it("previews with a dry run, then commits the same file", async () => {
    upload.mockResolvedValueOnce(report({})).mockResolvedValueOnce(report({ dryRun: false, stored: true }));
    await chooseAndPreview();
    expect(await screen.findByRole("heading", { name: "Preview of statement.csv" })).toBeInTheDocument();
    expect(upload.mock.calls[0][1]).toEqual({ accountId: "7", format: "CSV", mapping: null, dryRun: true });
    expect(screen.getByRole("cell", { name: "Coffee" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Import 2 transactions" }));
    expect(await screen.findByText(/Imported 2 transactions into Giro/)).toBeInTheDocument();
    expect(upload.mock.calls[1][1]).toMatchObject({ dryRun: false });
    expect((upload.mock.calls[1][2] as { file: File }).file.name).toBe("statement.csv");
  });

  it("names rejected rows and offers no commit", async () => {
    upload.mockResolvedValueOnce(report({ inserted: 1, rejected: 1, errors: [{ row: 3, message: "bad date: 2025-13-45" }] }));
    await chooseAndPreview();
    expect(await screen.findByText("Nothing will be imported.")).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Row 3" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "bad date: 2025-13-45" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Import \d/ })).toBeNull();
  });

  it("opens the column mapping when the server cannot tell the columns apart", async () => {
    upload.mockResolvedValueOnce({ errors: [{ message: "No date column: name it in the mapping", code: "BAD_USER_INPUT", field: "mapping.date" }] });
    await chooseAndPreview();
    expect(await screen.findByRole("alert")).toHaveTextContent("No date column");
    expect(screen.getByText("Column mapping (optional)").closest("details")).toHaveAttribute("open");
  });
});
