import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { setSession } from "../lib/session";
import { Layout } from "./Layout";

function signIn(role: "ADMIN" | "MEMBER") {
  setSession({
    accessToken: "a", refreshToken: "r", expiresAt: "2099-01-01T00:00:00Z",
    user: { id: "1", email: "m@example.com", fullName: "Mia", role },
  });
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route element={<Layout />}>
          <Route path="*" element={<h1>page</h1>} />
        </Route>
      </Routes>
    </MemoryRouter>,
  );
}

describe("Layout", () => {
  it("shows members no admin pages and marks the current one", () => {
    signIn("MEMBER");
    renderAt("/documents/search");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Users" })).toBeNull();
    expect(within(nav).queryByRole("link", { name: "Audit log" })).toBeNull();
    expect(within(nav).getByRole("link", { name: "Search & ask" })).toHaveAttribute("aria-current", "page");
    expect(within(nav).getByRole("link", { name: "Library" })).not.toHaveAttribute("aria-current");
  });

  it("shows administrators every page", () => {
    signIn("ADMIN");
    renderAt("/");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Users" })).toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "page");
  });

  it("opens the phone menu and closes it with Escape, focus back on the button", async () => {
    signIn("MEMBER");
    renderAt("/");
    const button = screen.getByRole("button", { name: /Menu/ });
    await userEvent.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    await userEvent.keyboard("{Escape}");
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveFocus();
  });
});
