"""A supervisor writes an SMS notification: the counter follows the text, the email-only fields
hide, and the saved notification shows in the list, in Chromium.

Selectors go by names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from notifications.models import Notification
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team
from tests.notifications.conftest import make_tag

pytestmark = pytest.mark.browser


def test_create_an_sms_notification_watching_the_counter(
    live_server: Any, new_context: NewContext, acme: Team
) -> None:
    tag = make_tag(acme, "Socios")
    page = member_page(new_context, live_server.url, acme.supervisor, "campaigns/notifications/new/")
    form = page.get_by_test_id("notification-form")
    counter = page.get_by_test_id("sms-counter")
    expect(counter).to_have_text("0/160")
    form.locator('input[name="name"]').fill("Recordatorio de cuota")
    form.locator('input[name="channel"][value="sms"]').check()
    expect(form.locator('input[name="subject"]')).to_be_hidden()
    body = page.get_by_test_id("body")
    body.fill("Hola {{nombre}}, tu cuota vence mañana.")
    expect(counter).to_have_text("39/160")
    body.fill("x" * 161)
    expect(counter).to_have_text("161/160")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    body.fill("Hola {{nombre}}, tu cuota vence mañana.")
    expect(counter).not_to_have_class(re.compile(r"\bover\b"))
    form.locator('input[name="channel"][value="email"]').check()
    expect(form.locator('input[name="subject"]')).to_be_visible()
    expect(counter).to_be_hidden()
    form.locator('input[name="channel"][value="sms"]').check()
    form.locator(f'input[name="tags"][value="{tag.id}"]').check()
    form.locator('select[name="schedule"]').select_option("monthly")
    expect(form.locator('input[name="send_at"]')).to_be_hidden()
    form.locator('input[name="time_of_day"]').fill("09:30")
    form.locator('input[name="day_of_month"]').fill("10")
    page.get_by_test_id("save").click()

    expect(page).to_have_url(re.compile(r"/campaigns/notifications/$"))
    notification = Notification.objects.for_account(acme.account).get()
    row = page.get_by_test_id(f"notification-{notification.id}")
    expect(row).to_contain_text("Recordatorio de cuota")
    expect(row.get_by_test_id("schedule")).to_contain_text("09:30")
    assert notification.body == "Hola {{nombre}}, tu cuota vence mañana."
    assert (notification.schedule, notification.day_of_month) == ("monthly", 10)
