"""Two people on the same chat, in Chromium over the real websocket (uvicorn, tests/browser/
asgi_server.py): what the supervisor does shows in the operator's open chat and contact panel
without a reload: the header (status, buttons, assignee), the system lines, notes and tags; and
when the chat is taken away from the operator's private inbox, the chat says so.

Selectors go by data-testid, names and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from inbox.assignment import assign
from spoter.accounts.models import InboxMode, Membership
from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.conftest import Team
from tests.inbox.team.conftest import make_conversation, make_line, operators

pytestmark = pytest.mark.browser


def live_page(new_context: NewContext, base: str, member: Membership, path: str) -> Page:
    page = member_page(new_context, base, member, path, live=True)
    expect(page.get_by_test_id("contact-panel")).to_be_visible()
    return page


# A new panel is in, and htmx has settled it (its forms are htmx's only once settled).
PANEL_SETTLED = """(panel => panel && panel !== window.panelBefore
  && !document.querySelector('.htmx-request, .htmx-settling, .htmx-added')
)(document.getElementById('contact-panel'))"""


def panel_redrawn_by(page: Page, button: Locator) -> None:
    """Click what redraws the supervisor's own panel (a panel form, or close / reopen, whose chat
    brings a new panel) and wait for it: filling a form before that would fill the panel about to
    be replaced."""
    page.evaluate("window.panelBefore = document.getElementById('contact-panel')")
    button.click()
    page.wait_for_function(PANEL_SETTLED)


def test_the_operators_open_chat_follows_what_the_supervisor_does(
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    new_context: NewContext,
    acme: Team,
) -> None:
    base = asgi_server.url
    chat = make_conversation(make_line(acme))
    operator = acme.operator
    operator.inbox_mode = InboxMode.PRIVATE  # sees only the chats assigned to them
    operator.save(update_fields=["inbox_mode"])
    assign(chat, operator, by=acme.supervisor)
    [other] = operators(acme, 1)  # who will take the chat over at the end
    path = f"inbox/c/{chat.number}/"
    theirs = live_page(new_context, base, operator, path)
    mine = live_page(new_context, base, acme.supervisor, path)
    head = theirs.get_by_test_id("chat-head")
    history = theirs.get_by_test_id("history")
    expect(head).to_have_attribute("data-status", "open")

    # The operator is halfway through a note of their own.
    draft = theirs.get_by_test_id("note-form").locator("textarea[name=text]")
    draft.fill("Borrador del operador")

    # The supervisor closes the chat: the operator's header and history follow.
    panel_redrawn_by(mine, mine.get_by_test_id("close"))
    expect(mine.get_by_test_id("reopen")).to_be_visible()
    expect(head).to_have_attribute("data-status", "closed", timeout=LIVE_MS)
    expect(theirs.get_by_test_id("reopen")).to_be_visible()
    expect(theirs.get_by_test_id("close")).to_have_count(0)
    expect(theirs.get_by_test_id("chat-status")).to_have_class(re.compile(r"\bstatus-closed\b"))
    expect(history.locator(".system-line[data-kind=closed]")).to_have_count(1, timeout=LIVE_MS)

    # A note and a tag from the supervisor's panel appear in the operator's panel.
    mine.get_by_test_id("note-form").locator("textarea[name=text]").fill("Prefiere que lo llamen a la tarde")
    panel_redrawn_by(mine, mine.get_by_test_id("note-form").locator("button[type=submit]"))
    expect(theirs.get_by_test_id("notes")).to_contain_text(
        "Prefiere que lo llamen a la tarde", timeout=LIVE_MS
    )
    expect(draft).to_have_value("Borrador del operador")  # the redraw kept what they were typing
    tag_form = mine.get_by_test_id("tag-form")
    tag_form.locator("input[name=name]").fill("Mayorista")
    panel_redrawn_by(mine, tag_form.locator("button[type=submit]"))
    expect(theirs.get_by_test_id("conversation-tags")).to_contain_text("Mayorista", timeout=LIVE_MS)
    expect(history.locator(".system-line[data-kind=tagged]")).to_have_count(1, timeout=LIVE_MS)

    # Reopened: the button turns back, one more line, none twice.
    panel_redrawn_by(mine, mine.get_by_test_id("reopen"))
    expect(head).to_have_attribute("data-status", "open", timeout=LIVE_MS)
    expect(theirs.get_by_test_id("close")).to_be_visible()
    expect(history.locator(".system-line[data-kind=reopened]")).to_have_count(1, timeout=LIVE_MS)
    expect(history.locator(".system-line[data-kind=closed]")).to_have_count(1)
    assert theirs.evaluate("window.notReloaded") is True

    # The supervisor hands the chat to another operator: it leaves the private operator's inbox,
    # and their open chat says so instead of going stale.
    with mine.expect_response(re.compile(r"/panel/$")):
        mine.get_by_test_id("assignee").select_option(str(other.id))
    expect(theirs.get_by_test_id("chat-removed")).to_be_visible(timeout=LIVE_MS)
    expect(theirs.get_by_test_id("contact-panel")).to_have_count(0)
    expect(theirs.get_by_test_id("history")).to_have_count(0)
    expect(theirs.locator(f"#conv-{chat.number}")).to_have_count(0)
    assert not theirs.url.rstrip("/").endswith(f"/c/{chat.number}")
    assert theirs.evaluate("window.notReloaded") is True
    # The supervisor, who still sees the chat, sees the new assignee in the header.
    expect(mine.get_by_test_id("chat-assignee")).to_contain_text(str(other.user.email), timeout=LIVE_MS)
