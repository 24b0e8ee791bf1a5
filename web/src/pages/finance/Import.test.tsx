import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { DocumentNode } from "graphql";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { toServerError } from "../../lib/errors";
import Import from "./Import";

const upload = vi.fn();
vi.mock("../../lib/upload", () => ({ uploadMutation: (...args: unknown[]) => upload(...args) }));

let remembered: Record<string, unknown> | null = null;

function operation(request: { query: DocumentNode }): string {
  const definition = request.query.definitions.find((d) => d.kind === "OperationDefinition");
  return definition && "name" in definition ? definition.name?.value ?? "" : "";
}

const client = {
  executeQuery: vi.fn((request: { query: DocumentNode }) => {
    if (operation(request) === "FinanceImportAccount") {
      return fromValue({ data: { account: { id: "7", name: "Giro", importMapping: remembered } } });
    }
    return fromValue({ data: { accounts: [{ id: "7", name: "Giro", currency: "EUR", archived: false }] } });
  }),
  executeMutation: vi.fn(() => fromValue({ data: { setImportMapping: { id: "7", importMapping: null } } })),
  executeSubscription: vi.fn(() => never),
};

const NO_ROLES = {
  date: null, valueDate: null, amount: null, debit: null, credit: null, indicator: null, fee: null, balance: null,
  currency: null, description: null, counterparty: null, counterpartyIban: null, reference: null, status: null,
};

/** The ING export of the corpus, as the server reads it. */
const ING = {
  ...NO_ROLES,
  format: "CSV", encoding: "cp1250", delimiter: ";", headerRow: 15, dateFormat: null, decimalComma: true, amountSign: "NORMAL",
  account: null, accounts: [],
  columns: [
    { index: 0, name: "Buchung", role: "DATE", sample: "28.12.2018" },
    { index: 1, name: "Buchungstext", role: "DESCRIPTION", sample: "Lastschrift" },
    { index: 2, name: "Verwendungszweck", role: null, sample: "PP.1234.PP . Blumen Berther" },
    { index: 3, name: "Saldo", role: "BALANCE", sample: "150,00" },
    { index: 4, name: "Betrag", role: "AMOUNT", sample: "-5,50" },
  ],
  date: "Buchung", description: "Buchungstext", balance: "Saldo", amount: "Betrag",
};

function report(overrides: Record<string, unknown> = {}) {
  return {
    data: { importTransactions: {
      rows: 2, inserted: 2, duplicates: 0, rejected: 0, stored: false, dryRun: true, categorisedByRules: 0, errors: [],
      pending: 1, settled: 0, removed: 0, skipped: 0, statementBalance: "150.00", statementDate: "2018-12-28",
      notes: ["The 14 line(s) above the header were skipped."],
      preview: [
        { row: 16, bookingDate: "2018-12-28", amount: "-5.50", description: "Lastschrift", counterpartyName: "PayDude", pending: false },
        { row: 17, bookingDate: "2018-12-28", amount: "50.00", description: "Gutschrift", counterpartyName: "Karl", pending: true },
      ],
      mapping: ING,
      ...overrides,
    } },
    errors: [],
  };
}

function refusal(message: string, field: string, columns?: string[]) {
  return { errors: [toServerError({ message, extensions: { code: "BAD_USER_INPUT", field, ...(columns ? { columns } : {}) } })] };
}

async function chooseAndPreview(name = "statement.csv") {
  render(<Provider value={client as never}><MemoryRouter><Import /></MemoryRouter></Provider>);
  await screen.findByRole("option", { name: "Giro (EUR)" });
  const file = new File(["date,amount\n"], name, { type: "text/csv" });
  await userEvent.upload(screen.getByLabelText("Choose a statement file"), file);
  await userEvent.click(screen.getByRole("button", { name: "Preview import" }));
}

const variables = (call: number) => upload.mock.calls[call][1] as Record<string, unknown>;

