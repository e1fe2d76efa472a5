"""Bulk actions on the contacts page: on picked rows or on every contact a filter matches; bad
input (no action, unknown tag, another account's ids) changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audience.filters import ContactFilter
from audience.models import AudienceAudit, Contact, Tag
from tests.conftest import Team, client_for


def make_contacts(team: Team, count: int, prefix: str = "Cliente", area: int = 11) -> list[Contact]:
    account = team.account
    return Contact.objects.for_account(account).bulk_create(
        Contact(account=account, name=f"{prefix} {n}", phone=f"+549{area}{n:08d}") for n in range(count)
    )


def tagged(team: Team, tag: Tag) -> Any:
    return Contact.objects.for_account(team.account).filter(tags=tag)


def post(client: Client, team: Team, **data: Any) -> Any:
    return client.post(reverse("contact_bulk", args=[team.account.slug]), data)


def state(team: Team) -> list[object]:
    account = team.account
    return [
        *Contact.objects.for_account(account).order_by("id").values_list(),
        *Contact.tags.through.objects.filter(contact__account=account).order_by("id").values_list(),
        *Tag.objects.for_account(account).order_by("id").values_list(),
    ]


def test_tag_the_picked_rows_with_a_new_tag(acme: Team) -> None:
    ana, beto, _caro = make_contacts(acme, 3)
    client = client_for(acme.operator)
    response = post(client, acme, action="add_tag", tag_name="Feria 2025", contact=[ana.id, beto.id])
    assert response.status_code == 302
    tag = Tag.objects.for_account(acme.account).get(name="Feria 2025")
    assert set(tagged(acme, tag).values_list("id", flat=True)) == {ana.id, beto.id}
    page = client.get(response["Location"]).content.decode()
    assert "2 contactos etiquetados" in page or "2 contacts tagged" in page


def test_every_matching_contact_in_one_statement_per_batch(
    acme: Team, django_assert_max_num_queries: Any
) -> None:
    make_contacts(acme, 120)
    make_contacts(acme, 5, prefix="Otro", area=22)
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    query = ContactFilter(q="cliente").to_query()
    client = client_for(acme.operator)
    with django_assert_max_num_queries(25):  # the same for 120 contacts as for 2
        post(client, acme, action="add_tag", tag=vip.id, scope="all", query=query)
    assert tagged(acme, vip).count() == 120
    with django_assert_max_num_queries(25):
        post(client, acme, action="opt_out", scope="all", query=query)
    opted = Contact.objects.for_account(acme.account).exclude(opted_out_at=None)
    assert opted.count() == 120
    assert set(opted.values_list("opted_out_by", flat=True)) == {acme.operator.user.id}
    post(
        client,
        acme,
        action="remove_tag",
        tag=vip.id,
        scope="all",
        query=ContactFilter(q="cliente 1").to_query(),
    )
    assert tagged(acme, vip).count() == 120 - 31  # "Cliente 1", "Cliente 10".."19", "Cliente 100".."119"


def test_opting_out_again_keeps_the_first_who_and_when(acme: Team) -> None:
    (ana,) = make_contacts(acme, 1)
    first = timezone.now() - timedelta(days=3)
    Contact.objects.for_account(acme.account).filter(id=ana.id).update(
        opted_out_at=first, opted_out_by=acme.admin.user
    )
    post(client_for(acme.operator), acme, action="opt_out", contact=[ana.id])
    ana.refresh_from_db()
    assert (ana.opted_out_at, ana.opted_out_by) == (first, acme.admin.user)


def test_supervisors_erase_in_bulk_operators_may_not(acme: Team) -> None:
    ana, beto, caro = make_contacts(acme, 3)
    assert post(client_for(acme.operator), acme, action="delete", contact=[ana.id]).status_code == 403
    response = post(client_for(acme.supervisor), acme, action="delete", contact=[ana.id, beto.id])
    assert response.status_code == 302
    assert list(Contact.objects.for_account(acme.account).values_list("id", flat=True)) == [caro.id]
    assert AudienceAudit.objects.for_account(acme.account).filter(action="erased").count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},  # no action
        {"action": "explode", "scope": "all"},
        {"action": "opt_out"},  # nothing selected
        {"action": "opt_out", "contact": ["abc"]},
        {"action": "add_tag", "scope": "all"},  # no tag
        {"action": "add_tag", "tag": "999999", "scope": "all"},  # unknown tag
        {"action": "add_tag", "tag_name": "x" * 61, "scope": "all"},  # name too long
        {"action": "remove_tag", "tag_name": "Nueva", "scope": "all"},  # removing needs an existing tag
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(acme: Team, data: dict[str, Any]) -> None:
    make_contacts(acme, 2)
    before = state(acme)
    response = post(client_for(acme.supervisor), acme, **data)
    assert response.status_code == 400
    assert "bulk-error" in response.content.decode()
    assert state(acme) == before


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    (ana,) = make_contacts(acme, 1)
    (zoe,) = make_contacts(globex, 1)
    theirs = Tag.objects.for_account(globex.account).create(account=globex.account, name="Suya")
    before = state(acme), state(globex)
    client = client_for(acme.supervisor)
    # Another account's contact, alone or among ours: refused whole, nothing changes.
    for ids in ([zoe.id], [ana.id, zoe.id]):
        for action in ("opt_out", "delete"):
            assert post(client, acme, action=action, contact=ids).status_code == 400
    # Another account's tag is unknown here.
    assert post(client, acme, action="add_tag", tag=theirs.id, contact=[ana.id]).status_code == 400
    # Acme's URL for a globex member is a 404.
    assert post(client_for(globex.supervisor), acme, action="opt_out", contact=[ana.id]).status_code == 404
    assert (state(acme), state(globex)) == before
