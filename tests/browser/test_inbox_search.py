"""An operator searches for a word said long ago and lands on that message, highlighted, in a
chat of 120 messages; scrolling down brings the rest, and "latest" jumps back to the end.

Selectors go by data-testid and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import NewContext
from tests.browser.test_inbox_page import logged_in
from tests.conftest import Team
from tests.inbox.page.conftest import add_message, make_conversation, make_line

pytestmark = pytest.mark.browser


def test_a_search_hit_opens_the_chat_at_an_old_message(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base, slug = live_server.url, acme.account.slug
    conversation = make_conversation(make_line(acme), "Dora")
    start = timezone.now() - timedelta(hours=3)
    sent = [
        add_message(
            conversation,
            "¿Tienen zanahorias orgánicas?" if index == 0 else f"mensaje {index}",
            created_at=start + timedelta(minutes=index),
        )
        for index in range(120)
    ]
    page = logged_in(new_context(), base, acme).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/a/{slug}/inbox/")
    page.get_by_test_id("search").fill("zanahoria")
    page.get_by_test_id("search-message").click()

    hit = page.locator(f"#msg-{sent[0].id}")
    expect(hit).to_have_class(re.compile(r"\bhighlight\b"))
    expect(hit).to_be_in_viewport()
    expect(page).to_have_url(re.compile(rf"/inbox/c/{conversation.number}/\?message={sent[0].id}$"))
    messages = page.locator("#history .msg")
    expect(messages).to_have_count(26)  # message 1 and the 25 after it, not the chat's end
    expect(page.get_by_test_id("to-latest")).to_be_visible()

    # A message arriving now is not appended below message 26: the newer pages bring it in order.
    add_message(conversation, "recién llegado")
    page.evaluate("window.InboxLive.resync()")  # what a live event or a reconnect does
    expect(messages).to_have_count(26)

    # Scrolling down brings the newer pages, up to the end; then the shortcut goes away.
    history = page.get_by_test_id("history")
    history.evaluate("history => history.scrollTo(0, history.scrollHeight)")
    expect(messages).to_have_count(76)
    history.evaluate("history => history.scrollTo(0, history.scrollHeight)")
    expect(messages).to_have_count(121)
    expect(messages.nth(119)).to_contain_text("mensaje 119")
    expect(messages.last).to_contain_text("recién llegado")
    expect(page.get_by_test_id("to-latest")).to_have_count(0)
    days = page.locator("#history .day").all_text_contents()
    assert len(days) == len(set(days)), days  # pages joined below do not repeat their day

    # Again, and this time straight back to the end.
    page.get_by_test_id("search-message").click()
    expect(hit).to_be_in_viewport()
    expect(messages).to_have_count(26)
    page.get_by_test_id("to-latest").click()
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("recién llegado")
    expect(messages.last).to_be_in_viewport()
    expect(page).to_have_url(re.compile(rf"/inbox/c/{conversation.number}/$"))

    # Answering from the old message: the chat moves to its end, where the answer is.
    page.get_by_test_id("search-message").click()
    expect(hit).to_be_in_viewport()
    page.get_by_test_id("composer-text").fill("Sí, de la huerta")
    page.get_by_test_id("send").click()
    expect(messages.last).to_contain_text("Sí, de la huerta")
    expect(messages).to_have_count(50)
    expect(page.get_by_test_id("to-latest")).to_have_count(0)
    expect(messages.last).to_be_in_viewport()
    assert not errors
