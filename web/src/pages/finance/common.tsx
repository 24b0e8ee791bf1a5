// What several finance pages share: the option lists (accounts, categories, tags, clients) and
// the selects built from them. Lists that can start empty name their typename, so urql's
// document cache refetches them after a mutation creates the first one.
import { useMemo, type SelectHTMLAttributes } from "react";
import { useQuery } from "urql";
import { graphql } from "../../gql";
import type { FinanceAccountOptionsQuery, FinanceCategoriesQuery, FinanceClientOptionsQuery, FinanceTagsQuery } from "../../gql/graphql";

export const FinanceAccountOptions = graphql(`
  query FinanceAccountOptions { accounts(includeArchived: true) { id name currency archived } }
`);
export const FinanceCategories = graphql(`
  query FinanceCategories { categories { id name kind color parentId } }
`);
export const FinanceTags = graphql(`query FinanceTags { tags { id name color } }`);
export const FinanceClientOptions = graphql(`query FinanceClientOptions { clients { id name currency } }`);

export type CategoryOption = FinanceCategoriesQuery["categories"][number];
export type AccountOption = FinanceAccountOptionsQuery["accounts"][number];
export type TagOption = FinanceTagsQuery["tags"][number];
export type ClientOption = FinanceClientOptionsQuery["clients"][number];

function useTyped(typename: string) {
  return useMemo(() => ({ additionalTypenames: [typename] }), [typename]);
}

export function useAccounts() {
  const [result, refetch] = useQuery({ query: FinanceAccountOptions, context: useTyped("Account") });
  return { accounts: result.data?.accounts ?? [], loaded: Boolean(result.data), error: result.error, refetch };
}

export function useCategories() {
  const [result] = useQuery({ query: FinanceCategories, context: useTyped("Category") });
  return { categories: result.data?.categories ?? [], error: result.error };
}

export function useTags() {
  const [result, refetch] = useQuery({ query: FinanceTags, context: useTyped("Tag") });
  return { tags: result.data?.tags ?? [], error: result.error, refetch };
}

export function useClientOptions() {
  const [result] = useQuery({ query: FinanceClientOptions, context: useTyped("Client") });
  return { clients: result.data?.clients ?? [], error: result.error };
}

const KINDS = [["INCOME", "Income"], ["EXPENSE", "Expenses"], ["TRANSFER", "Transfers"]] as const;

/** "Food › Groceries" for a sub-category, the name alone for a top one. */
export function categoryLabel(category: CategoryOption, all: readonly CategoryOption[]): string {
  const parent = category.parentId ? all.find((c) => c.id === category.parentId) : undefined;
  return parent ? `${parent.name} › ${category.name}` : category.name;
}

/** Categories grouped by kind, each parent followed by its children. */
export function groupCategories(all: readonly CategoryOption[]) {
  return KINDS.map(([kind, label]) => {
    const ofKind = all.filter((c) => c.kind === kind);
    const tops = ofKind.filter((c) => !c.parentId || !ofKind.some((p) => p.id === c.parentId));
    const ordered = tops.flatMap((top) => [top, ...ofKind.filter((c) => c.parentId === top.id)]);
    return { kind, label, options: ordered.map((c) => ({ id: c.id, label: categoryLabel(c, all) })) };
  }).filter((group) => group.options.length > 0);
}

/** A category select; `emptyLabel` names the "" choice (none / any). */
export function CategorySelect({ categories, emptyLabel, ...props }: {
  categories: readonly CategoryOption[]; emptyLabel: string;
} & SelectHTMLAttributes<HTMLSelectElement>) {
  const groups = useMemo(() => groupCategories(categories), [categories]);
  return (
    <select {...props}>
      <option value="">{emptyLabel}</option>
      {groups.map((group) => (
        <optgroup key={group.kind} label={group.label}>
          {group.options.map((o) => <option key={o.id} value={o.id}>{o.label}</option>)}
        </optgroup>
      ))}
    </select>
  );
}

export const ACCOUNT_TYPES = ["CHECKING", "SAVINGS", "CREDIT_CARD", "CASH", "INVESTMENT", "LOAN", "OTHER"] as const;

/** Empty text fields become null: the API treats "" as a value. */
export function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}
