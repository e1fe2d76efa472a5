"""The live inbox end to end, in Chromium: a customer writes on the simulator's phone page, the
operator sees it arrive without reloading, answers, the customer gets the answer, and the ticks in
the inbox turn to read when the customer has seen it. The whole stack runs: uvicorn (http and
websockets), the signed webhook, the Celery worker, the Redis channel layer.

Selectors go by data-testid and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, PHONE, NewContext, member_page
from tests.conftest import Team
from tests.inbox.simulator.helpers import connect_line

pytestmark = pytest.mark.browser


def test_a_customer_and_an_operator_chat_live(
    worker: None,
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    acme: Team,
    new_context: NewContext,
) -> None:
    base = asgi_server.url
    connect_line(acme, base)
    inbox = member_page(new_context, base, acme.operator, "inbox/", live=True)

    phone = new_context(PHONE).new_page()
    phone.goto(f"{base}/simulator/")
    start = phone.get_by_test_id("start-chat")
    start.locator("[name=phone]").fill("+54 9 11 2233-4455")
    start.locator("[name=name]").fill("Ana")
    start.locator("button[type=submit]").click()
    phone.locator("#id_text").fill("Hola, ¿tienen envíos?")
    phone.get_by_test_id("compose").locator("button[type=submit]").click()

    # The conversation shows up in the operator's list, and the tab title counts it, no reload.
    item = inbox.get_by_test_id("conv-list").locator(".conv-item")
    expect(item).to_have_count(1, timeout=LIVE_MS)
    expect(item.first).to_contain_text("Hola, ¿tienen envíos?")
    expect(inbox).to_have_title(re.compile(r"^\(1\) "))
    item.first.get_by_test_id("conv-link").click()
    expect(inbox).not_to_have_title(re.compile(r"^\(\d+\) "))
    history = inbox.get_by_test_id("history")
    expect(history.locator(".msg.in")).to_have_count(1)

    # A second message arrives while the chat is open: appended live.
    phone.locator("#id_text").fill("Soy de Palermo")
    phone.get_by_test_id("compose").locator("button[type=submit]").click()
    expect(history.locator(".msg.in")).to_have_count(2, timeout=LIVE_MS)
    expect(history.locator(".msg.in").last).to_contain_text("Soy de Palermo")

    inbox.get_by_test_id("composer-text").fill("¡Hola Ana! Sí, enviamos a Palermo.")
    inbox.get_by_test_id("send").click()
    mine = history.locator(".msg.out")
    expect(mine).to_have_count(1)

    # The customer gets it; having it on screen reads it; the inbox's ticks follow, live.
    theirs = phone.locator("[data-testid=bubble][data-direction=out]")
    expect(theirs).to_have_count(1, timeout=LIVE_MS)
    expect(theirs.first).to_contain_text("enviamos a Palermo")
    expect(mine.first).to_have_attribute("data-status", "read", timeout=LIVE_MS)
    assert inbox.evaluate("window.notReloaded") is True
    assert inbox.evaluate("window.InboxLive.state.connected") is True
