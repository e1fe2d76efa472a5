"""An operator adds a contact with a local phone and a custom field, then leaves them out of mass
sends from the contact page, in Chromium. Selectors go by ids and data-testid, never by words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from audience.models import Contact, CustomField
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team

pytestmark = pytest.mark.browser


def test_add_a_contact_and_opt_them_out(live_server: Any, new_context: NewContext, acme: Team) -> None:
    account = acme.account
    CustomField.objects.for_account(account).create(
        account=account, key="cumple", label="Cumpleaños", kind="date"
    )
    page = member_page(new_context, live_server.url, acme.operator, "contacts/new/")
    page.locator("#id_name").fill("Lucía Gómez")
    page.locator("#id_phone").fill("011 15-2233-4455")
    page.locator("#id_field_cumple").fill("1990-05-17")
    page.locator("#id_new_tags").fill("Feria")
    page.get_by_test_id("contact-save").click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    expect(page.get_by_test_id("contact-phone")).to_have_text("+5491122334455")
    expect(page.get_by_test_id("custom-cumple")).to_be_visible()
    page.get_by_test_id("opt-out").click()
    expect(page.get_by_test_id("opt-in")).to_be_visible()
    contact = Contact.objects.for_account(account).get()
    assert contact.custom_fields == {"cumple": "1990-05-17"}
    assert contact.opted_out_by == acme.operator.user
