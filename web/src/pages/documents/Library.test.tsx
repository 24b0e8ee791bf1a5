import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { beforeEach, describe, expect, it, vi } from "vitest";
import Library from "./Library";

const upload = vi.hoisted(() => vi.fn());
vi.mock("../../lib/upload", () => ({ uploadMutation: upload }));
// No WebSocket in jsdom: the job is reported finished at once.
vi.mock("../../lib/useJob", async (original) => ({
  ...(await original<typeof import("../../lib/useJob")>()),
  useJob: (id: string | null) => (id ? { id, kind: "documents.ingest", state: "SUCCEEDED", progress: 1, message: "Done", attempts: 1, maxAttempts: 3 } : null),
}));

const ready = {
  id: "1", title: "contract", filename: "contract.pdf", mimeType: "application/pdf", sizeBytes: "2048", pageCount: 3,
  chunkCount: 3, status: "READY", error: null, note: null, tags: ["legal"], createdAt: "2025-03-01T10:00:00Z",
  updatedAt: "2025-03-01T10:00:00Z", downloadUrl: "/api/documents/1/file", job: null,
};

function mockClient(documents: unknown[]) {
  return {
    executeQuery: vi.fn(({ query }: { query: { definitions: { name?: { value: string } }[] } }) => {
      const name = query.definitions.find((d) => d.name)?.name?.value;
      if (name === "DocumentsTags") return fromValue({ data: { tags: [{ id: "1", name: "legal" }] } });
      return fromValue({ data: { documents: { edges: documents.map((node, i) => ({ cursor: String(i), node })), pageInfo: { hasNextPage: false, endCursor: null } } } });
    }),
    executeMutation: vi.fn(() => never),
    executeSubscription: vi.fn(() => never),
    // The upload row asks for the document's final status once its job has finished.
    query: vi.fn(() => ({ toPromise: async () => ({ data: { document: { id: "2", status: "READY", error: null, note: null, pageCount: null, chunkCount: 1 } } }) })),
  };
}

function renderLibrary(client: ReturnType<typeof mockClient>) {
  return render(<Provider value={client as never}><MemoryRouter><Library /></MemoryRouter></Provider>);
}

beforeEach(() => upload.mockReset());

describe("Library", () => {
  it("tells a newcomer to drop a file", async () => {
    renderLibrary(mockClient([]));
    expect(await screen.findByText("No documents yet.")).toBeInTheDocument();
    expect(screen.getByText(/Drop a file/)).toBeInTheDocument();
  });

  it("lists documents with their status, size and tags", async () => {
    renderLibrary(mockClient([ready, { ...ready, id: "2", title: "scan", filename: "scan.pdf", status: "FAILED", error: "The PDF is damaged", tags: [] }]));
    const table = await screen.findByRole("table");
    expect(within(table).getByRole("link", { name: "contract" })).toHaveAttribute("href", "/documents/1");
    expect(within(table).getByText("Ready")).toBeInTheDocument();
    expect(within(table).getByText("Failed")).toBeInTheDocument();
    expect(within(table).getByText("The PDF is damaged")).toBeInTheDocument();
    expect(within(table).getAllByText("2.0 KB")).toHaveLength(2);
  });

  it("uploads each file with its tags, shows the server's refusal and follows the accepted one", async () => {
    upload
      .mockImplementationOnce(async (_doc: unknown, _vars: unknown, _files: unknown, onProgress: (f: number) => void) => {
        onProgress(0.5);
        return { errors: [{ message: "This is a PNG image: upload a PDF, Word, HTML, Markdown, CSV or text file", code: "BAD_USER_INPUT" }] };
      })
      .mockImplementationOnce(async () => ({ errors: [], data: { uploadDocument: { ...ready, id: "2", title: "notes", status: "PENDING", job: { id: "9" } } } }));
    const client = mockClient([]);
    renderLibrary(client);
    await userEvent.type(screen.getByLabelText("Tags for new uploads"), "tax, 2024");
    const files = [new File(["\x89PNG"], "photo.png"), new File(["some notes"], "notes.txt")];
    await userEvent.upload(screen.getByLabelText("Choose files"), files);

    const uploads = await screen.findByRole("list", { name: "Uploads" });
    expect(await within(uploads).findByRole("alert")).toHaveTextContent("This is a PNG image");
    expect(await within(uploads).findByText("Ready")).toBeInTheDocument();
    expect(within(uploads).getByRole("link", { name: "notes" })).toHaveAttribute("href", "/documents/2");
    expect(upload).toHaveBeenCalledTimes(2);
    expect(upload.mock.calls[1][1]).toEqual({ tags: ["tax", "2024"] });
    expect(upload.mock.calls[1][2]).toEqual({ file: files[1] });
  });
});
