"""A supervisor adds a WhatsApp line from Settings and previews its wa.me link, in Chromium.

Selectors go by hrefs, names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inbox.models import Line
from tests.browser.conftest import NewContext
from tests.conftest import Team, client_for

pytestmark = pytest.mark.browser


def test_a_supervisor_adds_a_line_and_previews_its_link(
    live_server, new_context: NewContext, acme: Team
) -> None:
    base = live_server.url
    slug = acme.account.slug
    context = new_context()
    session = client_for(acme.supervisor).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()

    page.goto(f"{base}/a/{slug}/settings/")
    page.get_by_test_id("settings-lines").click()
    page.get_by_test_id("new-line").click()
    form = page.get_by_test_id("line-form")
    form.locator('input[name="name"]').fill("Ventas")
    form.locator('input[name="display_number"]').fill("+54 9 11 5555-1234")
    form.locator('input[name="phone_number_id"]').fill("106540352242922")
    form.locator('input[name="waba_id"]').fill("102290129340398")
    form.locator('input[name="access_token"]').fill("EAAG-token")
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(rf"/a/{slug}/settings/lines/\d+/$"))
    line = Line.objects.for_account(acme.account).get()
    assert (line.display_number, line.access_token) == ("+5491155551234", "EAAG-token")
    expect(page.get_by_test_id("webhook-url")).to_have_text(re.compile(rf"/webhooks/whatsapp/{line.uuid}/$"))
    expect(page.locator('input[name="access_token"]')).to_have_value("")

    page.locator('input[name="text"]').fill("Hola!")
    expect(page.get_by_test_id("wa-link")).to_have_attribute(
        "href", "https://wa.me/5491155551234?text=Hola%21"
    )
