"""A supervisor writes a free-text campaign to a tag, sees in the preview how many get it and what
Ana reads, and starts it, in Chromium.

Selectors go by names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from audience.models import Tag
from campaigns.models import Campaign, CampaignState, Recipient
from spoter.celery import app
from tests.browser.conftest import NewContext, member_page
from tests.campaigns.test_views import make_contact, make_line, open_window
from tests.conftest import Team

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _no_queued_runners() -> Iterator[None]:
    """The start queues the campaign's runners on the test broker: no worker here, drop them."""
    yield
    app.control.purge()


def test_create_preview_and_start_a_free_text_campaign(
    live_server: Any, new_context: NewContext, acme: Team
) -> None:
    account = acme.account
    line = make_line(account)
    vip = Tag.objects.for_account(account).create(account=account, name="VIP")
    ana = make_contact(account, 1, name="Ana Pérez")
    ana.tags.add(vip)
    open_window(line, ana)
    open_window(line, make_contact(account, 2, name="Beto"))  # in the window, without the tag

    page = member_page(new_context, live_server.url, acme.supervisor, "campaigns/")
    page.get_by_test_id("new-campaign").click()
    form = page.get_by_test_id("campaign-form")
    form.locator('input[name="name"]').fill("Ofertas de invierno")
    form.locator('select[name="tags"]').select_option(str(vip.id))
    form.locator('input[name="kind"][value="text"]').check()
    text = form.locator('textarea[name="text"]')  # htmx swaps the message part in
    text.fill("Hola {{nombre|cliente}}, ¡llegaron las ofertas!")
    expect(form.get_by_test_id("footer-text")).to_be_visible()
    form.get_by_test_id("save-campaign").click()

    expect(page).to_have_url(re.compile(r"/campaigns/\d+/preview/$"))
    campaign = Campaign.objects.for_account(account).get()
    expect(page.get_by_test_id("recipient-count")).to_have_text("1")
    expect(page.get_by_test_id("sample-text")).to_contain_text("Hola Ana, ¡llegaron las ofertas!")
    page.get_by_test_id("start").click()

    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.id}/$"))
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.RUNNING
    recipients = Recipient.objects.for_account(account).filter(campaign=campaign)
    assert list(recipients.values_list("contact_id", flat=True)) == [ana.id]
