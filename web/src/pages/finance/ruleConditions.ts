// Rule conditions as the API keeps them (JSON) and as the form edits them (strings).
export interface ConditionsForm {
  descriptionContains: string;
  counterpartyContains: string;
  counterpartyIban: string;
  amountMin: string;
  amountMax: string;
  accountId: string;
}

export const EMPTY_CONDITIONS: ConditionsForm = {
  descriptionContains: "", counterpartyContains: "", counterpartyIban: "", amountMin: "", amountMax: "", accountId: "",
};

/** Only the conditions the user filled in; amounts accept a decimal comma. */
export function conditionsInput(form: ConditionsForm): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(form) as [keyof ConditionsForm, string][]) {
    let value = raw.trim();
    if (key === "amountMin" || key === "amountMax") value = value.replace(",", ".");
    if (key === "counterpartyIban") value = value.replace(/\s+/g, "").toUpperCase();
    if (value) out[key] = value;
  }
  return out;
}

export function conditionsForm(conditions: unknown): ConditionsForm {
  const c = (conditions ?? {}) as Record<string, unknown>;
  const text = (key: keyof ConditionsForm) => (c[key] == null ? "" : String(c[key]));
  return {
    descriptionContains: text("descriptionContains"), counterpartyContains: text("counterpartyContains"),
    counterpartyIban: text("counterpartyIban"), amountMin: text("amountMin"), amountMax: text("amountMax"), accountId: text("accountId"),
  };
}

/** "description contains "netflix", amount ≤ -1" */
export function describeConditions(conditions: unknown, accountName: (id: string) => string | undefined = () => undefined): string {
  const c = conditionsForm(conditions);
  const parts: string[] = [];
  if (c.descriptionContains) parts.push(`description contains “${c.descriptionContains}”`);
  if (c.counterpartyContains) parts.push(`counterparty contains “${c.counterpartyContains}”`);
  if (c.counterpartyIban) parts.push(`counterparty IBAN is ${c.counterpartyIban}`);
  if (c.amountMin && c.amountMax) parts.push(`amount between ${c.amountMin} and ${c.amountMax}`);
  else if (c.amountMin) parts.push(`amount ≥ ${c.amountMin}`);
  else if (c.amountMax) parts.push(`amount ≤ ${c.amountMax}`);
  if (c.accountId) parts.push(`account is ${accountName(c.accountId) ?? `#${c.accountId}`}`);
  return parts.join(", ") || "any transaction";
}
