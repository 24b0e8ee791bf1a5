import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { Provider } from "urql";
import { fromValue } from "wonka";
import { describe, expect, it, vi } from "vitest";
import { setSession } from "../../lib/session";
import { Jobs } from "./Jobs";
import SettingsRoutes from "./routes";

const job = (id: string, state: string, extra: Record<string, unknown> = {}) => ({
  id, kind: "documents.ingest", state, progress: 0.4, message: "", error: null, attempts: 1, maxAttempts: 3,
  runAt: "2025-05-01T10:00:00Z", createdAt: "2025-05-01T10:00:00Z", startedAt: null, finishedAt: null, owner: null, ...extra,
});

function client(data: unknown) {
  return {
    executeQuery: vi.fn(() => fromValue({ data })),
    executeMutation: vi.fn(({ variables }: { variables: { id: string } }) => fromValue({ data: { retryJob: job(variables.id, "QUEUED") } })),
    executeSubscription: vi.fn(),
  };
}

function signInAs(role: "ADMIN" | "MEMBER") {
  setSession({ accessToken: "t", refreshToken: "r", expiresAt: "2099-01-01T00:00:00Z", user: { id: "5", email: "m@example.com", fullName: "", role } });
}

describe("Jobs", () => {
  it("offers cancel for running jobs and retry for dead ones, with progress and the error", async () => {
    signInAs("MEMBER");
    const edges = [job("1", "RUNNING", { message: "Reading page 2" }), job("2", "DEAD", { error: "The PDF is encrypted" })]
      .map((node) => ({ node }));
    const mock = client({ jobs: { edges, pageInfo: { hasNextPage: false, endCursor: null } } });
    render(<Provider value={mock as never}><MemoryRouter><Jobs /></MemoryRouter></Provider>);
    expect(screen.getByRole("progressbar", { name: "Progress of job 1" })).toHaveAttribute("aria-valuenow", "40");
    expect(screen.getByText("The PDF is encrypted")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel job 1" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Retry job 1" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Cancel job 2" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Retry job 2" }));
    expect(mock.executeMutation.mock.calls[0][0].variables).toEqual({ id: "2" });
    expect(screen.getByText(/Updating every few seconds/)).toBeInTheDocument();
  });

  it("says what to do when there are none", () => {
    signInAs("MEMBER");
    const mock = client({ jobs: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });
    render(<Provider value={mock as never}><MemoryRouter><Jobs /></MemoryRouter></Provider>);
    expect(screen.getByText("No jobs yet.")).toBeInTheDocument();
  });
});

describe("admin pages", () => {
  it("tell a member they are for administrators, without asking the server", () => {
    signInAs("MEMBER");
    const mock = client({});
    render(
      <Provider value={mock as never}>
        <MemoryRouter initialEntries={["/settings/audit"]}>
          <Routes><Route path="settings/*" element={<SettingsRoutes />} /></Routes>
        </MemoryRouter>
      </Provider>,
    );
    expect(screen.getByRole("heading", { name: "Audit log", level: 1 })).toBeInTheDocument();
    expect(screen.getByText("For administrators only.")).toBeInTheDocument();
    expect(mock.executeQuery).not.toHaveBeenCalled();
  });
});
