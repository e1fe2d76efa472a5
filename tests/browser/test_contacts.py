"""A supervisor filters the contacts by a tag, opts every match out in bulk, and saves the
filter as a segment whose count the segments page loads, in Chromium.

Selectors go by names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from audience.models import Contact, Segment, Tag
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team

pytestmark = pytest.mark.browser


def test_filter_by_tag_opt_out_all_and_save_a_segment(
    live_server: Any, new_context: NewContext, acme: Team
) -> None:
    account = acme.account
    vip = Tag.objects.for_account(account).create(account=account, name="VIP")
    people = Contact.objects.for_account(account)
    ana = people.create(account=account, name="Ana", phone="+5491155550001")
    beto = people.create(account=account, name="Beto", phone="+5491155550002")
    caro = people.create(account=account, name="Caro", phone="+5491155550003")
    ana.tags.add(vip)
    beto.tags.add(vip)

    page = member_page(new_context, live_server.url, acme.supervisor, "contacts/")
    expect(page.get_by_test_id(f"contact-{caro.id}")).to_be_visible()
    page.get_by_test_id("more-filters").click()
    page.get_by_test_id("filter-tag_any").select_option(str(vip.id))
    expect(page.get_by_test_id("live-count")).to_contain_text("2")  # htmx, as the filter changes
    page.get_by_test_id("apply-filter").click()
    expect(page.get_by_test_id(f"contact-{caro.id}")).to_have_count(0)
    expect(page.get_by_test_id(f"contact-{ana.id}")).to_be_visible()

    page.get_by_test_id("select-all-matching").check()
    page.get_by_test_id("bulk-action").select_option("opt_out")
    page.get_by_test_id("bulk-apply").click()
    expect(page).to_have_url(re.compile(rf"/contacts/\?tag_any={vip.id}$"))
    for contact in (ana, beto):
        expect(page.get_by_test_id(f"contact-{contact.id}").get_by_test_id("opted-out")).to_be_visible()
    assert set(people.exclude(opted_out_at=None).values_list("id", flat=True)) == {ana.id, beto.id}

    save = page.get_by_test_id("save-segment")
    save.locator('input[name="name"]').fill("Clientes VIP")
    save.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/contacts/segments/$"))
    segment = Segment.objects.for_account(account).get()
    expect(page.get_by_test_id(f"segment-{segment.id}").get_by_test_id("segment-count")).to_contain_text("2")
