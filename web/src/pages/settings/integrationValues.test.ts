import { describe, expect, it } from "vitest";
import { changedValues, initialValues, type FieldSpec, type FieldValue } from "./integrationValues";

const spec = (name: string, kind: FieldSpec["kind"], extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name, label: name, kind, secret: kind === "SECRET" || kind === "PEM", required: false, choices: [], ...extra,
});

const SPECS = [
  spec("apiKey", "SECRET", { required: true }),
  spec("chatModel", "TEXT", { default: "gpt-4.1-mini" }),
  spec("organization", "TEXT"),
  spec("alertsEnabled", "BOOLEAN", { default: "true" }),
];
const STORED: FieldValue[] = [
  { name: "apiKey", secret: true, isSet: true, value: "sk-…9f2a" },
  { name: "chatModel", secret: false, isSet: false, value: "gpt-4.1-mini" },
  { name: "organization", secret: false, isSet: true, value: "org-home" },
  { name: "alertsEnabled", secret: false, isSet: false, value: "true" },
];

describe("integration form values", () => {
  it("never puts a mask or a default into an input", () => {
    expect(initialValues(SPECS, STORED)).toEqual({
      apiKey: "", chatModel: "", organization: "org-home", alertsEnabled: "true",
    });
  });

  it("sends only what changed, and a blank secret keeps the stored one", () => {
    const initial = initialValues(SPECS, STORED);
    expect(changedValues(SPECS, initial, initial)).toEqual([]);
    expect(changedValues(SPECS, initial, { ...initial, chatModel: " gpt-5 ", alertsEnabled: "false" })).toEqual([
      { key: "chatModel", value: "gpt-5" },
      { key: "alertsEnabled", value: "false" },
    ]);
    expect(changedValues(SPECS, initial, { ...initial, apiKey: "sk-new-key-123" })).toEqual([
      { key: "apiKey", value: "sk-new-key-123" },
    ]);
  });

  it("clears an optional field emptied by the user (its default applies again)", () => {
    const initial = initialValues(SPECS, STORED);
    expect(changedValues(SPECS, initial, { ...initial, organization: "" })).toEqual([
      { key: "organization", value: null },
    ]);
  });

  it("keeps a PEM key's line breaks", () => {
    const pem = [spec("privateKey", "PEM")];
    const key = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n";
    expect(changedValues(pem, { privateKey: "" }, { privateKey: key })).toEqual([{ key: "privateKey", value: key }]);
  });
});
