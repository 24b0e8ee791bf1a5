import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue } from "wonka";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { setSession } from "../../lib/session";
import { Users } from "./Users";

const ada = { id: "1", email: "ada@example.com", fullName: "Ada", role: "ADMIN", active: true, createdAt: "2025-01-01T10:00:00Z", lastLoginAt: null };
const users = { users: { edges: [{ node: ada }], pageInfo: { hasNextPage: false, endCursor: null } } };

function renderUsers(reply: (vars: Record<string, unknown>) => unknown) {
  const client = {
    executeQuery: vi.fn(() => fromValue({ data: users })),
    executeMutation: vi.fn(({ variables }: { variables: Record<string, unknown> }) => fromValue(reply(variables))),
    executeSubscription: vi.fn(),
  };
  render(<Provider value={client as never}><MemoryRouter><Users /></MemoryRouter></Provider>);
  return client;
}

beforeEach(() => {
  // Signed in as Ada, the only administrator.
  setSession({ accessToken: "t", refreshToken: "r", expiresAt: "2099-01-01T00:00:00Z", user: { id: "1", email: ada.email, fullName: "Ada", role: "ADMIN" } });
});

describe("Users", () => {
  it("creates a user with a generated password and shows it once", async () => {
    const client = renderUsers((vars) => ({
      data: { createUser: { ...ada, id: "2", email: (vars.input as { email: string }).email, role: "MEMBER", fullName: "" } },
    }));
    await userEvent.click(screen.getByRole("button", { name: "Invite user" }));
    await userEvent.type(screen.getByLabelText("Email"), " bob@example.com ");
    await userEvent.click(screen.getByRole("button", { name: "Create user" }));
    const input = client.executeMutation.mock.calls[0][0].variables.input as Record<string, string>;
    expect(input).toMatchObject({ email: "bob@example.com", fullName: "", role: "MEMBER" });
    expect(input.password.length).toBeGreaterThanOrEqual(12);
    expect(await screen.findByText(input.password)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Hide the password" }));
    expect(screen.queryByText(input.password)).toBeNull();
  });

  it("keeps the confirmation open with the server's refusal", async () => {
    renderUsers(() => ({
      error: { graphQLErrors: [{ message: "Cannot demote the last active administrator", extensions: { code: "CONFLICT" } }], message: "" },
    }));
    expect(screen.queryByRole("button", { name: "Deactivate ada@example.com" })).toBeNull(); // not yourself
    await userEvent.click(screen.getByRole("button", { name: "Make member ada@example.com" }));
    const dialog = screen.getByRole("dialog", { name: "Make a member?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Make member" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Cannot demote the last active administrator");
  });
});
