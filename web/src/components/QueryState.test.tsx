import { CombinedError } from "@urql/core";
import { render, screen } from "@testing-library/react";
import { GraphQLError } from "graphql";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { EmptyState } from "./EmptyState";
import { QueryState } from "./QueryState";

const failed = new CombinedError({ graphQLErrors: [new GraphQLError("Not allowed", { extensions: { code: "FORBIDDEN" } })] });

function show(result: { data?: { items: string[] }; error?: CombinedError; fetching?: boolean }) {
  const items = result.data?.items ?? [];
  return render(
    <MemoryRouter>
      <QueryState result={result} loading="Loading items…" empty={items.length === 0 && <EmptyState title="No items yet." />}>
        {(data) => <ul>{data.items.map((i) => <li key={i}>{i}</li>)}</ul>}
      </QueryState>
    </MemoryRouter>,
  );
}

describe("QueryState", () => {
  it("says what is loading until the first data", () => {
    show({ fetching: true });
    expect(screen.getByRole("status")).toHaveTextContent("Loading items…");
  });

  it("shows the server's error instead of loading for ever", () => {
    show({ error: failed, fetching: false });
    expect(screen.getByRole("alert")).toHaveTextContent("Not allowed");
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("shows the empty state when there is nothing, else the data", () => {
    const { unmount } = show({ data: { items: [] } });
    expect(screen.getByText("No items yet.")).toBeInTheDocument();
    unmount();
    show({ data: { items: ["a", "b"] } });
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(screen.queryByText("No items yet.")).toBeNull();
  });

  it("keeps the data it has when a refresh fails", () => {
    show({ data: { items: ["a"] }, error: failed });
    expect(screen.getByRole("alert")).toHaveTextContent("Not allowed");
    expect(screen.getByRole("listitem")).toHaveTextContent("a");
  });
});
