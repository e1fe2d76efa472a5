"""A rule asks an operator to look at a chat: the open inbox shows it at once, in Chromium."""

from __future__ import annotations

import pytest
from django.db import transaction
from playwright.sync_api import expect

from bots.models import Rule
from bots.rules import apply_rules
from tests.bots.test_rules import inbound
from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.conftest import Team
from tests.inbox.webhooks.conftest import make_line

pytestmark = pytest.mark.browser


def test_a_rules_notification_reaches_the_open_inbox(
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    new_context: NewContext,
    acme: Team,
) -> None:
    line = make_line(acme, phone_number_id="111", provider="sandbox")
    page = member_page(new_context, asgi_server.url, acme.supervisor, "inbox/", live=True)
    Rule.objects.for_account(acme.account).create(
        account=acme.account, name="Reclamos", keywords="reclamo", notify_ids=[acme.supervisor.id]
    )
    with transaction.atomic():  # as the bot task runs it; the event goes out on commit
        apply_rules(inbound(line, "Quiero hacer un reclamo"))
    expect(page.get_by_test_id("toast")).to_contain_text("Reclamos", timeout=LIVE_MS)
    assert page.evaluate("window.notReloaded") is True
