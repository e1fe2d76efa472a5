"""A company signs up, confirms its email, logs in and invites an operator, who joins: all in Chromium.

Selectors go by form actions, hrefs, names and data-testid, never by words: the interface is
Spanish by default and its translations change.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, NewContext, wait_for_link

pytestmark = pytest.mark.browser

COMPANY = "Panadería del Río"
SLUG = "panaderia-del-rio"  # slugify() drops the accents
ADMIN_EMAIL = "duena@panaderia.test"
ADMIN_PASSWORD = "Medialunas-de-manteca-2026"
OPERATOR_EMAIL = "cajera@panaderia.test"
OPERATOR_PASSWORD = "Facturas-con-dulce-2026"


def nav_link(page: Page, section: str) -> Locator:
    return page.locator(f'nav.sections a[href="/a/{SLUG}/{section}"]')


def submit(form: Locator) -> None:
    form.locator('button[type="submit"]').click()


def test_signup_confirm_login_and_invited_operator_joins(live_server, new_context: NewContext) -> None:
    base = live_server.url
    inbox_url = f"{base}/a/{SLUG}/inbox/"

    # The owner signs up on a phone.
    owner = new_context(PHONE).new_page()
    owner.goto(f"{base}/accounts/signup/")
    signup = owner.locator('form[action="/accounts/signup/"]')
    signup.locator('input[name="account_name"]').fill(COMPANY)
    signup.locator('input[name="email"]').fill(ADMIN_EMAIL)
    signup.locator('input[name="password1"]').fill(ADMIN_PASSWORD)
    signup.locator('input[name="password2"]').fill(ADMIN_PASSWORD)
    submit(signup)
    expect(owner).to_have_url(f"{base}/accounts/confirm-email/")  # "check your email"

    confirm_link = wait_for_link(ADMIN_EMAIL, r"https?://\S+/accounts/confirm-email/[^/\s]+/")
    owner.goto(confirm_link)
    submit(owner.locator('form[action^="/accounts/confirm-email/"]'))
    expect(owner).to_have_url(f"{base}/accounts/login/")

    login = owner.locator('form[action="/accounts/login/"]')
    login.locator('input[name="login"]').fill(ADMIN_EMAIL)
    login.locator('input[name="password"]').fill(ADMIN_PASSWORD)
    submit(login)
    expect(owner).to_have_url(inbox_url)
    expect(owner.get_by_test_id("account-switcher")).to_have_text(COMPANY)

    # The owner invites an operator from the Team page.
    nav_link(owner, "team/").click()
    expect(owner).to_have_url(f"{base}/a/{SLUG}/team/")
    invite = owner.get_by_test_id("invite-form")
    invite.locator('input[name="email"]').fill(OPERATOR_EMAIL)
    invite.locator('select[name="role"]').select_option("operator")
    submit(invite)
    expect(owner).to_have_url(f"{base}/a/{SLUG}/team/")
    expect(owner.locator(".message.success")).to_contain_text(OPERATOR_EMAIL)

    invitation_link = wait_for_link(OPERATOR_EMAIL, r"https?://\S+/invitations/[^/\s]+/")

    # The operator opens the link in a browser of their own, sets a password and is in.
    operator = new_context(DESKTOP).new_page()
    operator.goto(invitation_link)
    accept = operator.get_by_test_id("accept-invitation-form")
    accept.locator('input[name="password1"]').fill(OPERATOR_PASSWORD)
    accept.locator('input[name="password2"]').fill(OPERATOR_PASSWORD)
    submit(accept)
    expect(operator).to_have_url(inbox_url)
    expect(operator.locator("main h1")).to_be_visible()
    expect(nav_link(operator, "inbox/")).to_have_attribute("aria-current", "page")
    expect(operator.locator(".user-menu summary")).to_have_text(OPERATOR_EMAIL)
    for section in ("settings/", "team/", "billing/"):
        expect(nav_link(operator, section)).to_have_count(0)
        expect(nav_link(owner, section)).to_have_count(1)  # the same nav, as the admin sees it

    # Back on the owner's phone, the operator is now a member.
    owner.reload()
    expect(owner.get_by_test_id(f"member-{OPERATOR_EMAIL}")).to_be_visible()
