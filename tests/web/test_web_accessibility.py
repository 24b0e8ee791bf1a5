"""Every page of the web app passes axe-core's WCAG 2 A and AA rules (labels, names, roles,
contrast) in light and in dark, in real Chromium, with some data on the pages."""

from __future__ import annotations

from typing import Any

import pytest

from support.graphql_client import GraphQLClient
from support.live_server import LiveServer
from support.paths import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    ("/", "Dashboard"),
    ("/finance/transactions", None), ("/finance/accounts", None), ("/finance/import", None),
    ("/finance/banks", None), ("/finance/rules", None), ("/finance/clients", None),
    ("/finance/insights", None),
    ("/trading/strategies", None), ("/trading/market-data", None), ("/trading/backtests", None),
    ("/documents", None), ("/documents/search", None),
    ("/settings/integrations", None), ("/settings/users", None), ("/settings/audit", None),
    ("/settings/jobs", None), ("/profile", None),
]


def violations(page: Any) -> list[str]:
    if not AXE.is_file():
        pytest.fail("axe-core is a dev dependency of web/: run `make web`")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] });
        return result.violations.map(v => `${v.id}: ${v.help} -> ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def seed(gql: GraphQLClient, token: str) -> None:
    account = gql.data('mutation { createAccount(input: {name: "Checking", currency: "EUR"}) '
                       '{ id } }', token=token)["createAccount"]["id"]
    csv = b"date,amount,description\n2026-11-02,1500.00,Salary\n2026-11-03,-45.10,Groceries\n"
    gql.upload("mutation($a: ID!, $f: Upload!) { importTransactions(accountId: $a, file: $f) "
               "{ inserted } }", {"a": account}, {"f": ("bank.csv", csv, "text/csv")}, token=token)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(chromium: Any, server: LiveServer, admin: dict[str, Any],
                               gql: GraphQLClient, scheme: str) -> None:
    from support.browser import Tab

    seed(gql, admin["accessToken"])
    # axe is injected as a script: the test context (only) bypasses the page's CSP for it.
    tab = Tab(chromium, server.url, color_scheme=scheme, bypass_csp=True)
    try:
        found: dict[str, list[str]] = {}
        tab.goto("/login")
        tab.heading("Sign in to ai-service")
        if problems := violations(tab.page):
            found["/login"] = problems
        tab.sign_in_as(admin)
        for path, title in PAGES:
            tab.goto(path)
            tab.page.get_by_role("heading", level=1).first.wait_for()
            if title:
                tab.heading(title)
            tab.page.wait_for_load_state("networkidle")
            assert tab.page.evaluate("document.documentElement.dataset.theme") == scheme
            if problems := violations(tab.page):
                found[path] = problems
        assert not found, found
        tab.assert_clean()
    finally:
        tab.close()
