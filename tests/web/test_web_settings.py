"""The settings area of the web app in a real browser: integrations tested against the fake
providers, users invited, deactivated and reset, a password changed on Profile, and what a
member may not see."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from fakes.openai import OPENAI_KEY
from fakes.server import FakeProviders
from support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, make_member
from support.graphql_client import LOGIN, GraphQLClient

pytestmark = [pytest.mark.browser, pytest.mark.embedded_only]

WRONG_OPENAI_KEY = "sk-proj-WrongKeyWrongKeyWrongKey0123456789"


def login_error(gql: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    return gql.error(LOGIN, {"email": email, "password": password})


def test_an_admin_sets_and_tests_an_integration(
    tab: Any, admin: dict[str, Any], gql: GraphQLClient, fake_providers: FakeProviders,
) -> None:
    page = tab.page
    tab.sign_in_as(admin, "/settings")
    tab.heading("Integrations")
    assert page.url.endswith("/settings/integrations")
    openai = page.get_by_role("region", name="OpenAI")
    expect(openai.get_by_text("Not configured")).to_be_visible()
    expect(openai.get_by_role("button", name="Test")).to_be_disabled()

    # A wrong key: saved, then the test shows the provider's refusal.
    openai.get_by_label("API key", exact=True).fill(WRONG_OPENAI_KEY)
    openai.get_by_role("button", name="Save").click()
    expect(openai.get_by_text("Saved.")).to_be_visible()
    expect(openai.get_by_text("Configured, not tested")).to_be_visible()
    openai.get_by_role("button", name="Test").click()
    expect(openai.get_by_text("Failed", exact=True)).to_be_visible()
    expect(openai.get_by_role("alert").first).to_contain_text("OpenAI rejected the credentials (401)")

    # The right key: the badge turns OK. Only the changed field was sent.
    openai.get_by_label("API key", exact=True).fill(OPENAI_KEY)
    openai.get_by_role("button", name="Save").click()
    expect(openai.get_by_text("Saved.")).to_be_visible()
    openai.get_by_role("button", name="Test").click()
    expect(openai.get_by_text("Tested OK")).to_be_visible()
    expect(openai.get_by_text("the connection works")).to_be_visible()
    assert fake_providers.requests_to("openai"), "the test did not reach the fake OpenAI"

    # After a reload the secret is write-only: an empty input, its mask as the placeholder.
    page.reload()
    tab.heading("Integrations")
    key = page.get_by_role("region", name="OpenAI").get_by_label("API key", exact=True)
    expect(key).to_have_value("")
    mask = f"{OPENAI_KEY[:3]}…{OPENAI_KEY[-4:]}"
    expect(key).to_have_attribute("placeholder", mask)
    expect(page.get_by_role("region", name="OpenAI").get_by_text(f"Stored: {mask}. Leave blank to keep it."))\
        .to_be_visible()
    assert OPENAI_KEY not in page.content()
    tab.assert_clean()


def test_an_admin_invites_resets_and_deactivates_a_user(
    tab: Any, admin: dict[str, Any], gql: GraphQLClient,
) -> None:
    page = tab.page
    email = "bob@example.com"
    tab.sign_in_as(admin, "/settings/users")
    tab.heading("Users")
    page.get_by_role("button", name="Invite user").click()
    dialog = page.get_by_role("dialog", name="Invite a user")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Full name (optional)").fill("Bob Builder")
    dialog.get_by_role("button", name="Create user").click()
    secret = page.locator(".copy-field code")
    expect(secret).to_be_visible()
    initial = secret.inner_text()
    assert len(initial) >= 20
    assert gql.login(email, initial)["user"]["email"] == email
    row = page.get_by_role("row", name=re.compile(email))
    expect(row.get_by_text("Active")).to_be_visible()

    # Reset: a new password, shown once; the old one stops working.
    page.get_by_role("button", name=f"Reset password {email}").click()
    page.get_by_role("dialog", name="Reset the password?").get_by_role("button", name="Reset password").click()
    expect(page.get_by_text(f"New password for {email}")).to_be_visible()
    reset = secret.inner_text()
    assert reset != initial
    assert gql.login(email, reset)["user"]["email"] == email
    assert login_error(gql, email, initial)["extensions"]["code"] == "UNAUTHENTICATED"

    # Deactivate: the user can no longer sign in.
    page.get_by_role("button", name=f"Deactivate {email}").click()
    page.get_by_role("dialog", name="Deactivate this user?").get_by_role("button", name="Deactivate").click()
    expect(row.get_by_text("Deactivated")).to_be_visible()
    expect(page.get_by_role("button", name=f"Reactivate {email}")).to_be_visible()
    assert login_error(gql, email, reset)["extensions"]["code"] == "UNAUTHENTICATED"

    # The server's refusal shows in the dialog: the last admin cannot step down.
    page.get_by_role("button", name=f"Make member {ADMIN_EMAIL}").click()
    dialog = page.get_by_role("dialog", name="Make a member?")
    dialog.get_by_role("button", name="Make member").click()
    expect(dialog.get_by_role("alert")).to_contain_text("last active administrator")
    dialog.get_by_role("button", name="Cancel").click()
    tab.assert_clean()


def test_a_user_changes_their_password_and_signs_in_with_it(
    tab: Any, admin: dict[str, Any], gql: GraphQLClient,
) -> None:
    page = tab.page
    new_password = "a much better passphrase 42"
    tab.sign_in_as(admin, "/profile")
    tab.heading("Profile")
    account = page.get_by_role("region", name="Account")
    expect(account.get_by_text(ADMIN_EMAIL)).to_be_visible()
    expect(account.get_by_text("Administrator")).to_be_visible()

    form = page.get_by_role("form", name="Change password")
    form.get_by_label("Current password").fill("not my password at all")
    form.get_by_label("New password", exact=True).fill(new_password)
    form.get_by_label("Repeat the new password").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_text("Current password is incorrect")).to_be_visible()

    form.get_by_label("Current password").fill(ADMIN_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form.get_by_text("other sessions")).to_be_visible()
    assert login_error(gql, ADMIN_EMAIL, ADMIN_PASSWORD)["extensions"]["code"] == "UNAUTHENTICATED"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    # Back where they signed out, signed in with the new password.
    tab.heading("Profile")
    assert page.url.endswith("/profile")
    tab.assert_clean()


def test_a_member_sees_no_admin_pages(tab: Any, admin: dict[str, Any], gql: GraphQLClient) -> None:
    page = tab.page
    member = make_member(gql, admin["accessToken"])
    tab.sign_in_as(member, "/settings/users")
    tab.heading("Users")
    expect(page.get_by_text("For administrators only.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Integrations")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)

    # Their own integrations, without the instance-wide switch.
    nav.get_by_role("link", name="Integrations").click()
    tab.heading("Integrations")
    expect(page.get_by_text("These are your own integrations.")).to_be_visible()
    expect(page.get_by_role("group", name="Whose integrations")).to_have_count(0)
    tab.assert_clean()
