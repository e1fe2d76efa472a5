"""EMP-1 in Chromium over the real websocket: an analysed message shows its emotion badge, a
message analysed while the chat is open gets its badge without a reload, and an operator corrects
one from the badge's small form.

Selectors go by data-testid, names and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from empaty.analysis_tasks import analyse_account
from empaty.models import MessageAnalysis
from inbox import events
from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.conftest import Team
from tests.empaty.test_badges import angry
from tests.inbox.page.conftest import add_message
from tests.inbox.sending.conftest import make_conversation, make_line

pytestmark = pytest.mark.browser


def test_the_badge_shows_arrives_live_and_is_corrected(
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    new_context: NewContext,
    acme: Team,
) -> None:
    chat = make_conversation(make_line(acme))
    known = angry(chat)
    page = member_page(new_context, asgi_server.url, acme.operator, f"inbox/c/{chat.number}/", live=True)
    old = page.locator(f"#msg-{known.message_id}").get_by_test_id("emotion-badge")
    expect(old).to_have_attribute("data-emotion", "anger")
    expect(old).to_have_class("emp-badge pol-negative")

    # The customer writes; the worker's task analyses it; the open chat shows the badge.
    thanks = add_message(chat, "Muchísimas gracias!! Me encantó el pedido, son unos genios 😍")
    events.message_created(thanks)  # as inbox.receiving tells the open chats
    expect(page.locator(f"#msg-{thanks.id}")).to_have_count(1, timeout=LIVE_MS)
    fresh = page.locator(f"#msg-{thanks.id}").get_by_test_id("emotion-badge")
    expect(fresh).to_have_count(0)
    assert analyse_account(acme.account.id) == 1
    expect(fresh).to_have_attribute("data-emotion", "joy", timeout=LIVE_MS)
    expect(fresh).to_have_attribute("data-polarity", "positive")
    assert page.evaluate("window.notReloaded") is True

    # The operator says the angry message was only sad, and neutral.
    old.click()
    form = page.locator(f"#msg-{known.message_id}").get_by_test_id("emotion-correct")
    form.locator("select[name=emotion]").select_option("sadness")
    form.locator("select[name=polarity]").select_option("neutral")
    form.get_by_test_id("correct-save").click()
    expect(old).to_have_attribute("data-emotion", "sadness")
    expect(old).to_have_attribute("data-polarity", "neutral")
    expect(old.get_by_test_id("badge-corrected")).to_be_visible()
    row = MessageAnalysis.objects.for_account(acme.account).get(id=known.id)
    assert (row.final_emotion, row.final_polarity, row.corrected_by_id) == (
        "sadness",
        "neutral",
        acme.operator.id,
    )

    # Cancelling the form puts the badge back as it was.
    old.click()
    form.get_by_test_id("correct-cancel").click()
    expect(form).to_have_count(0)
    expect(old).to_have_attribute("data-emotion", "sadness")
