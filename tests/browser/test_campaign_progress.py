"""A supervisor watches a running campaign: its counts and chart, refreshed by htmx polling without
reloading the page when a message is read, in Chromium.

Selectors go by data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from campaigns.models import RecipientState
from inbox.models import Message, MessageStatus
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.campaigns.factories import make_contacts
from tests.campaigns.test_progress import add, running
from tests.conftest import Team

pytestmark = pytest.mark.browser


def test_the_page_shows_a_read_message_without_reloading(
    live_server: Any, new_context: NewContext, acme: Team
) -> None:
    campaign = running(acme, excluded={"opted_out": 1})
    queued, delivered, sent = make_contacts(acme, 3)
    add(campaign, queued, RecipientState.PENDING)
    reader = add(campaign, delivered, status=MessageStatus.DELIVERED)
    add(campaign, sent, status=MessageStatus.SENT)

    page = member_page(new_context, live_server.url, acme.supervisor, f"campaigns/{campaign.id}/")
    counts = {
        kind: page.get_by_test_id(f"count-{kind}").locator("strong") for kind in ("total", "read", "sent")
    }
    expect(counts["total"]).to_have_text("3")
    expect(counts["sent"]).to_have_text("2")
    expect(counts["read"]).to_have_text("0")
    expect(page.get_by_test_id("sends-chart").locator("rect.bar").first).to_be_attached()
    expect(page.get_by_test_id("count-excluded").locator("strong")).to_have_text("1")
    page.evaluate("window.notReloaded = true")

    Message.objects.for_account(acme.account).filter(campaign_recipient=reader).update(
        status=MessageStatus.READ
    )

    expect(counts["read"]).to_have_text("1", timeout=LIVE_MS)  # the next poll, within 3 seconds
    expect(counts["sent"]).to_have_text("2")
    assert page.evaluate("window.notReloaded") is True
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/campaign-progress.png", full_page=True)
