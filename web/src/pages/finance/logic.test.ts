import { describe, expect, it } from "vitest";
import { totalsByCurrency } from "./Accounts";
import { returnMessage } from "./Banks";
import { clientInput } from "./Clients";
import { groupCategories } from "./common";
import { filterFromParams } from "./filters";
import { presetRange } from "./Insights";
import { conditionsForm, conditionsInput, describeConditions, EMPTY_CONDITIONS } from "./ruleConditions";

describe("transaction filters from the URL", () => {
  it("sends what is well-formed and leaves out the rest", () => {
    const params = new URLSearchParams("account=3&from=2025-01-01&to=soon&min=-10,5&max=ten&category=7&uncategorised=1&q=%20rewe%20");
    expect(filterFromParams(params)).toEqual({
      accountIds: ["3"], from: "2025-01-01", amountMin: "-10.5", categoryIds: ["7"], uncategorised: true, search: "rewe",
    });
  });
  it("is null without any filter", () => {
    expect(filterFromParams(new URLSearchParams("q=%20%20"))).toBeNull();
  });
});

describe("rule conditions", () => {
  it("send only what was filled in, IBANs compact and amounts with a point", () => {
    expect(conditionsInput({ ...EMPTY_CONDITIONS, counterpartyIban: "de89 3704 0044 0532 0130 00", amountMax: "-1,50", descriptionContains: "  " }))
      .toEqual({ counterpartyIban: "DE89370400440532013000", amountMax: "-1.50" });
  });
  it("read back from the API's JSON and read as a sentence", () => {
    const json = { descriptionContains: "netflix", amountMin: "-20", amountMax: "-5", accountId: 4 };
    expect(conditionsForm(json).accountId).toBe("4");
    expect(describeConditions(json, (id) => (id === "4" ? "Giro" : undefined)))
      .toBe("description contains “netflix”, amount between -20 and -5, account is Giro");
    expect(describeConditions({})).toBe("any transaction");
  });
});

describe("odds and ends", () => {
  it("sums balances per currency exactly, archived accounts left out", () => {
    expect(totalsByCurrency([
      { currency: "EUR", balance: "0.10", archived: false }, { currency: "EUR", balance: "0.20", archived: false },
      { currency: "USD", balance: "5.00", archived: false }, { currency: "EUR", balance: "100", archived: true },
    ])).toEqual([{ currency: "EUR", total: "0.30" }, { currency: "USD", total: "5.00" }]);
  });
  it("groups categories by kind with children after their parent", () => {
    const groups = groupCategories([
      { id: "2", name: "Groceries", kind: "EXPENSE", parentId: "1" }, { id: "1", name: "Food", kind: "EXPENSE", parentId: null },
      { id: "3", name: "Salary", kind: "INCOME", parentId: null },
    ]);
    expect(groups.map((g) => [g.label, g.options.map((o) => o.label)])).toEqual([
      ["Income", ["Salary"]], ["Expenses", ["Food", "Food › Groceries"]],
    ]);
  });
  it("presets run from the first of a month to today", () => {
    const today = new Date(2025, 4, 20);
    expect(presetRange("this-month", today)).toEqual(["2025-05-01", "2025-05-20"]);
    expect(presetRange("last-3", today)).toEqual(["2025-03-01", "2025-05-20"]);
    expect(presetRange("last-12", today)).toEqual(["2024-06-01", "2025-05-20"]);
    expect(presetRange("this-year", today)).toEqual(["2025-01-01", "2025-05-20"]);
  });
  it("tells what the bank's return trip means", () => {
    expect(returnMessage("LINKED")?.tone).toBe("success");
    expect(returnMessage("REJECTED")?.tone).toBe("error");
    expect(returnMessage(null)).toBeNull();
  });
  it("clears blank client fields and keeps line breaks in the address", () => {
    expect(clientInput({ name: " ACME ", email: "", currency: "eur", paymentTermsDays: "30", address: "Street 1\nTown\n" }))
      .toMatchObject({ name: "ACME", email: null, currency: "EUR", paymentTermsDays: 30, address: "Street 1\nTown" });
  });
});
