// The app's sections. Each area (finance, trading, documents, settings) owns its sub-routes
// in pages/<area>/routes.tsx; these are the links the sidebar shows.
export interface NavItem {
  to: string;
  label: string;
  adminOnly?: boolean;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

export const NAV: NavGroup[] = [
  { label: "Overview", items: [{ to: "/", label: "Dashboard" }] },
  {
    label: "Finance",
    items: [
      { to: "/finance/transactions", label: "Transactions" },
      { to: "/finance/accounts", label: "Accounts" },
      { to: "/finance/import", label: "Import" },
      { to: "/finance/banks", label: "Bank connections" },
      { to: "/finance/rules", label: "Rules" },
      { to: "/finance/clients", label: "Clients" },
      { to: "/finance/insights", label: "Insights" },
    ],
  },
  {
    label: "Trading",
    items: [
      { to: "/trading/strategies", label: "Strategies" },
      { to: "/trading/market-data", label: "Market data" },
      { to: "/trading/backtests", label: "Backtests" },
    ],
  },
  {
    label: "Documents",
    items: [
      { to: "/documents", label: "Library" },
      { to: "/documents/search", label: "Search & ask" },
    ],
  },
  {
    label: "Settings",
    items: [
      { to: "/settings/integrations", label: "Integrations" },
      { to: "/settings/users", label: "Users", adminOnly: true },
      { to: "/settings/audit", label: "Audit log", adminOnly: true },
      { to: "/settings/jobs", label: "Jobs" },
      { to: "/profile", label: "Profile" },
    ],
  },
];

/** The item a path belongs to: the most specific prefix wins ("/documents/search" over "/documents"). */
export function currentNavItem(pathname: string, groups: NavGroup[] = NAV): NavItem | undefined {
  let best: NavItem | undefined;
  for (const group of groups) {
    for (const item of group.items) {
      const matches = item.to === "/" ? pathname === "/" : pathname === item.to || pathname.startsWith(`${item.to}/`);
      if (matches && (!best || item.to.length > best.to.length)) best = item;
    }
  }
  return best;
}
