import { describe, expect, it, vi } from "vitest";

// uPlot reads matchMedia when it loads; jsdom has none, and these tests draw nothing.
vi.mock("uplot", () => ({ default: { paths: {} } }));

import { visibleRange, showsCandles, MAX_CANDLES } from "./candlesticks";
import { defaultRange, rangeStart } from "./PriceChart";
import {
  drawdowns, formatScore, parseGridValues, pct, ratio, suggestGrid, symbolFromFileName, timeframesFrom,
} from "./util";

describe("trading helpers", () => {
  it("reads grid values as lists and start:stop:step ranges", () => {
    expect(parseGridValues("10, 20 30")).toEqual([10, 20, 30]);
    expect(parseGridValues("10:50:10")).toEqual([10, 20, 30, 40, 50]);
    expect(parseGridValues("0.1:0.3:0.1, 0.2")).toEqual([0.1, 0.2, 0.3]);
    expect(parseGridValues("")).toEqual([]);
    expect(() => parseGridValues("10, ten")).toThrow('"ten" is not a number');
    expect(() => parseGridValues("50:10:5")).toThrow("not a range");
  });

  it("suggests values around the current one", () => {
    const period = { integer: true, minimum: 2, maximum: 1000, exclusive: false };
    expect(suggestGrid(20, period)).toBe("10, 20, 30");
    expect(suggestGrid(2, period)).toBe("2, 3");  // never below the minimum
    expect(suggestGrid(900, period)).toBe("450, 900, 1000");  // nor above the maximum
    // RSI's upper threshold lies strictly between 0 and 100.
    expect(suggestGrid(70, { integer: false, minimum: 0, maximum: 100, exclusive: true })).toBe("35, 70, 99.9");
    expect(suggestGrid(70, { integer: true, minimum: 0, maximum: 100, exclusive: true })).toBe("35, 70, 99");
  });

  it("formats figures, with a dash where they are undefined", () => {
    expect(pct(0.253)).toBe("+25.3%");
    expect(pct(-0.1, false)).toBe("-10.0%");
    expect(pct(null)).toBe("—");
    expect(ratio(-0.001)).toBe(ratio(0));
    expect(formatScore("SHARPE", 1.234)).toBe(ratio(1.234));
    expect(formatScore("TOTAL_RETURN", 0.5)).toBe("+50.0%");
    expect(formatScore("WIN_RATE", 0.5)).toBe("50.0%");
  });

  it("computes drawdowns from the running peak", () => {
    expect(drawdowns([100, 120, 90, 130])).toEqual([0, 0, -0.25, 0]);
  });

  it("guesses a symbol from a file name", () => {
    expect(symbolFromFileName("orcl-1995-2014.csv")).toBe("ORCL");
    expect(symbolFromFileName("BRK.B.csv")).toBe("BRK.B");
    expect(symbolFromFileName("1995.csv")).toBe("");
  });

  it("offers the stored timeframe and the larger ones", () => {
    expect(timeframesFrom("D1")).toEqual(["D1", "W1"]);
    expect(timeframesFrom("H4")).toEqual(["H4", "D1", "W1"]);
  });

  it("counts back the chart range from the last bar", () => {
    expect(rangeStart("2014-12-31T00:00:00Z", "1W")).toBe("2014-12-24T00:00:00.000Z");
    expect(rangeStart("2014-12-31T00:00:00Z", "ALL")).toBeNull();
    expect(defaultRange("D1")).toBe("1Y");
    expect(defaultRange("W1")).toBe("ALL");
  });

  it("draws candles only when few enough bars are in view", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i * 10);
    expect(visibleRange(xs, 95, 205)).toEqual([10, 20]);
    expect(visibleRange(xs, undefined, undefined)).toEqual([0, 999]);
    expect(showsCandles(xs, 0, (MAX_CANDLES - 1) * 10)).toBe(true);
    expect(showsCandles(xs, 0, MAX_CANDLES * 10)).toBe(false);
  });
});
