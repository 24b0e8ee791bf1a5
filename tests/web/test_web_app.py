"""The web app shell in real headless Chromium against the real server (embedded default):
first-run setup, signing in and out with the server's messages, the dashboard, client-side
routes that survive a reload, the phone menu and the dark theme."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD
from support.browser import SESSION_KEY
from support.graphql_client import GraphQLClient
from support.live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]


def test_first_run_setup_creates_the_admin_and_signs_them_in(tab: Any, gql: GraphQLClient) -> None:
    page = tab.page
    tab.goto("/")
    tab.heading("Welcome to ai-service")  # no user yet: / → /login → /setup
    assert page.url.endswith("/setup")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create the administrator").click()
    # The server's own rule and words, next to the field.
    page.get_by_text("at least 12", exact=False).wait_for()
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_label("Repeat the password").fill(ADMIN_PASSWORD + "x")
    page.get_by_role("button", name="Create the administrator").click()
    page.get_by_text("The two passwords differ.").wait_for()
    page.get_by_label("Repeat the password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Create the administrator").click()
    tab.heading("Dashboard")
    page.get_by_text("Welcome back, Ada.").wait_for()
    # Empty states say what to do next; the health card shows the database is up.
    page.get_by_role("link", name="Add an account").wait_for()
    page.get_by_role("link", name="Upload one").wait_for()
    health = page.get_by_role("region", name="Service health")
    health.get_by_text("database", exact=False).wait_for()
    assert health.get_by_text("Up").first.is_visible()
    # Setup is over: the page now sends people to sign in.
    assert gql.data("{ needsSetup }") == {"needsSetup": False}
    tab.goto("/setup")
    page.wait_for_url("**/")  # signed in: /setup → /login → the dashboard
    tab.heading("Dashboard")
    tab.assert_clean()


def test_sign_in_shows_the_server_messages_and_returns_to_the_page_asked_for(
        tab: Any, admin: dict[str, Any]) -> None:
    page = tab.page
    tab.goto("/finance/accounts")  # a deep link while signed out
    tab.heading("Sign in to ai-service")
    assert "next=%2Ffinance%2Faccounts" in page.url
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("alert").filter(has_text="Invalid email or password").wait_for()
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/finance/accounts")
    # A reload of a client-side route is served the app (the index.html fallback).
    page.reload()
    page.get_by_role("navigation", name="Main").wait_for()
    assert page.url.endswith("/finance/accounts")
    page.get_by_role("button", name="Sign out").click()
    tab.heading("Sign in to ai-service")
    tab.goto("/")
    tab.heading("Sign in to ai-service")  # the session is gone
    tab.assert_clean()


def test_repeated_wrong_passwords_are_rate_limited_with_a_clear_message(
        tab: Any, admin: dict[str, Any]) -> None:
    page = tab.page
    tab.goto("/login")
    page.get_by_label("Email").fill("someone@example.com")
    for _ in range(6):
        page.get_by_label("Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("alert").wait_for()
    alert = page.get_by_role("alert")
    alert.filter(has_text="Too many failed login attempts").wait_for()
    assert "Too many attempts." in alert.inner_text()
    tab.assert_clean()


def test_dashboard_shows_balances_recent_transactions_and_the_cash_flow_chart(
        tab: Any, admin: dict[str, Any], gql: GraphQLClient) -> None:
    token = admin["accessToken"]
    account = gql.data('mutation { createAccount(input: {name: "Checking", currency: "EUR", '
                       'openingBalance: "100.00"}) { id } }', token=token)["createAccount"]["id"]
    today = date.today()  # inside the dashboard's last six months, whenever this runs
    days = [(today - timedelta(days=n)).isoformat() for n in (40, 39, 1)]
    csv = (f"date,amount,description\n{days[0]},1500.00,Salary\n{days[1]},-45.10,Groceries\n"
           f"{days[2]},-12.34,Coffee beans\n")
    result = gql.upload(
        "mutation($a: ID!, $f: Upload!) { importTransactions(accountId: $a, file: $f) { inserted } }",
        {"a": account}, {"f": ("bank.csv", csv.encode(), "text/csv")}, token=token).json()
    assert result["data"]["importTransactions"]["inserted"] == 3
    tab.sign_in_as(admin)
    tab.heading("Dashboard")
    balances = tab.page.get_by_role("region", name="Balances")
    balances.get_by_text("1,542.56").wait_for()  # 100 + 1500 - 45.10 - 12.34, exactly
    recent = tab.page.get_by_role("region", name="Recent transactions")
    assert recent.get_by_role("row").count() == 4  # the header and three rows
    recent.get_by_text("Coffee beans").wait_for()
    chart = tab.page.get_by_role("img", name="Cash flow in EUR, by month")
    chart.locator("canvas").wait_for()
    tab.assert_clean()


def test_phone_menu_keyboard_and_dark_theme(chromium: Any, server: LiveServer,
                                            admin: dict[str, Any], gql: GraphQLClient) -> None:
    from support.browser import Tab

    account = gql.data('mutation { createAccount(input: {name: "Checking", currency: "EUR"}) '
                       '{ id } }', token=admin["accessToken"])["createAccount"]["id"]
    gql.upload("mutation($a: ID!, $f: Upload!) { importTransactions(accountId: $a, file: $f) "
               "{ inserted } }", {"a": account},
               {"f": ("b.csv", b"date,amount,description\n2026-11-02,-123456.78,A long payee name\n",
                      "text/csv")}, token=admin["accessToken"])
    tab = Tab(chromium, server.url, viewport={"width": 390, "height": 800}, color_scheme="dark")
    try:
        page = tab.page
        tab.sign_in_as(admin)
        tab.heading("Dashboard")
        # The system's dark preference is followed.
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        nav = page.get_by_role("navigation", name="Main")
        menu = page.get_by_role("button", name="Menu")
        assert not nav.is_visible()
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        nav.get_by_role("link", name="Insights").wait_for(state="visible")
        page.keyboard.press("Escape")
        nav.wait_for(state="hidden")
        assert page.evaluate("document.activeElement.textContent").strip().endswith("Menu")
        menu.click()
        nav.get_by_role("link", name="Library").click()
        nav.wait_for(state="hidden")  # following a link closes the menu
        page.wait_for_url("**/documents")
        # No horizontal scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Transactions: rows become cards (the amount visible without scrolling sideways),
        # and the filters other than the search wait behind a toggle.
        tab.goto("/finance/transactions")
        amount = page.get_by_text("123,456.78")
        amount.wait_for()
        box = amount.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 390
        account_filter = page.get_by_role("search").get_by_label("Account")
        assert not account_filter.is_visible()
        page.get_by_role("button", name="More filters").click()
        assert account_filter.is_visible()
        tab.goto("/nowhere/at/all")
        tab.heading("Page not found")
        tab.assert_clean()
    finally:
        tab.close()


@pytest.mark.parametrize("stale", ["rejected", "expired"])
def test_a_stale_access_token_is_refreshed_transparently(tab: Any, admin: dict[str, Any],
                                                         stale: str) -> None:
    """A token the server rejects, or one past its expiry, is exchanged once with the refresh
    token (which rotates) and the page loads as if nothing happened."""
    spoiled = {**admin, "accessToken": "spoiled"} if stale == "rejected" else {
        **admin, "expiresAt": "2000-01-01T00:00:00Z"}
    tab.sign_in_as(spoiled)
    tab.heading("Dashboard")
    tab.page.get_by_role("link", name="Add an account").wait_for()  # the data came
    stored = json.loads(tab.page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))
    assert stored["accessToken"] not in ("spoiled", admin["accessToken"])
    assert stored["refreshToken"] != admin["refreshToken"]  # rotated, and kept
    # The same session keeps working across a reload.
    tab.page.reload()
    tab.heading("Dashboard")
    tab.page.get_by_role("link", name="Add an account").wait_for()
    assert json.loads(tab.page.evaluate(f"localStorage.getItem('{SESSION_KEY}')"))[
        "refreshToken"] == stored["refreshToken"]
    tab.assert_clean()


def test_an_ended_session_lands_on_sign_in_with_a_reason(tab: Any, admin: dict[str, Any]) -> None:
    """When the refresh token is refused too (expired, or signed out elsewhere), the user is
    sent to sign in and told why, once; signing in brings them back."""
    tab.sign_in_as({**admin, "accessToken": "spoiled", "refreshToken": "spent"}, "/documents")
    tab.heading("Sign in to ai-service")
    tab.page.get_by_role("status").filter(has_text="Your session has ended").wait_for()
    assert tab.page.evaluate(f"localStorage.getItem('{SESSION_KEY}')") is None
    tab.page.get_by_label("Email").fill(ADMIN_EMAIL)
    tab.page.get_by_label("Password").fill(ADMIN_PASSWORD)
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_url("**/documents")
    tab.heading("Documents")
    # Signing out yourself needs no explanation, and the old reason is not said twice.
    tab.page.get_by_role("button", name="Sign out").click()
    tab.heading("Sign in to ai-service")
    tab.page.get_by_role("button", name="Sign in").wait_for()
    assert tab.page.get_by_text("Your session has ended").count() == 0
    tab.assert_clean()
