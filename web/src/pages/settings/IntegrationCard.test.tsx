import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "urql";
import { fromValue } from "wonka";
import { describe, expect, it, vi } from "vitest";
import type { SettingsIntegrationFieldsFragment } from "../../gql/graphql";
import { IntegrationCard, type ProviderInfo } from "./IntegrationCard";

const INFO: ProviderInfo = {
  provider: "OPENAI", label: "OpenAI", description: "Chat.", docsUrl: "https://example.invalid/docs", notice: null,
  fields: [
    { name: "apiKey", label: "API key", kind: "SECRET", secret: true, required: true, default: null, choices: [], help: null },
    { name: "chatModel", label: "Chat model", kind: "TEXT", secret: false, required: false, default: "gpt-4.1-mini", choices: [], help: null },
  ],
};

const stored = (status: SettingsIntegrationFieldsFragment["status"], lastError: string | null = null): SettingsIntegrationFieldsFragment => ({
  provider: "OPENAI", label: "OpenAI", configured: true, scope: "GLOBAL", status, lastError,
  lastCheckedAt: status === "UNTESTED" ? null : "2025-05-01T10:00:00Z", updatedAt: "2025-05-01T09:00:00Z",
  fields: [
    { name: "apiKey", secret: true, isSet: true, value: "sk-…9f2a" },
    { name: "chatModel", secret: false, isSet: false, value: "gpt-4.1-mini" },
  ],
});

function renderCard(reply: (query: string, vars: Record<string, unknown>) => unknown, integration = stored("UNTESTED")) {
  const client = {
    executeQuery: vi.fn(),
    executeMutation: vi.fn(({ query, variables }: { query: { definitions: { name?: { value: string } }[] }; variables: Record<string, unknown> }) =>
      fromValue(reply(query.definitions[0].name?.value ?? "", variables))),
    executeSubscription: vi.fn(),
  };
  render(
    <Provider value={client as never}>
      <IntegrationCard info={INFO} integration={integration} scope="GLOBAL" admin onChanged={() => undefined} />
    </Provider>,
  );
  return client;
}

describe("IntegrationCard", () => {
  it("shows a stored secret only as its mask, and sends only the changed fields", async () => {
    const client = renderCard(() => ({ data: { setIntegration: stored("UNTESTED") } }));
    const key = screen.getByLabelText("API key");
    expect(key).toHaveValue("");
    expect(key).toHaveAttribute("placeholder", "sk-…9f2a");
    expect(screen.getByText(/Leave blank to keep it/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Nothing changed.")).toBeInTheDocument();
    expect(client.executeMutation).not.toHaveBeenCalled();

    await userEvent.type(screen.getByLabelText("Chat model (optional)"), "gpt-5");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(client.executeMutation.mock.calls[0][0].variables).toEqual({
      provider: "OPENAI", scope: "GLOBAL", values: [{ key: "chatModel", value: "gpt-5" }],
    });
    expect(await screen.findByText(/^Saved\./)).toBeInTheDocument();
  });

  it("reports a failed test with the provider's message", async () => {
    renderCard(() => ({ data: { testIntegration: stored("FAILED", "OpenAI rejected the credentials (401)") } }));
    await userEvent.click(screen.getByRole("button", { name: "Test" }));
    expect(await screen.findByText("OpenAI rejected the credentials (401)")).toBeInTheDocument();
  });

  it("badges each state", () => {
    const { rerender } = render(<></>);
    for (const [status, text] of [["CONNECTED", "Tested OK"], ["FAILED", "Failed"], ["UNTESTED", "Configured, not tested"]] as const) {
      rerender(
        <Provider value={{ executeMutation: vi.fn(), executeQuery: vi.fn(), executeSubscription: vi.fn() } as never}>
          <IntegrationCard info={INFO} integration={stored(status, status === "FAILED" ? "boom" : null)} scope="GLOBAL" admin={false} onChanged={() => undefined} />
        </Provider>,
      );
      expect(screen.getByText(text, { selector: ".badge" })).toBeInTheDocument();
      // A failure says why, without pressing Test again.
      if (status === "FAILED") expect(screen.getByRole("alert")).toHaveTextContent("Last test failed. boom");
      else expect(screen.queryByRole("alert")).toBeNull();
    }
  });
});
