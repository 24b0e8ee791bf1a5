import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Highlight, highlightSegments, queryWords } from "./highlight";

const marked = (text: string, query: string) => highlightSegments(text, query).filter((s) => s.match).map((s) => s.text);

describe("highlight", () => {
  it("marks the query's words case-insensitively, whole words from their start", () => {
    expect(marked("Invoices are payable within thirty days. Repay later.", "invoice PAY")).toEqual(["Invoices", "payable"]);
  });

  it("keeps every character of the text, in order", () => {
    const text = "Either party may terminate with ninety days written notice.";
    expect(highlightSegments(text, "ninety notice").map((s) => s.text).join("")).toBe(text);
  });

  it("treats regex characters in the query as plain text", () => {
    expect(queryWords("a+b (c) [d]* $e^")).toEqual(["a", "b", "c", "d", "e"]);
    expect(() => highlightSegments("cost (net) is 5$", "(net) 5$ .*")).not.toThrow();
    expect(marked("cost (net) is 5$", "(net) 5$ .*")).toEqual(["net", "5"]);
  });

  it("marks letters beyond ASCII", () => {
    expect(marked("Grüße aus München", "münchen")).toEqual(["München"]);
  });

  it("leaves the text alone for an empty query", () => {
    expect(highlightSegments("some text", "  ")).toEqual([{ text: "some text", match: false }]);
  });

  it("renders marks as elements, never as HTML from the text", () => {
    const { container } = render(<p><Highlight text={"<b>Globex</b> Limited"} query="globex" /></p>);
    expect(container.querySelectorAll("mark")).toHaveLength(1);
    expect(container.querySelector("mark")).toHaveTextContent("Globex");
    expect(container.querySelector("b")).toBeNull();
    expect(container.textContent).toBe("<b>Globex</b> Limited");
  });
});
