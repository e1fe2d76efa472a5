"""The contacts page: filtered rows, total, 50 at a time, a fixed number of queries, links by role."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audience.filters import Condition, ContactFilter
from audience.models import Contact, CustomField, Tag
from tests.audience.test_bulk import make_contacts
from tests.conftest import Team, client_for


def url(team: Team, query: str = "") -> str:
    return reverse("contacts", args=[team.account.slug]) + (f"?{query}" if query else "")


def speak_spanish(team: Team) -> None:
    """The account's default language (tests/audience/conftest.py switches acme to English):
    times and numbers as es-AR writes them."""
    team.account.language = "es-ar"
    team.account.save(update_fields=["language"])


def test_the_page_lists_filters_and_counts(acme: Team) -> None:
    speak_spanish(acme)
    account = acme.account
    vip = Tag.objects.for_account(account).create(account=account, name="VIP", color="#dc2626")
    ana = Contact.objects.for_account(account).create(
        account=account, name="Ana", phone="+5491155550001", email="ana@example.com",
        opted_out_at=datetime(2025, 1, 1, tzinfo=UTC), last_seen_at=datetime(2025, 5, 2, 2, 30, tzinfo=UTC),
    )  # fmt: skip
    ana.tags.add(vip)
    Contact.objects.for_account(account).create(
        account=account, name="Beto", blocked_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    page = client_for(acme.operator).get(url(acme)).content.decode()
    assert "Ana" in page
    assert "Beto" in page
    assert 'data-testid="opted-out"' in page
    assert 'data-testid="blocked"' in page
    assert "--tag-color: #dc2626" in page
    assert "23:30" in page  # 02:30 UTC shown in Buenos Aires time
    filtered = client_for(acme.operator).get(url(acme, ContactFilter(tags_any=(vip.id,)).to_query()))
    body = filtered.content.decode()
    assert "Ana" in body
    assert "Beto" not in body
    assert reverse("contact_detail", args=[account.slug, ana.id]) in body
    # The form's rows of conditions become the filter.
    by_form = client_for(acme.operator).get(url(acme, "cond_field=email&cond_op=set&cond_value="))
    assert "Ana" in by_form.content.decode()
    assert "Beto" not in by_form.content.decode()


def test_thousands_are_grouped_in_the_total(acme: Team) -> None:
    speak_spanish(acme)
    make_contacts(acme, 1234)
    page = client_for(acme.operator).get(url(acme)).content.decode()
    assert "1.234 contact" in page


def test_fifty_at_a_time_with_a_fixed_number_of_queries(acme: Team) -> None:
    contacts = make_contacts(acme, 120)
    account = acme.account
    tags = [Tag.objects.for_account(account).create(account=account, name=f"T{n}") for n in range(3)]
    for contact in contacts:
        contact.tags.add(*tags)
    client = client_for(acme.operator)

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(acme, query)).status_code == 200
        return len(captured)

    page = client.get(url(acme)).content.decode()
    assert page.count('name="contact"') == 50
    assert "offset=50" in page
    second = client.get(url(acme, "offset=50"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in second  # a fragment of rows
    assert second.count('name="contact"') == 50
    assert "offset=100" in second
    last = client.get(url(acme, "offset=100"), HTTP_HX_REQUEST="true").content.decode()
    assert last.count('name="contact"') == 20
    assert "offset=150" not in last

    first = queries("")
    assert queries("offset=50") <= first
    Contact.objects.for_account(account).filter(id__in=[c.id for c in contacts[:100]]).delete()
    assert queries("") == first  # 20 rows cost what 50 did


def test_supervisors_see_export_and_save_as_segment(acme: Team) -> None:
    operator_page = client_for(acme.operator).get(url(acme)).content.decode()
    supervisor_page = client_for(acme.supervisor).get(url(acme, "q=ana")).content.decode()
    for marker in ('data-testid="export-form"', 'data-testid="save-segment"', 'value="delete"'):
        assert marker not in operator_page
        assert marker in supervisor_page
    assert reverse("contact_export_create", args=[acme.account.slug]) in supervisor_page
    assert 'name="q" value="ana"' in supervisor_page
    assert reverse("contact_create", args=[acme.account.slug]) in operator_page


def test_a_deleted_field_in_the_query_does_not_crash(acme: Team) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="edad", label="Edad"
    )
    make_contacts(acme, 2)
    query = ContactFilter(conditions=(Condition("field:edad", "set"),)).to_query()
    field.delete()
    response = client_for(acme.operator).get(url(acme, query))
    assert response.status_code == 200
    assert (
        "No contact matches this filter." in response.content.decode()
        or "Ningún" in response.content.decode()
    )


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    make_contacts(acme, 1, prefix="Ana")
    make_contacts(globex, 1, prefix="Zoe")
    theirs = Tag.objects.for_account(globex.account).create(account=globex.account, name="Suya")
    page = client_for(acme.operator).get(url(acme, f"tag_none={theirs.id}")).content.decode()
    assert "Ana 0" in page
    assert "Zoe" not in page
    assert "Suya" not in page
    response: Any = client_for(globex.operator).get(url(acme))
    assert response.status_code == 404
