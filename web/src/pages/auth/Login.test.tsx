import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { Provider } from "urql";
import { fromValue, never } from "wonka";
import { describe, expect, it, vi } from "vitest";
import { Login, safeNext } from "./Login";
import { getSession } from "../../lib/session";

function mockClient(login: (vars: Record<string, unknown>) => unknown) {
  return {
    executeQuery: vi.fn(() => fromValue({ data: { needsSetup: false } })),
    executeMutation: vi.fn(({ variables }: { variables: Record<string, unknown> }) => fromValue(login(variables))),
    executeSubscription: vi.fn(() => never),
  };
}

function renderLogin(client: ReturnType<typeof mockClient>) {
  return render(
    <Provider value={client as never}>
      <MemoryRouter initialEntries={["/login?next=/finance/accounts"]}>
        <Routes>
          <Route path="/login" element={<Login />} />
          <Route path="/finance/accounts" element={<p>accounts page</p>} />
        </Routes>
      </MemoryRouter>
    </Provider>,
  );
}

describe("Login", () => {
  it("shows the server's message for wrong credentials", async () => {
    const client = mockClient(() => ({
      error: { graphQLErrors: [{ message: "Wrong email or password.", extensions: { code: "UNAUTHENTICATED" } }], message: "" },
    }));
    renderLogin(client);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.c");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(getSession()).toBeNull();
  });

  it("keeps the session and goes where the user was headed", async () => {
    const user = { id: "1", email: "a@b.c", fullName: "A", role: "ADMIN" };
    const client = mockClient(() => ({
      data: { login: { accessToken: "t", refreshToken: "r", expiresAt: "2099-01-01T00:00:00Z", user } },
    }));
    renderLogin(client);
    await userEvent.type(screen.getByLabelText("Email"), " a@b.c ");
    await userEvent.type(screen.getByLabelText("Password"), "right one");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("accounts page")).toBeInTheDocument();
    expect(getSession()?.user.email).toBe("a@b.c");
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({ email: "a@b.c", password: "right one" });
  });

  it("never follows a next= to another origin", () => {
    expect(safeNext("//evil.example/x")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("/\t/evil.example")).toBe("/");
    expect(safeNext("/documents?q=1#x")).toBe("/documents?q=1#x");
  });
});
