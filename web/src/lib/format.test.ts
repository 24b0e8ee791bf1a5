import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, sumDecimals } from "./format";

describe("sumDecimals", () => {
  it("adds exactly where floats would not", () => {
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(sumDecimals(["1234.56", "-1234.56"])).toBe("0.00");
    expect(sumDecimals(["-0.05", "0.01"])).toBe("-0.04");
    expect(sumDecimals(["10", "2.5", "-0.125"])).toBe("12.375");
  });
  it("rejects what is not a decimal", () => {
    expect(() => sumDecimals(["1e3"])).toThrow(/not a decimal/);
  });
});

describe("formatting", () => {
  it("shows a calendar date without shifting it across time zones", () => {
    expect(formatDate("2025-03-01")).toMatch(/2025/);
    expect(formatDate("2025-03-01")).toMatch(/1/);
    expect(formatDate(null)).toBe("—");
  });
  it("formats money in its currency, and unknown codes as number and code", () => {
    expect(formatMoney("-12.5", "EUR")).toMatch(/12[.,]50/);
    expect(formatMoney("3", "XQQ1")).toMatch(/XQQ1$/);
  });
});
