"""Communities (EMP-4): two clearly different groups of contacts come out apart, deterministically;
the page, the run's lifecycle, and a community used as a campaign segment."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.urls import reverse

from audience.filters import ContactFilter
from audience.models import Segment
from empaty import communities, interests
from empaty.models import Community, CommunityMember, CommunityRun, MessageAnalysis
from empaty.tasks import compute_communities
from tests.conftest import Team, client_for
from tests.empaty.test_interests import T0, category, say

SPORTS = [
    "vamos boca todavia",
    "el partido del domingo",
    "entradas para la cancha",
    "camiseta de river",
    "que golazo de messi",
    "el clasico de futbol",
    "la seleccion juega el martes",
    "hincha del rojo",
]
PETS = [
    "alimento para mi perro",
    "collar para el gato",
    "turno en la veterinaria",
    "piedras sanitarias",
    "correa para cachorro",
    "vacuna del perro",
    "rascador para gatos",
    "juguete para mascota",
]


def populate(team: Team, people: int = 12) -> tuple[set[int], set[int]]:
    """``people`` sports fans and ``people`` pet owners, four messages each; fans write with joy."""
    interests.forget(team.account)
    category(team, "Mascotas", "perro, gato, veterinaria, mascota")
    rng = random.Random(7)  # noqa: S311 -- test data, not secrets
    groups: tuple[set[int], set[int]] = (set(), set())
    for who in range(2 * people):
        fan = who % 2 == 0
        for n, text in enumerate(rng.sample(SPORTS if fan else PETS, 4)):
            message = say(team, text, who=who, at=T0 + timedelta(minutes=who * 10 + n))
            interests.observe(team.account, [message])
            groups[0 if fan else 1].add(message.conversation.contact_id)
            MessageAnalysis.objects.create(
                account=team.account,
                message=message,
                conversation=message.conversation,
                contact_id=message.conversation.contact_id,
                line=message.line,
                at=T0,
                polarity="positive" if fan else "neutral",
                score=0.0,
                emotion="joy" if fan else "others",
                model_version="test",
            )
    return groups


def members(community: Community) -> set[int]:
    found = CommunityMember.objects.for_account(community.account).filter(community=community)
    return set(found.values_list("contact_id", flat=True))


def test_two_different_groups_come_out_apart(acme: Team) -> None:
    fans, owners = populate(acme)
    considered, groups = communities.compute(acme.account)
    assert considered == 24
    found = [set(group.members) for group in groups]
    assert fans in found
    assert owners in found
    pets = next(group for group in groups if set(group.members) == owners)
    assert any(term in {"perro", "gato", "gatos", "para"} for term in pets.terms[:3])
    assert pets.summary["interests"][0][0] == "Mascotas"
    fan_group = next(group for group in groups if set(group.members) == fans)
    assert fan_group.summary["emotions"] == {"joy": 48}
    assert communities.compute(acme.account) == (considered, groups)  # deterministic


def test_a_run_is_stored_and_replaces_the_previous_one(acme: Team, globex: Team) -> None:
    populate(acme)
    populate(globex, people=3)
    first, started = communities.start_run(acme.account, acme.supervisor)
    assert started
    assert communities.start_run(acme.account, acme.supervisor) == (first, False)  # one at a time
    assert compute_communities(acme.account.id, first.id) == "done"
    assert compute_communities(acme.account.id, first.id) == "taken"  # delivered twice: once
    first.refresh_from_db()
    assert first.state == "done"
    assert first.contacts == 24
    assert Community.objects.for_account(acme.account).filter(run=first).count() == 2
    assert not CommunityMember.objects.for_account(globex.account).exists()  # acme's run, acme's rows
    second, _ = communities.start_run(acme.account, None)
    compute_communities(acme.account.id, second.id)
    assert not CommunityRun.objects.for_account(acme.account).filter(id=first.id).exists()
    assert communities.latest_run(acme.account) == CommunityRun.objects.for_account(acme.account).get(
        id=second.id
    )


@pytest.mark.django_db
def test_a_stale_run_does_not_block_a_new_one(acme: Team) -> None:
    old = CommunityRun.objects.create(account=acme.account, state="running", created_at=T0)
    new, started = communities.start_run(acme.account, None)
    assert started
    assert new.id != old.id
    old.refresh_from_db()
    assert old.state == "failed"


def test_the_page_the_members_and_use_as_segment(acme: Team, english: None) -> None:
    fans, _owners = populate(acme)
    run, _ = communities.start_run(acme.account, None)
    communities.run(acme.account, run.id)
    client = client_for(acme.supervisor)
    page = client.get(reverse("empaty_communities", args=[acme.account.slug])).content.decode()
    assert page.count('data-testid="community-size"') == 2
    assert "12 contacts" in page
    fan_community = next(c for c in Community.objects.for_account(acme.account) if members(c) == fans)
    detail = client.get(reverse("empaty_communities_detail", args=[acme.account.slug, fan_community.id]))
    assert detail.content.decode().count("/contacts/") >= 12
    url = reverse("empaty_communities_segment", args=[acme.account.slug, fan_community.id])
    response = client.post(url)
    segment = Segment.objects.for_account(acme.account).get()
    assert response["Location"].endswith(f"?segment={segment.id}")
    assert segment.name == fan_community.name
    assert (
        set(ContactFilter.from_json(segment.filters).apply(acme.account).values_list("id", flat=True)) == fans
    )
    client.post(url)  # reused, not a second one
    assert Segment.objects.for_account(acme.account).count() == 1
    # The contacts page filters by community, and the segment outlives a recalculation.
    listed = client.get(reverse("contacts", args=[acme.account.slug]) + f"?community={fan_community.id}")
    assert listed.status_code == 200
    again, _ = communities.start_run(acme.account, None)
    communities.run(acme.account, again.id)
    assert ContactFilter.from_json(segment.filters).apply(acme.account).count() == 12


def test_the_page_polls_while_a_run_is_under_way(acme: Team) -> None:
    communities.start_run(acme.account, None)
    client = client_for(acme.admin)
    page = client.get(reverse("empaty_communities", args=[acme.account.slug])).content.decode()
    assert 'data-testid="communities-running"' in page
    assert 'hx-trigger="every 3s"' in page
    status = reverse("empaty_communities_status", args=[acme.account.slug])
    assert client.get(status + "?polling=1").status_code == 200
    CommunityRun.objects.for_account(acme.account).update(state="done", finished_at=T0)
    assert client.get(status + "?polling=1")["HX-Refresh"] == "true"


def test_the_community_filter_never_reaches_another_account(acme: Team, globex: Team) -> None:
    populate(globex, people=3)
    run, _ = communities.start_run(globex.account, None)
    communities.run(globex.account, run.id)
    theirs = Community.objects.for_account(globex.account).first()
    assert theirs is not None
    leaked = ContactFilter.from_query({"community": [str(theirs.id)]})
    assert leaked.communities == (theirs.id,)
    assert not leaked.apply(acme.account).exists()
    assert ContactFilter.from_json(leaked.to_json()) == leaked
    assert "community=" in leaked.to_query()


def test_operators_cannot_see_communities(acme: Team) -> None:
    url = reverse("empaty_communities", args=[acme.account.slug])
    assert client_for(acme.operator).get(url).status_code == 403


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = CommunityRun.objects.create(account=globex.account, state="done").communities.create(
        account=globex.account, name="Theirs", size=0
    )
    client = client_for(acme.admin)
    assert (
        client.get(reverse("empaty_communities_detail", args=[acme.account.slug, theirs.id])).status_code
        == 404
    )
    assert (
        client.post(reverse("empaty_communities_segment", args=[acme.account.slug, theirs.id])).status_code
        == 404
    )
    assert not Segment.objects.for_account(acme.account).exists()
