import { describe, expect, it } from "vitest";
import { generatePassword, MIN_PASSWORD_LENGTH } from "./password";

describe("generatePassword", () => {
  it("is long enough for the server, without look-alike characters", () => {
    const password = generatePassword();
    expect(password.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{5}(-[A-HJ-NP-Za-km-z2-9]{5}){3}$/);
  });

  it("differs every time", () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(seen.size).toBe(50);
  });
});
