// The integration form's state: what to show for each field, and which fields changed.
// Secrets are write-only: their input starts empty (the server's mask is the placeholder) and
// an empty secret input means "keep the stored one", so it is never sent.
import type { SettingsIntegrationFieldsFragment, SettingsIntegrationProvidersQuery } from "../../gql/graphql";

/** A provider's field as integrationProviders describes it. */
export type FieldSpec = SettingsIntegrationProvidersQuery["integrationProviders"][number]["fields"][number];
/** A field's stored value as an integration reads it back (secrets masked). */
export type FieldValue = SettingsIntegrationFieldsFragment["fields"][number];

export type FormValues = Record<string, string>;

/** What each input starts with: the stored value, "" for a secret or an unset field. */
export function initialValues(specs: FieldSpec[], values: FieldValue[]): FormValues {
  const byName = new Map(values.map((v) => [v.name, v]));
  const form: FormValues = {};
  for (const spec of specs) {
    const current = byName.get(spec.name);
    if (spec.kind === "BOOLEAN") {
      // A checkbox has no "unset": it shows what applies, the stored value or the default.
      const effective = current?.isSet ? current.value : spec.default;
      form[spec.name] = effective === "true" ? "true" : "false";
    } else if (spec.secret || !current?.isSet) {
      form[spec.name] = "";
    } else {
      form[spec.name] = current.value ?? "";
    }
  }
  return form;
}

/** The values to send to setIntegration: only the fields that changed. */
export function changedValues(specs: FieldSpec[], initial: FormValues, current: FormValues):
  { key: string; value: string | null }[] {
  const changes: { key: string; value: string | null }[] = [];
  for (const spec of specs) {
    const before = initial[spec.name] ?? "";
    const now = current[spec.name] ?? "";
    if (spec.secret) {
      // Blank keeps the stored secret; PEM keys keep their line breaks.
      if (now.trim()) changes.push({ key: spec.name, value: spec.kind === "PEM" ? now : now.trim() });
    } else if (now.trim() !== before.trim()) {
      // Emptying an optional field clears it (the default applies again).
      changes.push({ key: spec.name, value: now.trim() === "" ? null : now.trim() });
    }
  }
  return changes;
}
