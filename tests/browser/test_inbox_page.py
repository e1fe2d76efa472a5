"""An operator works the inbox in Chromium: filters, opens a chat, answers with a quick reply,
and sees that once the window closes only a template can go out. On a phone: list, then chat.

Selectors go by data-testid and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, FilePayload, expect

from inbox.models import Conversation, Message, QuickReply, Template
from tests.browser.conftest import PHONE, NewContext
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, make_conversation, make_line

pytestmark = pytest.mark.browser


def logged_in(context: BrowserContext, base: str, team: Team) -> BrowserContext:
    session = client_for(team.operator).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    return context


def test_an_operator_answers_with_a_quick_reply_then_only_templates(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base, slug = live_server.url, acme.account.slug
    acme.operator.user.first_name = "Juan"
    acme.operator.user.save(update_fields=["first_name"])
    line = make_line(acme)
    ana = make_conversation(line, "Ana Pérez", unread_count=1)
    add_message(ana, "Hola, ¿tienen stock?")
    bruno = make_conversation(
        line, "Bruno Díaz", assignee=acme.operator, at=timezone.now() - timedelta(hours=1)
    )
    QuickReply.objects.for_account(acme.account).create(
        account=acme.account, shortcut="saludo", text="Hola {{nombre}}, soy {{operador}}."
    )
    Template.objects.for_account(acme.account).create(
        account=acme.account,
        waba_id=line.waba_id,
        name="seguimiento",
        language="es_AR",
        category="UTILITY",
        status="APPROVED",
        components=[{"type": "BODY", "text": "Hola {{1}}, ¿seguimos?"}],
    )
    page = logged_in(new_context(), base, acme).new_page()
    page.goto(f"{base}/a/{slug}/inbox/")
    items = page.locator("#conv-list .conv-item")
    expect(items).to_have_count(2)
    expect(items.first).to_have_id(f"conv-{ana.number}")  # latest activity first

    page.get_by_test_id("filter-mine").check()
    expect(items).to_have_count(1)
    expect(items.first).to_have_id(f"conv-{bruno.number}")
    expect(page).to_have_url(re.compile(r"/inbox/\?view=mine$"))  # a reload keeps the filter
    page.locator('input[name="view"][value="all"]').check()
    expect(items).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/inbox/$"))

    page.locator(f"#conv-{ana.number} a").click()
    expect(page).to_have_url(re.compile(rf"/inbox/c/{ana.number}/$"))
    expect(page.get_by_test_id("history")).to_contain_text("¿tienen stock?")
    expect(page.locator(f"#conv-{ana.number} [data-testid=unread]")).to_have_count(0)
    expect(page.locator("#panel")).to_contain_text("Ana Pérez")  # the contact panel follows the chat
    page.locator(f"#conv-{bruno.number} a").click()
    expect(page.locator("#panel")).to_contain_text("Bruno Díaz")
    page.locator(f"#conv-{ana.number} a").click()
    expect(page.get_by_test_id("chat-contact")).to_have_text("Ana Pérez")

    text = page.get_by_test_id("composer-text")
    text.fill("/sal")
    text.dispatch_event("input")
    expect(page.get_by_test_id("quick-reply")).to_have_count(1)
    text.press("Enter")
    expect(text).to_have_value("Hola Ana, soy Juan.")
    expect(page.get_by_test_id("counter")).to_have_text("19/4096")
    text.press("Control+Enter")
    sent = page.locator("#history .msg.out")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Hola Ana, soy Juan.")
    expect(text).to_have_value("")
    message = Message.objects.for_account(acme.account).get(conversation=ana, direction="out")
    expect(sent).to_have_id(f"msg-{message.id}")

    Conversation.objects.for_account(acme.account).filter(id=ana.id).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    page.reload()
    expect(page.get_by_test_id("window-closed")).to_be_visible()
    expect(page.get_by_test_id("composer-text")).to_have_count(0)
    page.get_by_test_id("template-choice").select_option(label="seguimiento (es_AR)")
    page.get_by_test_id("template-value").fill("Ana")
    page.get_by_test_id("template-send").click()
    expect(page.locator("#history .msg.out")).to_have_count(2)
    expect(page.locator("#history .msg.out").last).to_contain_text("Hola Ana, ¿seguimos?")


def test_on_a_phone_the_list_comes_first_then_the_chat(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base, slug = live_server.url, acme.account.slug
    conversation = make_conversation(make_line(acme), "Carla")
    add_message(conversation, "¿Abren el sábado?")
    page = logged_in(new_context(PHONE), base, acme).new_page()
    page.goto(f"{base}/a/{slug}/inbox/")
    expect(page.get_by_test_id("conv-list")).to_be_visible()
    expect(page.locator("#chat")).to_be_hidden()
    page.locator(f"#conv-{conversation.number} a").click()
    expect(page.get_by_test_id("history")).to_contain_text("¿Abren el sábado?")
    expect(page.get_by_test_id("conv-list")).to_be_hidden()
    page.locator('[data-action="back"]').click()
    expect(page.get_by_test_id("conv-list")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/a/{slug}/inbox/$"))


def test_older_messages_on_scroll_up_and_file_limits_before_upload(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base, slug = live_server.url, acme.account.slug
    conversation = make_conversation(make_line(acme), "Dora")
    for index in range(60):
        add_message(conversation, f"mensaje {index}")
    page = logged_in(new_context(), base, acme).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/a/{slug}/inbox/c/{conversation.number}/")
    messages = page.locator("#history .msg")
    expect(messages).to_have_count(50)
    expect(messages.last).to_contain_text("mensaje 59")
    page.get_by_test_id("history").evaluate("history => history.scrollTo(0, 0)")
    expect(messages).to_have_count(60)
    expect(messages.first).to_contain_text("mensaje 0")

    # Over WhatsApp's 5 MB for images: refused in the browser, nothing uploaded.
    too_big: FilePayload = {
        "name": "foto.png",
        "mimeType": "image/png",
        "buffer": b"\x89PNG" + bytes(6 << 20),
    }
    page.get_by_test_id("file-input").set_input_files([too_big])
    expect(page.get_by_test_id("send-error")).to_contain_text("foto.png")
    expect(page.get_by_test_id("attachments")).to_be_empty()
    text_file: FilePayload = {"name": "nota.txt", "mimeType": "text/plain", "buffer": b"lista de precios"}
    page.get_by_test_id("file-input").set_input_files([text_file])
    expect(page.get_by_test_id("attachments")).to_contain_text("nota.txt")
    expect(page.get_by_test_id("send-error")).to_have_count(0)
    page.get_by_test_id("send").click()
    expect(page.locator("#history .msg.out")).to_contain_text("nota.txt")
    assert not errors
