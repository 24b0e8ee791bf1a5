import { describe, expect, it } from "vitest";
import { currentNavItem } from "./nav";

describe("currentNavItem", () => {
  it("picks the most specific item", () => {
    expect(currentNavItem("/documents/search")?.label).toBe("Search & ask");
    expect(currentNavItem("/documents/12")?.label).toBe("Library");
    expect(currentNavItem("/")?.label).toBe("Dashboard");
    expect(currentNavItem("/finance/transactions")?.label).toBe("Transactions");
    expect(currentNavItem("/nowhere")).toBeUndefined();
  });
});
