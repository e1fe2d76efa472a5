"""WhatsApp pauses a campaign by itself: a supervisor with the inbox open is told at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns import services
from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.campaigns.factories import make_contacts, template_campaign
from tests.conftest import Team
from tests.inbox.webhooks.conftest import make_line

pytestmark = pytest.mark.browser


def test_a_campaign_paused_by_whatsapp_reaches_the_open_inbox(
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    new_context: NewContext,
    acme: Team,
) -> None:
    line = make_line(acme, phone_number_id="111", provider="sandbox")
    make_contacts(acme, 1)
    campaign = services.start(template_campaign(acme, line, name="Ofertas de invierno"), by=None)
    supervisor = member_page(new_context, asgi_server.url, acme.supervisor, "inbox/", live=True)
    operator = member_page(new_context, asgi_server.url, acme.operator, "inbox/", live=True)

    assert services.pause_line(line, reason="spam_limit", detail="Spam limit reached (131048).") == 1

    expect(supervisor.get_by_test_id("toast")).to_contain_text("Ofertas de invierno", timeout=LIVE_MS)
    expect(supervisor.get_by_test_id("toast")).to_contain_text("131048")
    assert supervisor.evaluate("window.notReloaded") is True
    supervisor.wait_for_timeout(300)
    assert operator.get_by_test_id("toast").count() == 0  # configuration news is for supervisors
    campaign.refresh_from_db()
    assert campaign.state == "paused"