describe("Import wizard", () => {
  beforeEach(() => {
    upload.mockReset();
    client.executeMutation.mockClear();
    remembered = null;
  });

  it("shows how the file reads, its notes and the preview", async () => {
    upload.mockResolvedValueOnce(report());
    await chooseAndPreview();
    expect(await screen.findByRole("heading", { name: "How statement.csv reads" })).toBeInTheDocument();
    expect(variables(0)).toEqual({ accountId: "7", format: null, mapping: null, dryRun: true, rememberMapping: false });

    expect(screen.getByLabelText("Format")).toHaveValue("CSV");
    expect(screen.getByLabelText("Encoding")).toHaveValue("cp1250");
    expect(screen.getByLabelText("Delimiter")).toHaveDisplayValue("Semicolon ( ; )");
    expect(screen.getByLabelText("Header line")).toHaveValue(15);
    expect(screen.getByLabelText("Decimal mark")).toHaveDisplayValue("Comma: 1.234,56");
    expect(screen.getByLabelText("Sign of the amounts")).toHaveDisplayValue("Money out is negative (−12.50)");
    const columns = screen.getByRole("table", { name: "Columns of the file" });
    expect(within(columns).getByText("PP.1234.PP . Blumen Berther")).toBeInTheDocument();
    expect(within(columns).getByLabelText("Role of column Betrag")).toHaveDisplayValue("Amount");
    expect(within(columns).getByLabelText("Role of column Verwendungszweck")).toHaveDisplayValue("Not read");
    expect(screen.getByText("The 14 line(s) above the header were skipped.")).toBeInTheDocument();

    expect(screen.getByRole("heading", { name: "Preview of statement.csv" })).toBeInTheDocument();
    const counts = screen.getByText("Rows read").closest("dl")!;
    expect(counts).toHaveTextContent("Rows read2New2Already imported0Pending1Rejected0");
    expect(counts.nextElementSibling).toHaveTextContent(/^The file states a balance of €150\.00 on .*2018\.$/);
    const pendingRow = screen.getByRole("cell", { name: "Gutschrift" }).closest("tr")!;
    expect(within(pendingRow).getByText("Pending")).toBeInTheDocument();
    expect(screen.getByLabelText("Remember this reading for Giro")).not.toBeChecked();
  });

  it("reads the file again with the whole corrected reading when a column's role changes", async () => {
    const corrected = { ...ING, description: "Verwendungszweck" };
    upload.mockResolvedValueOnce(report()).mockResolvedValueOnce(report({ mapping: corrected }))
      .mockResolvedValueOnce(report({ dryRun: false, stored: true }));
    await chooseAndPreview();
    const role = await screen.findByLabelText("Role of column Verwendungszweck");
    await userEvent.selectOptions(role, "Description");
    expect(upload).toHaveBeenCalledTimes(2);
    const mapping = {
      date: "Buchung", amount: "Betrag", balance: "Saldo", description: "Verwendungszweck",
      decimalComma: true, amountSign: "NORMAL", delimiter: ";", encoding: "cp1250", headerRow: 15,
    };
    expect(variables(1)).toEqual({ accountId: "7", format: "CSV", mapping, dryRun: true, rememberMapping: false });
    expect(await screen.findByLabelText("Role of column Buchungstext")).toHaveDisplayValue("Not read");
    // The commit sends the reading the preview was made with.
    await userEvent.click(screen.getByRole("button", { name: "Import 2 transactions" }));
    expect(variables(2)).toEqual({ accountId: "7", format: "CSV", mapping, dryRun: false, rememberMapping: false });
    expect(await screen.findByText(/Imported 2 transactions into Giro/)).toBeInTheDocument();
  });

  it("reads again when a typed value is left changed, and when asked to", async () => {
    upload.mockResolvedValue(report());
    await chooseAndPreview();
    const header = await screen.findByLabelText("Header line");
    await userEvent.click(header);
    await userEvent.tab();
    expect(upload).toHaveBeenCalledTimes(1);  // left unchanged: nothing to read again
    await userEvent.clear(header);
    await userEvent.type(header, "16");
    await userEvent.tab();
    expect(upload).toHaveBeenCalledTimes(2);
    expect(variables(1)).toMatchObject({ mapping: { headerRow: 16, delimiter: ";" } });
    await userEvent.click(screen.getByRole("button", { name: "Read again" }));
    expect(upload).toHaveBeenCalledTimes(3);
  });

  it("asks for the date order when the file cannot tell, with the date-format control focused", async () => {
    const message = "The dates can be read day first or month first ('05/03/2021' could be either) and nothing in the file tells which";
    upload.mockResolvedValueOnce(refusal(message, "mapping.dateFormat", ["Transaction Date", "Description", "Debit Amount"]))
      .mockResolvedValueOnce(report({ mapping: { ...ING, dateFormat: "%m/%d/%Y" } }));
    await chooseAndPreview("payoneer.csv");
    const dates = await screen.findByLabelText("Dates");
    expect(dates).toHaveFocus();
    expect(dates).toHaveAttribute("aria-invalid", "true");
    // The server's message, once, under the control.
    expect(screen.getAllByText(message)).toHaveLength(1);
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    expect(screen.queryByRole("heading", { name: /Preview of/ })).toBeNull();
    expect(within(screen.getByRole("table", { name: "Columns of the file" })).getByText("Transaction Date")).toBeInTheDocument();

    await userEvent.selectOptions(dates, "Month first (12/31/2024)");
    expect(variables(1)).toMatchObject({ format: null, mapping: { dateFormat: "%m/%d/%Y" }, dryRun: true });
    expect(await screen.findByRole("heading", { name: "Preview of payoneer.csv" })).toBeInTheDocument();
    expect(screen.getByLabelText("Dates")).toHaveValue("MDY");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("explains the sign in words when a card file does not say it", async () => {
    upload.mockResolvedValueOnce(refusal("This card statement does not say whether its purchases are positive or negative numbers", "mapping.amountSign", ["Date", "Amount"]))
      .mockResolvedValueOnce(report());
    await chooseAndPreview();
    const sign = await screen.findByLabelText("Sign of the amounts");
    expect(sign).toHaveFocus();
    await userEvent.selectOptions(sign, "Purchases are positive numbers in this file");
    expect(variables(1)).toMatchObject({ mapping: { amountSign: "INVERTED" } });
  });

  it("offers the accounts a refusal names", async () => {
    upload.mockResolvedValueOnce(refusal("This file holds 2 accounts (DE89370400440532013000, 4444): choose one with mapping.account", "mapping.account"))
      .mockResolvedValueOnce(report({ mapping: { ...ING, format: "OFX", columns: [], account: "4444", accounts: ["DE89370400440532013000", "4444"] } }));
    await chooseAndPreview("both.ofx");
    const picker = await screen.findByLabelText("Account in the file");
    expect(picker).toHaveFocus();
    expect(screen.queryByLabelText("Delimiter")).toBeNull();  // not a CSV: no CSV controls
    await userEvent.selectOptions(picker, "4444");
    expect(variables(1)).toMatchObject({ mapping: { account: "4444" } });
    expect(await screen.findByLabelText("Account in the file")).toHaveValue("4444");
  });

  it("asks which column holds what the server could not find", async () => {
    upload.mockResolvedValueOnce(refusal("No column of dates was found: name it with mapping.date", "mapping.date", ["Wann", "Was", "Wieviel"]))
      .mockResolvedValueOnce(report());
    await chooseAndPreview();
    const column = await screen.findByLabelText("Booking date column");
    expect(column).toHaveFocus();
    await userEvent.selectOptions(column, "Wann");
    expect(variables(1)).toMatchObject({ mapping: { date: "Wann" } });
  });

  it("commits with rememberMapping when the reading is to be remembered", async () => {
    upload.mockResolvedValueOnce(report()).mockResolvedValueOnce(report({ dryRun: false, stored: true }));
    await chooseAndPreview();
    await userEvent.click(await screen.findByLabelText("Remember this reading for Giro"));
    await userEvent.click(screen.getByRole("button", { name: "Import 2 transactions" }));
    expect(variables(1)).toEqual({ accountId: "7", format: null, mapping: null, dryRun: false, rememberMapping: true });
    expect((upload.mock.calls[1][2] as { file: File }).file.name).toBe("statement.csv");
    expect(await screen.findByText("Giro will read its next files this way.")).toBeInTheDocument();
  });

  it("shows the reading the account remembers and forgets it", async () => {
    remembered = { ...ING, format: null, columns: [] };
    render(<Provider value={client as never}><MemoryRouter><Import /></MemoryRouter></Provider>);
    const section = await screen.findByRole("region", { name: "Giro remembers how its files read" });
    expect(section).toHaveTextContent("Booking dateBuchung");
    expect(section).toHaveTextContent("Decimal markcomma (1.234,56)");
    await userEvent.click(within(section).getByRole("button", { name: "Forget this reading" }));
    expect(client.executeMutation).toHaveBeenCalledTimes(1);
    const [request] = client.executeMutation.mock.calls[0] as unknown as [{ variables: unknown }];
    expect(request.variables).toEqual({ accountId: "7", mapping: null });
  });

  it("names rejected rows and offers no commit", async () => {
    upload.mockResolvedValueOnce(report({ inserted: 1, rejected: 1, errors: [{ row: 3, message: "bad date: 2025-13-45" }] }));
    await chooseAndPreview();
    expect(await screen.findByText("Nothing will be imported.")).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Row 3" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "bad date: 2025-13-45" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Import \d/ })).toBeNull();
    expect(screen.queryByLabelText(/Remember this reading/)).toBeNull();
  });

  it("keeps a refusal that is not about the reading above the form", async () => {
    upload.mockResolvedValueOnce({ errors: [toServerError({ message: "This is not a CSV file", extensions: { code: "BAD_USER_INPUT", field: "file" } })] });
    await chooseAndPreview();
    expect(await screen.findByRole("alert")).toHaveTextContent("This is not a CSV file");
    expect(screen.getByRole("button", { name: "Preview import" })).toBeInTheDocument();
  });
});
