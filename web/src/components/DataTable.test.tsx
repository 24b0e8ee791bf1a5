import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DataTable, RowAction, type Column } from "./DataTable";

interface Account { id: string; name: string; balance: string }
const ROWS: Account[] = [{ id: "1", name: "Giro", balance: "12.50" }, { id: "2", name: "Savings", balance: "100.00" }];
const COLUMNS: Column<Account>[] = [
  { header: "Name", cell: (a) => a.name, card: "title" },
  { header: "Balance", cell: (a) => a.balance, numeric: true },
];

describe("DataTable", () => {
  it("is a named table with a header row and one row per item", () => {
    render(<DataTable caption="Accounts" columns={COLUMNS} rows={ROWS} rowKey={(a) => a.id} />);
    const table = screen.getByRole("table", { name: "Accounts" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Name", "Balance"]);
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByRole("cell", { name: "12.50" })).toHaveClass("num");
  });

  it("gives each row its actions, named after the row", async () => {
    const edit = vi.fn();
    render(
      <DataTable caption="Accounts" columns={COLUMNS} rows={ROWS} rowKey={(a) => a.id}
        actions={(a) => <RowAction label="Edit" subject={a.name} onClick={() => edit(a.id)} />} />,
    );
    expect(screen.getByRole("columnheader", { name: "Actions" })).toBeInTheDocument();
    const row = screen.getByRole("row", { name: /Savings/ });
    const button = within(row).getByRole("button", { name: "Edit Savings" });
    expect(button).toHaveTextContent(/^Edit/);
    await userEvent.click(button);
    expect(edit).toHaveBeenCalledWith("2");
  });

  it("labels the values of a phone card, hidden from screen readers", () => {
    render(<DataTable caption="Accounts" columns={COLUMNS} rows={ROWS.slice(0, 1)} rowKey={(a) => a.id} />);
    const cell = screen.getByRole("cell", { name: "12.50" });  // the label is not part of its name
    expect(within(cell).getByText("Balance")).toHaveAttribute("aria-hidden", "true");
    // The title column needs no label.
    expect(within(screen.getByRole("cell", { name: "Giro" })).queryByText("Name")).toBeNull();
  });

  it("leaves out columns given as false, and scrolling tables carry no card labels", () => {
    const { container } = render(
      <DataTable caption="Accounts" layout="scroll" columns={[...COLUMNS, false]} rows={ROWS} rowKey={(a) => a.id}
        footer={<tr><th scope="row">Total</th><td className="num">112.50</td></tr>} />,
    );
    expect(screen.getAllByRole("columnheader")).toHaveLength(2);
    expect(container.querySelector(".cell-label")).toBeNull();
    expect(container.querySelector(".table-scroll")).not.toBeNull();
    expect(screen.getByRole("rowheader", { name: "Total" })).toBeInTheDocument();
  });

  it("says a scrolling table is wider than its box, and lets the keyboard scroll it", () => {
    const wide = vi.spyOn(HTMLElement.prototype, "scrollWidth", "get").mockReturnValue(900);
    const box = vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(390);
    try {
      const { container } = render(<DataTable caption="Trades" layout="scroll" columns={COLUMNS} rows={ROWS} rowKey={(a) => a.id} />);
      expect(container.querySelector(".table-scroll")).toHaveAttribute("tabindex", "0");
      expect(screen.getByText(/Scroll sideways/)).toHaveAttribute("aria-hidden", "true");
    } finally {
      wide.mockRestore();
      box.mockRestore();
    }
  });

  it("shows its caption when asked", () => {
    render(<DataTable caption="Rejected rows" showCaption columns={COLUMNS} rows={ROWS} rowKey={(a) => a.id} />);
    expect(screen.getByText("Rejected rows")).not.toHaveClass("visually-hidden");
  });
});
