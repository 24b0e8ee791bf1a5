import { describe, expect, it } from "vitest";
import { totalsByCurrency } from "./Dashboard";

describe("totalsByCurrency", () => {
  it("sums each currency exactly and never mixes them", () => {
    const accounts = [
      { currency: "EUR", balance: "0.10" },
      { currency: "USD", balance: "5" },
      { currency: "EUR", balance: "0.20" },
      { currency: "EUR", balance: "-1000.005" },
    ];
    expect(totalsByCurrency(accounts)).toEqual([["EUR", "-999.705"], ["USD", "5"]]);
  });
});
