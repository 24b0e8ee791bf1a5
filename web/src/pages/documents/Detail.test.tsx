import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setSession } from "../../lib/session";
import Detail, { citedPage } from "./Detail";

const doc = {
  id: "7", title: "contract", filename: "contract.pdf", mimeType: "application/pdf", sizeBytes: "4096", pageCount: 3,
  chunkCount: 3, status: "READY", error: null, note: null, tags: ["legal"], createdAt: "2025-03-01T10:00:00Z",
  updatedAt: "2025-03-01T10:00:00Z", downloadUrl: "/api/documents/7/file", job: null, sha256: "ab".repeat(32),
  analysis: {
    summary: "A service agreement between Acme and Globex.", entities: [{ name: "Acme Corporation", type: "ORGANIZATION" }],
    topics: ["maintenance"], suggestedTags: ["legal", "supplier"], provider: "OPENAI", model: "gpt", analyzedAt: "2025-03-02T10:00:00Z",
  },
};

function mockClient() {
  return {
    executeQuery: vi.fn(() => fromValue({ data: { document: doc } })),
    executeMutation: vi.fn(({ variables }: { variables: { tags: string[] } }) =>
      fromValue({ data: { updateDocument: { id: "7", title: "contract", tags: variables.tags, updatedAt: "2025-03-03T10:00:00Z" } } })),
    executeSubscription: vi.fn(() => never),
  };
}

function renderDetail(client: ReturnType<typeof mockClient>, path: string) {
  return render(
    <Provider value={client as never}>
      <MemoryRouter initialEntries={[path]}><Routes><Route path="/documents/:id" element={<Detail />} /></Routes></MemoryRouter>
    </Provider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("Document detail", () => {
  it("opens the cited page of a PDF, fetched with the bearer token", async () => {
    setSession({ accessToken: "tok", refreshToken: "r", expiresAt: "2099-01-01T00:00:00Z", user: { id: "1", email: "a@b.c", fullName: "", role: "MEMBER" } });
    const fetch = vi.fn(async () => new Response(new Blob(["%PDF-1.4"]), { status: 200 }));
    const tab = { opener: {}, location: { href: "" }, close: vi.fn() };
    const open = vi.fn(() => tab);
    vi.stubGlobal("fetch", fetch);
    vi.stubGlobal("open", open);
    URL.createObjectURL = vi.fn(() => "blob:http://app/1");
    URL.revokeObjectURL = vi.fn();
    renderDetail(mockClient(), "/documents/7?page=3");

    expect(await screen.findByText("Cited passage on page 3.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Open at page 3" }));
    // The tab opens within the click (no popup blocker), then shows the fetched file.
    expect(open).toHaveBeenCalledWith("", "_blank");
    await vi.waitFor(() => expect(tab.location.href).toBe("blob:http://app/1#page=3"));
    expect(tab.opener).toBeNull();
    expect(fetch).toHaveBeenCalledWith("/api/documents/7/file", { headers: { Authorization: "Bearer tok" } });
  });

  it("adds a suggested tag with one click, keeping the others", async () => {
    const client = mockClient();
    renderDetail(client, "/documents/7");
    expect(await screen.findByText("A service agreement between Acme and Globex.")).toBeInTheDocument();
    // Already there: shown as added, not offered again.
    expect(screen.queryByRole("button", { name: "Add tag legal" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Add tag supplier" }));
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({ id: "7", title: "contract", tags: ["legal", "supplier"] });
  });

  it("reads only sensible page numbers from the URL", () => {
    expect(citedPage("3")).toBe(3);
    expect(citedPage("0")).toBeNull();
    expect(citedPage("2.5")).toBeNull();
    expect(citedPage("x")).toBeNull();
    expect(citedPage(null)).toBeNull();
  });
});
