import { describe, expect, it } from "vitest";
import {
  accountsIn, dateExampleIn, dateFormatFor, dateOrderOf, describeReading, DETECT, inputOf, readingOf, roleOf, withRole,
  type MappingFields,
} from "./importReading";

const ING: MappingFields = {
  format: "CSV", encoding: "cp1250", delimiter: ";", headerRow: 15, dateFormat: null, decimalComma: true, amountSign: "NORMAL",
  account: null, accounts: [], columns: [],
  date: "Buchung", valueDate: "Wertstellungsdatum", amount: "Betrag", balance: "Saldo", currency: "Währung",
  description: "Buchungstext", counterparty: "Auftraggeber/Empfänger",
};

describe("a detected reading", () => {
  it("becomes the form's state and goes back as the same mapping", () => {
    const reading = readingOf(ING);
    expect(reading).toMatchObject({ format: "CSV", delimiter: ";", headerRow: "15", decimalComma: "comma", amountSign: "NORMAL", dateOrder: "" });
    expect(inputOf(reading)).toEqual({
      date: "Buchung", valueDate: "Wertstellungsdatum", amount: "Betrag", balance: "Saldo", currency: "Währung",
      description: "Buchungstext", counterparty: "Auftraggeber/Empfänger",
      decimalComma: true, amountSign: "NORMAL", delimiter: ";", encoding: "cp1250", headerRow: 15,
    });
  });

  it("says nothing when everything is left to detection", () => {
    expect(inputOf(DETECT)).toBeNull();
    expect(inputOf({ ...DETECT, headerRow: "two", dateOrder: "OTHER", dateFormat: "  " })).toBeNull();
  });

  it("keeps a file without a header, a tab and point decimals", () => {
    expect(inputOf(readingOf({ headerRow: 0, delimiter: "\t", decimalComma: false }))).toEqual({ headerRow: 0, delimiter: "\t", decimalComma: false });
  });

  it("is described in words, leaving out what was not decided", () => {
    expect(describeReading({ ...ING, dateFormat: "%m/%d/%Y", amountSign: "INVERTED" })).toEqual(expect.arrayContaining([
      ["Format", "CSV"], ["Delimiter", "Semicolon ( ; )"], ["Header", "line 15"], ["Dates", "Month first (%m/%d/%Y)"],
      ["Decimal mark", "comma (1.234,56)"], ["Sign", "Purchases are positive numbers in this file (money out is positive)"],
      ["Booking date", "Buchung"],
    ]));
    expect(describeReading({ headerRow: 0 })).toEqual([["Header", "none"]]);
  });
});

describe("date order", () => {
  it("is told from the formats that only say the order", () => {
    expect(dateOrderOf("%d/%m/%Y")).toBe("DMY");
    expect(dateOrderOf("%m-%d-%y")).toBe("MDY");
    expect(dateOrderOf("%Y-%m-%d")).toBe("OTHER");
    expect(dateOrderOf(null)).toBe("");
  });

  it("is written as the file writes its dates", () => {
    expect(dateFormatFor("MDY", "05/03/2021")).toBe("%m/%d/%Y");
    expect(dateFormatFor("DMY", "13-03-2021 12:31")).toBe("%d-%m-%Y");
    expect(dateFormatFor("DMY", "13.03.21")).toBe("%d.%m.%y");
    expect(dateFormatFor("MDY", null)).toBe("%m/%d/%Y");
    expect(dateFormatFor("DMY", "2021-03-05")).toBe("%d/%m/%Y");
  });

  it("comes back in the file's way after a dry run read it day first", () => {
    const reading = readingOf({ dateFormat: "%d/%m/%Y", date: "Date" });
    expect(inputOf(reading, "13-03-2021")).toEqual({ date: "Date", dateFormat: "%d-%m-%Y" });
    expect(inputOf({ ...reading, dateOrder: "OTHER", dateFormat: " %Y%m%d " })).toEqual({ date: "Date", dateFormat: "%Y%m%d" });
  });

  it("takes the example a refusal quotes", () => {
    expect(dateExampleIn("The dates can be read day first or month first ('05/03/2021' could be either)")).toBe("05/03/2021");
    expect(dateExampleIn("No column of dates was found")).toBeNull();
  });
});

describe("column roles", () => {
  it("give a role to one column only, and an amount excludes debit and credit", () => {
    let reading = readingOf({ debit: "Debit Amount", credit: "Credit Amount", description: "Description" });
    reading = withRole(reading, "Additional Description", "description");
    expect(reading.columns).toEqual({ debit: "Debit Amount", credit: "Credit Amount", description: "Additional Description" });
    reading = withRole(reading, "Transfer Amount", "amount");
    expect(reading.columns).toEqual({ amount: "Transfer Amount", description: "Additional Description" });
    reading = withRole(reading, "Transfer Amount", "");
    expect(roleOf(reading, "Transfer Amount")).toBe("");
    expect(roleOf(reading, "Additional Description")).toBe("description");
  });
});

describe("accounts a refusal names", () => {
  it("are listed when the count matches", () => {
    expect(accountsIn("This file holds 2 accounts (DE89370400440532013000, 1234567): choose one with mapping.account"))
      .toEqual(["DE89370400440532013000", "1234567"]);
    expect(accountsIn("Account 123 is in this file 2 times, at different banks (A/123, B/123): set mapping.account to one of these"))
      .toEqual(["A/123", "B/123"]);
    expect(accountsIn("This file holds 3 accounts (A, B): choose one")).toEqual([]);
    expect(accountsIn("This statement is for account X, but this account's IBAN is Y")).toEqual([]);
  });
});
