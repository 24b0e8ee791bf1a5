import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider } from "urql";
import { fromValue } from "wonka";
import { describe, expect, it, vi } from "vitest";
import Profile, { passwordProblem } from "./Profile";

const me = { id: "1", email: "ada@example.com", fullName: "Ada", role: "ADMIN", createdAt: "2025-01-01T10:00:00Z", lastLoginAt: null };

function renderProfile(change: (vars: Record<string, unknown>) => unknown) {
  const client = {
    executeQuery: vi.fn(() => fromValue({ data: { me } })),
    executeMutation: vi.fn(({ variables }: { variables: Record<string, unknown> }) => fromValue(change(variables))),
    executeSubscription: vi.fn(),
  };
  render(<Provider value={client as never}><MemoryRouter><Profile /></MemoryRouter></Provider>);
  return client;
}

async function fill(current: string, next: string, repeat = next) {
  await userEvent.type(screen.getByLabelText("Current password"), current);
  await userEvent.type(screen.getByLabelText("New password"), next);
  await userEvent.type(screen.getByLabelText("Repeat the new password"), repeat);
  await userEvent.click(screen.getByRole("button", { name: "Change password" }));
}

describe("Profile", () => {
  it("checks length and repetition before asking the server", async () => {
    expect(passwordProblem("short", "short")?.field).toBe("new");
    expect(passwordProblem("long enough password", "long enough passwort")?.field).toBe("repeat");
    expect(passwordProblem("long enough password", "long enough password")).toBeNull();
    const client = renderProfile(() => ({ data: { changePassword: true } }));
    await fill("old password 123", "new password 456", "new password 789");
    expect(await screen.findByText("The two new passwords differ.")).toBeInTheDocument();
    expect(client.executeMutation).not.toHaveBeenCalled();
  });

  it("shows the server's refusal at the field it names", async () => {
    renderProfile(() => ({
      error: { graphQLErrors: [{ message: "Current password is incorrect", extensions: { code: "BAD_USER_INPUT", field: "currentPassword" } }], message: "" },
    }));
    expect(await screen.findByText("ada@example.com")).toBeInTheDocument();
    await fill("wrong password 1", "new password 456");
    const current = screen.getByLabelText("Current password");
    expect(await screen.findByText("Current password is incorrect")).toBeInTheDocument();
    expect(current).toHaveAttribute("aria-invalid", "true");
  });

  it("says that other sessions were signed out", async () => {
    const client = renderProfile(() => ({ data: { changePassword: true } }));
    await fill("old password 123", "new password 456");
    expect(await screen.findByText(/other sessions .* were signed out/)).toBeInTheDocument();
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({ currentPassword: "old password 123", newPassword: "new password 456" });
    expect(screen.getByLabelText("Current password")).toHaveValue("");
  });
});
