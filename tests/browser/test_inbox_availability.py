"""An operator switches themselves unavailable from the inbox with one click; a reload shows the
same state, which is the one round robin reads.

Selectors go by data-testid and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from spoter.accounts.models import Membership
from tests.browser.conftest import NewContext
from tests.browser.test_inbox_page import logged_in
from tests.conftest import Team

pytestmark = pytest.mark.browser


def test_an_operator_switches_their_availability_and_it_stays(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base, slug = live_server.url, acme.account.slug
    page = logged_in(new_context(), base, acme).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/a/{slug}/inbox/")
    toggle = page.get_by_test_id("availability")
    expect(toggle).to_have_attribute("data-available", "1")
    expect(toggle).to_have_attribute("aria-pressed", "true")

    toggle.click()
    expect(toggle).to_have_attribute("data-available", "0")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(toggle).to_have_attribute("data-available", "0")
    assert Membership.objects.for_account(acme.account).get(id=acme.operator.id).available is False

    toggle.click()
    expect(toggle).to_have_attribute("data-available", "1")
    page.reload()
    expect(toggle).to_have_attribute("data-available", "1")
    assert not errors
