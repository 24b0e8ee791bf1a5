// The transaction filter lives in the URL (?account=&from=&to=&min=&max=&category=&tag=&client=
// &uncategorised=1&q=), so a filtered list can be bookmarked and linked to from other pages.
import type { TransactionFilterInput } from "../../gql/graphql";

export const FILTER_KEYS = ["account", "from", "to", "min", "max", "category", "tag", "client", "uncategorised", "q"] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^-?\d+(\.\d+)?$/;

/** The API's filter from the URL; malformed values are left out rather than sent. */
export function filterFromParams(params: URLSearchParams): TransactionFilterInput | null {
  const one = (key: string) => params.get(key)?.trim() || null;
  const filter: TransactionFilterInput = {};
  const account = one("account");
  if (account) filter.accountIds = [account];
  const from = one("from");
  if (from && DATE.test(from)) filter.from = from;
  const to = one("to");
  if (to && DATE.test(to)) filter.to = to;
  const min = one("min")?.replace(",", ".");
  if (min && AMOUNT.test(min)) filter.amountMin = min;
  const max = one("max")?.replace(",", ".");
  if (max && AMOUNT.test(max)) filter.amountMax = max;
  const category = one("category");
  if (category) filter.categoryIds = [category];
  const tag = one("tag");
  if (tag) filter.tagIds = [tag];
  const client = one("client");
  if (client) filter.clientIds = [client];
  if (params.get("uncategorised") === "1") filter.uncategorised = true;
  const q = one("q");
  if (q) filter.search = q;
  return Object.keys(filter).length ? filter : null;
}

export function hasFilters(params: URLSearchParams): boolean {
  return FILTER_KEYS.some((key) => params.get(key));
}
