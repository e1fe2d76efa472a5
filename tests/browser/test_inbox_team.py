"""Team work in Chromium: the contact panel beside a chat (notes, tags, assignment without a
reload), a supervisor transferring an operator's chats, and a reminder that fires while its owner
has the inbox open (the scheduler's task run by the test, the event over the real websocket).

Selectors go by data-testid, names and ids, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inbox import tasks
from inbox.assignment import assign
from inbox.models import Conversation, Note, Reminder
from tests.browser.asgi_server import AsgiServer, asgi_server  # noqa: F401  # the fixture
from tests.browser.conftest import LIVE_MS, NewContext, member_page
from tests.conftest import Team
from tests.inbox.team.conftest import make_conversation, make_line, operators

pytestmark = pytest.mark.browser


def test_a_supervisor_works_the_panel_and_transfers_an_operators_chats(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base = live_server.url
    source, target = operators(acme, 2)
    line = make_line(acme)
    chats = [make_conversation(line, f"+54911223344{index:02d}") for index in range(3)]
    for chat in chats:
        assign(chat, source, by=acme.supervisor)
    page = member_page(new_context, base, acme.supervisor, f"inbox/c/{chats[0].number}/")

    # The panel loads beside the chat; a note and a tag are added in place.
    panel = page.get_by_test_id("contact-panel")
    expect(panel).to_be_visible()
    page.evaluate("window.notReloaded = true")
    panel.get_by_test_id("note-form").locator("textarea[name=text]").fill("Prefiere que lo llamen a la tarde")
    panel.get_by_test_id("note-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("notes")).to_contain_text("Prefiere que lo llamen a la tarde")
    tag_form = page.get_by_test_id("tag-form")
    tag_form.locator("input[name=name]").fill("Mayorista")
    tag_form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("conversation-tags")).to_contain_text("Mayorista")
    # Reassigning one chat from the panel's select.
    with page.expect_response(re.compile(r"/panel/$")):  # the panel, redrawn after the assignment
        page.get_by_test_id("assignee").select_option(str(target.id))
    expect(page.get_by_test_id("assignee")).to_have_value(str(target.id))
    # A select changed before htmx has taken over a freshly swapped panel (a form htmx has not
    # processed yet, as a clone is) still goes through htmx, not a page-leaving native submit.
    unprocessed = "form => form.replaceWith(form.cloneNode(true))"
    page.locator("[data-testid=panel-assign] form").evaluate(unprocessed)
    for member in (source, target):
        with page.expect_response(re.compile(r"/panel/$")):
            page.get_by_test_id("assignee").select_option(str(member.id))
        expect(page.get_by_test_id("assignee")).to_have_value(str(member.id))
    assert page.evaluate("window.notReloaded") is True
    assert Note.objects.for_account(acme.account).get().author == acme.supervisor

    # Transfer the rest from the source operator to the target.
    page.goto(f"{base}/a/{acme.account.slug}/inbox/transfer/")
    expect(page.get_by_test_id(f"count-{source.id}")).to_have_text("2")
    form = page.get_by_test_id("transfer-form")
    form.locator("select[name=from_member]").select_option(str(source.id))
    form.locator("select[name=to_member]").select_option(str(target.id))
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id(f"count-{source.id}")).to_have_text("0")
    expect(page.get_by_test_id(f"count-{target.id}")).to_have_text("3")
    assignees = Conversation.objects.for_account(acme.account).values_list("assignee_id", flat=True)
    assert set(assignees) == {target.id}


def test_a_reminder_fires_while_its_owner_has_the_inbox_open(
    asgi_server: AsgiServer,  # noqa: F811  # the fixture imported above
    new_context: NewContext,
    acme: Team,
) -> None:
    base = asgi_server.url
    chat = make_conversation(make_line(acme))
    page = member_page(new_context, base, acme.operator, f"inbox/c/{chat.number}/", live=True)

    # The operator sets a reminder from the panel, in the account's local time.
    soon = timezone.localtime(timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    form = page.get_by_test_id("reminder-form")
    form.locator("input[name=due_at]").fill(soon)
    form.locator("input[name=text]").fill("Llamar por el presupuesto")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("reminders-active")).to_contain_text("Llamar por el presupuesto")
    reminder = Reminder.objects.for_account(acme.account).get()
    assert reminder.owner == acme.operator

    # Its time comes; the scheduler's turn notifies the owner live.
    Reminder.objects.for_account(acme.account).filter(id=reminder.id).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.notify_due_reminders() == 1
    expect(page.get_by_test_id("toast")).to_contain_text("Llamar por el presupuesto", timeout=LIVE_MS)
    assert page.evaluate("window.notReloaded") is True

    # The reminders page shows it due; marking it read.
    page.goto(f"{base}/a/{acme.account.slug}/inbox/reminders/")
    due = page.get_by_test_id("expired-reminders").get_by_test_id(f"reminder-{reminder.id}")
    expect(due).to_have_class("unread")
    due.locator("form").first.locator("button").click()
    expect(
        page.get_by_test_id("expired-reminders").get_by_test_id(f"reminder-{reminder.id}")
    ).not_to_have_class("unread")
    reminder.refresh_from_db()
    assert reminder.read_at is not None
