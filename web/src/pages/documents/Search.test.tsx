import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { describe, expect, it, vi } from "vitest";
import Search from "./Search";

const doc = { id: "7", title: "contract", mimeType: "application/pdf" };

function mockClient(askResult: unknown) {
  return {
    executeQuery: vi.fn((_operation: { variables: unknown }) => fromValue({
      data: { searchDocuments: [{ text: "Invoices are payable within thirty days.", page: 2, score: 0.03, byVector: false, byKeyword: true, document: doc }] },
    })),
    executeMutation: vi.fn(() => fromValue(askResult)),
    executeSubscription: vi.fn(() => never),
  };
}

function renderSearch(client: ReturnType<typeof mockClient>, path = "/documents/search") {
  return render(
    <Provider value={client as never}>
      <MemoryRouter initialEntries={[path]}><Search /></MemoryRouter>
    </Provider>,
  );
}

async function ask(question: string) {
  await userEvent.type(screen.getByLabelText("Question"), question);
  await userEvent.click(screen.getByRole("button", { name: "Ask" }));
}

describe("Search & ask", () => {
  it("lists hits with their page, how they were found and the query's words marked", async () => {
    const client = mockClient({});
    renderSearch(client, "/documents/search?q=payable");
    const results = await screen.findByRole("list", { name: "Search results" });
    expect(results.querySelector("mark")).toHaveTextContent("payable");
    expect(screen.getByText("by words")).toBeInTheDocument();
    expect(screen.queryByText("by meaning")).toBeNull();
    expect(screen.getByRole("link", { name: "contract" })).toHaveAttribute("href", "/documents/7?page=2");
    expect(client.executeQuery.mock.calls[0][0]).toMatchObject({ variables: { query: "payable", limit: 20 } });
  });

  it("shows the answer with citations that link to the cited page", async () => {
    renderSearch(mockClient({
      data: { askDocuments: { answer: "Ninety days written notice [1].", grounded: true, provider: "ANTHROPIC", model: "claude",
        citations: [{ page: 3, passage: "Either party may terminate with ninety days written notice.", document: doc }] } },
    }));
    await ask("How much notice?");
    expect(await screen.findByText("Ninety days written notice [1].")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "contract, page 3" })).toHaveAttribute("href", "/documents/7?page=3");
    expect(screen.getByText(/Either party may terminate/)).toBeInTheDocument();
  });

  it("says so when no passage matched", async () => {
    renderSearch(mockClient({ data: { askDocuments: { answer: "None of your documents mention this.", grounded: false, provider: null, model: null, citations: [] } } }));
    await ask("Boiling point of mercury?");
    expect(await screen.findByRole("status")).toHaveTextContent("None of your documents mention this.");
  });

  it("shows a missing AI integration with a link to Settings", async () => {
    renderSearch(mockClient({
      error: { graphQLErrors: [{ message: "No AI provider is configured.", extensions: { code: "INTEGRATION_NOT_CONFIGURED" } }], message: "" },
    }));
    await ask("Anything?");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("No AI provider is configured.");
    expect(screen.getByRole("link", { name: /Settings → Integrations/ })).toHaveAttribute("href", "/settings/integrations");
  });
});
