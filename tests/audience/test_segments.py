"""Segments: saved filters with live counts; names unique per account whatever the case; a
segment whose tag or field was deleted still opens and counts."""

from __future__ import annotations

from django.urls import reverse

from audience.filters import Condition, ContactFilter
from audience.models import CustomField, Segment, Tag
from tests.audience.test_bulk import make_contacts
from tests.conftest import Team, client_for


def segments_url(team: Team) -> str:
    return reverse("segments", args=[team.account.slug])


def test_save_the_filter_as_a_segment_and_count_it(acme: Team) -> None:
    contacts = make_contacts(acme, 5)
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    for contact in contacts[:3]:
        contact.tags.add(vip)
    query = ContactFilter(tags_any=(vip.id,)).to_query()
    client = client_for(acme.supervisor)
    response = client.post(segments_url(acme), {"name": "Clientes VIP", "query": query})
    assert response.status_code == 302
    segment = Segment.objects.for_account(acme.account).get()
    assert (segment.name, segment.created_by) == ("Clientes VIP", acme.supervisor.user)
    assert ContactFilter.from_json(segment.filters) == ContactFilter(tags_any=(vip.id,))
    listing = client.get(segments_url(acme)).content.decode()
    assert "Clientes VIP" in listing
    count_url = reverse("segment_count", args=[acme.account.slug]) + f"?{query}"
    assert count_url.replace("&", "&amp;") in listing  # loaded by htmx, one per segment
    assert "3 contact" in client.get(count_url).content.decode()
    # Opening it shows its contacts only.
    opened = client.get(
        reverse("contacts", args=[acme.account.slug]) + f"?segment={segment.id}"
    ).content.decode()
    assert opened.count('name="contact"') == 3


def test_names_are_unique_whatever_the_case(acme: Team) -> None:
    client = client_for(acme.supervisor)
    client.post(segments_url(acme), {"name": "VIP", "query": ""})
    response = client.post(segments_url(acme), {"name": "  vip ", "query": "q=x"})
    assert response.status_code == 400
    assert 'data-testid="segment-error"' in response.content.decode()
    assert Segment.objects.for_account(acme.account).count() == 1
    assert client.post(segments_url(acme), {"name": "", "query": ""}).status_code == 400


def test_the_same_name_in_another_account_is_fine(acme: Team, globex: Team) -> None:
    Segment.objects.for_account(globex.account).create(account=globex.account, name="VIP")
    assert client_for(acme.supervisor).post(segments_url(acme), {"name": "VIP"}).status_code == 302


def test_rename_update_filters_and_delete(acme: Team) -> None:
    segment = Segment.objects.for_account(acme.account).create(account=acme.account, name="Viejo", filters={})
    other = Segment.objects.for_account(acme.account).create(account=acme.account, name="Otro", filters={})
    client = client_for(acme.supervisor)
    edit = reverse("segment_edit", args=[acme.account.slug, segment.id])
    assert client.post(edit, {"name": "Nuevo"}).status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters) == ("Nuevo", {})  # renaming keeps the filter
    assert client.post(edit, {"name": "Nuevo", "query": "q=ana&opted_out=no"}).status_code == 302
    segment.refresh_from_db()
    assert ContactFilter.from_json(segment.filters) == ContactFilter(q="ana", opted_out="no")
    assert client.post(edit, {"name": "OTRO"}).status_code == 400  # taken
    segment.refresh_from_db()
    assert segment.name == "Nuevo"
    assert client.post(reverse("segment_delete", args=[acme.account.slug, other.id])).status_code == 302
    assert list(Segment.objects.for_account(acme.account).values_list("name", flat=True)) == ["Nuevo"]


def test_a_segment_with_a_deleted_tag_or_field_still_works(acme: Team) -> None:
    make_contacts(acme, 2)
    tag = Tag.objects.for_account(acme.account).create(account=acme.account, name="Borrada")
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="edad", label="Edad"
    )
    with_tag = Segment.objects.for_account(acme.account).create(
        account=acme.account, name="Tag", filters=ContactFilter(tags_all=(tag.id,)).to_json()
    )
    with_field = Segment.objects.for_account(acme.account).create(
        account=acme.account,
        name="Field",
        filters=ContactFilter(conditions=(Condition("field:edad", "lt", "30"),)).to_json(),
    )
    broken = Segment.objects.for_account(acme.account).create(
        account=acme.account, name="Junk", filters={"tags_any": "x", "conditions": [1, {"field": "?"}]}
    )
    tag.delete()
    field.delete()
    client = client_for(acme.operator)
    for segment in (with_tag, with_field, broken):
        page = client.get(reverse("contacts", args=[acme.account.slug]) + f"?segment={segment.id}")
        assert page.status_code == 200
        expected = 2 if segment is broken else 0  # dropped junk filters nothing; deleted things match nobody
        assert page.content.decode().count('name="contact"') == expected
    assert client.get(segments_url(acme)).status_code == 200


def test_operators_read_supervisors_write(acme: Team) -> None:
    segment = Segment.objects.for_account(acme.account).create(account=acme.account, name="VIP", filters={})
    client = client_for(acme.operator)
    assert client.get(segments_url(acme)).status_code == 200
    assert client.post(segments_url(acme), {"name": "Nuevo"}).status_code == 403
    assert (
        client.post(reverse("segment_edit", args=[acme.account.slug, segment.id]), {"name": "X"}).status_code
        == 403
    )
    assert client.post(reverse("segment_delete", args=[acme.account.slug, segment.id])).status_code == 403
    assert Segment.objects.for_account(acme.account).get().name == "VIP"


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = Segment.objects.for_account(globex.account).create(
        account=globex.account, name="Suyo", filters={}
    )
    client = client_for(acme.admin)
    slug = acme.account.slug
    assert client.get(reverse("segment_edit", args=[slug, theirs.id])).status_code == 404
    assert client.post(reverse("segment_edit", args=[slug, theirs.id]), {"name": "Mío"}).status_code == 404
    assert client.post(reverse("segment_delete", args=[slug, theirs.id])).status_code == 404
    assert "Suyo" not in client.get(segments_url(acme)).content.decode()
    make_contacts(globex, 3)
    assert "0 contact" in client.get(reverse("segment_count", args=[slug])).content.decode()
    assert Segment.objects.for_account(globex.account).get().name == "Suyo"
