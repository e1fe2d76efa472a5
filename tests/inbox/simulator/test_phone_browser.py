"""The phone page in a real browser, on a phone-sized screen: a customer writes to an account's
line (the account stores it through the real ingest), gets a reply with buttons and taps one."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from inbox.content import Buttons
from inbox.models import Conversation, Message
from inbox.sending import send
from tests.browser.conftest import PHONE, NewContext
from tests.conftest import Team
from tests.inbox.simulator.helpers import connect_line


def wait_for(check: Callable[[], object], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_customer_chats_with_a_line_from_the_phone_page(
    worker: None, live_server: LiveServer, acme: Team, new_context: NewContext
) -> None:
    connect_line(acme, live_server.url)
    page = new_context(PHONE).new_page()
    page.goto(f"{live_server.url}/simulator/")
    page.get_by_test_id("start-chat").locator("[name=phone]").fill("+54 9 11 2233-4455")
    page.get_by_test_id("start-chat").locator("[name=name]").fill("Ana")
    page.get_by_test_id("start-chat").locator("button[type=submit]").click()
    expect(page.get_by_test_id("business-name")).to_have_text("Tienda Simulada")

    page.locator("#id_text").fill("Hola, ¿tienen envíos?")
    page.get_by_test_id("compose").locator("button[type=submit]").click()
    mine = page.locator("[data-testid=bubble][data-direction=in]")
    expect(mine).to_have_count(1)
    expect(page.locator("#id_text")).to_have_value("")
    messages = Message.objects.for_account(acme.account)
    wait_for(lambda: messages.filter(text="Hola, ¿tienen envíos?").exists(), "the message in the account")
    # The business took the webhook: two ticks.
    expect(mine.first).to_have_attribute("data-status", "delivered")

    conversation = Conversation.objects.for_account(acme.account).get()
    send(conversation, Buttons("*Sí*, ¿a qué barrio?", [("palermo", "Palermo"), ("otro", "Otro barrio")]))
    theirs = page.locator("[data-testid=bubble][data-direction=out]")
    expect(theirs.locator("strong")).to_have_text("Sí")
    theirs.get_by_role("button", name="Otro barrio").click()
    expect(mine).to_have_count(2)
    wait_for(
        lambda: messages.filter(type="interactive", direction="in").exists(),
        "the button reply in the account",
    )
    reply = messages.get(type="interactive", direction="in")
    assert (reply.payload["id"], reply.text) == ("otro", "Otro barrio")
