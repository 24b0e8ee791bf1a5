import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { print, type DocumentNode } from "graphql";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { describe, expect, it, vi } from "vitest";
import Transactions from "./Transactions";

const row = {
  id: "11", bookingDate: "2025-01-15", amount: "-12.99", currency: "EUR", description: "NETFLIX.COM abo", counterpartyName: "Netflix",
  reference: null, status: "BOOKED", account: { id: "1", name: "Giro" }, category: null, client: null, tags: [],
};

function mockClient() {
  return {
    executeQuery: vi.fn(({ query, variables }: { query: DocumentNode; variables: Record<string, unknown> }) => {
      const text = print(query);
      if (text.includes("FinanceTransactions")) {
        return fromValue({ data: { transactions: { edges: [{ node: row }], pageInfo: { hasNextPage: false, endCursor: null } } }, operation: { variables } });
      }
      if (text.includes("FinanceCategories")) {
        return fromValue({ data: { categories: [{ id: "5", name: "Subscriptions", kind: "EXPENSE", color: null, parentId: null }] } });
      }
      if (text.includes("FinanceAccountOptions")) return fromValue({ data: { accounts: [] } });
      if (text.includes("FinanceTags")) return fromValue({ data: { tags: [] } });
      return fromValue({ data: { clients: [] } });
    }),
    executeMutation: vi.fn(() => fromValue({ data: { categorizeTransaction: { id: "11", category: { id: "5", name: "Subscriptions" } } } })),
    executeSubscription: vi.fn(() => never),
  };
}

describe("Transactions", () => {
  it("categorises a row inline and filters from the URL", async () => {
    const client = mockClient();
    render(
      <Provider value={client as never}>
        <MemoryRouter initialEntries={["/finance/transactions?category=5&q=netflix"]}><Transactions /></MemoryRouter>
      </Provider>,
    );
    const table = await screen.findByRole("table", { name: "Transactions" });
    expect(within(table).getByText("NETFLIX.COM abo")).toBeInTheDocument();
    const transactionsCall = client.executeQuery.mock.calls.find(([op]) => print(op.query).includes("FinanceTransactions"))!;
    expect(transactionsCall[0].variables).toMatchObject({ first: 50, after: null, filter: { categoryIds: ["5"], search: "netflix" } });
    expect(screen.getByLabelText("Search")).toHaveValue("netflix");

    await userEvent.selectOptions(within(table).getByLabelText(/^Category for NETFLIX\.COM abo/), "Subscriptions");
    const mutation = client.executeMutation.mock.calls[0] as unknown as [{ variables: unknown }];
    expect(mutation[0].variables).toEqual({ id: "11", categoryId: "5" });
  });
});
