"""The preview's anti-spam warnings (CAM-6): each fires when it should, and only then."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from audience.models import Contact
from campaigns.audience import select
from campaigns.guard import FREE_TEXT_MANY, IDENTICAL_MAX, warnings
from campaigns.models import Campaign, ContentKind
from inbox.models import Conversation, Line
from tests.campaigns.test_views import make_campaign, make_line, make_template
from tests.conftest import Team


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """tests/conftest.py's ``english``, for every test here."""


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme.account)


def contacts(line: Line, count: int, *, seen: bool = True, window: bool = False) -> None:
    """``count`` contacts who wrote before (``seen``), inside the line's 24-hour window or not."""
    account = line.account
    now = timezone.now()
    made = Contact.objects.for_account(account).bulk_create(
        Contact(
            account=account,
            phone=f"+5491166{number:06d}",
            wa_id=f"5491166{number:06d}",
            last_seen_at=now if seen else None,
        )
        for number in range(count)
    )
    if window:
        Conversation.objects.for_account(account).bulk_create(
            Conversation(account=account, number=number + 1, line=line, contact=contact, last_inbound_at=now)
            for number, contact in enumerate(made)
        )


def codes(campaign: Campaign) -> list[str]:
    return [caution.code for caution in warnings(campaign, select(campaign))]


NAMES = itertools.count()


def template_campaign(
    team: Team, line: Line, body: str = "Hola, tenemos ofertas.", **values: Any
) -> Campaign:
    template = make_template(team.account, body=body, name=f"plantilla_{next(NAMES)}")
    return make_campaign(
        team, line, kind=ContentKind.TEMPLATE, template=template, text="", template_values=values
    )


def test_a_clean_campaign_has_no_warnings(acme: Team, line: Line) -> None:
    contacts(line, 5)
    assert codes(template_campaign(acme, line, "Hola {{1}}", body_1="{{nombre|cliente}}")) == []


def test_links_warn_when_someone_never_wrote(acme: Team, line: Line) -> None:
    contacts(line, 3)
    people = Contact.objects.for_account(acme.account)
    for body in ("Mirá https://acme.test/ofertas", "Entrá a www.acme.com", "Ofertas en acme.com.ar"):
        campaign = template_campaign(acme, line, body + " {{1}}", body_1="{{nombre}}")
        assert codes(campaign) == []  # everyone wrote before
        people.filter(id=people.order_by("id").first().id).update(last_seen_at=None)  # type: ignore[union-attr]
        found = warnings(campaign, select(campaign))
        assert [caution.code for caution in found] == ["links_to_strangers"]
        assert "1 recipient never wrote to you" in found[0].message
        people.update(last_seen_at=timezone.now())
    people.update(last_seen_at=None)
    assert codes(template_campaign(acme, line, "Sin enlaces {{1}}", body_1="{{nombre}}")) == []


def test_a_link_in_a_value_or_a_text_counts(acme: Team, line: Line) -> None:
    contacts(line, 2, seen=False, window=True)
    campaign = make_campaign(acme, line, text="Hola {{nombre}}, mirá http://acme.test")
    assert codes(campaign) == ["links_to_strangers"]
    button = template_campaign(acme, line, "Hola {{1}}", body_1="{{nombre}} bit.ly/oferta")
    assert codes(button) == ["links_to_strangers"]


def test_identical_messages_to_many(acme: Team, line: Line) -> None:
    contacts(line, IDENTICAL_MAX)
    same = template_campaign(acme, line)
    assert codes(same) == []  # exactly the limit
    Contact(account=acme.account, phone="+5491177000000", wa_id="5491177000000").save()
    assert codes(same) == ["identical"]
    fixed = make_campaign(
        acme,
        line,
        kind=ContentKind.TEMPLATE,
        template=same.template,
        text="",
        template_values={"body_1": "Hola"},
    )
    assert codes(fixed) == ["identical"]  # fixed values are still the same for everyone
    personal = template_campaign(acme, line, "Hola {{1}}", body_1="{{nombre|cliente}}")
    assert codes(personal) == []


def test_an_audience_over_the_tier_room(acme: Team, line: Line) -> None:
    line.messaging_tier = "TIER_250"
    line.save(update_fields=["messaging_tier"])
    contacts(line, 250)
    campaign = template_campaign(acme, line, "Hola {{1}}", body_1="{{nombre}}")
    assert codes(campaign) == []
    Contact(account=acme.account, phone="+5491177000000", wa_id="5491177000000").save()
    found = warnings(campaign, select(campaign))
    assert [caution.code for caution in found] == ["over_tier"]
    assert "(251)" in found[0].message
    assert "(250)" in found[0].message


@pytest.mark.parametrize(
    ("rating", "warned"), [("", False), ("GREEN", False), ("YELLOW", True), ("RED", True)]
)
def test_the_lines_quality(acme: Team, line: Line, rating: str, warned: bool) -> None:
    line.quality_rating = rating
    line.save(update_fields=["quality_rating"])
    contacts(line, 1)
    campaign = template_campaign(acme, line, "Hola {{1}}", body_1="{{nombre}}")
    assert codes(campaign) == (["quality"] if warned else [])


def test_free_text_to_many(acme: Team, line: Line) -> None:
    contacts(line, FREE_TEXT_MANY, window=True)
    campaign = make_campaign(acme, line, text="Hola {{nombre|cliente}}")
    assert codes(campaign) == []
    contact = Contact.objects.for_account(acme.account).create(
        account=acme.account, phone="+5491177000000", wa_id="5491177000000", last_seen_at=timezone.now()
    )
    Conversation.objects.for_account(acme.account).create(
        account=acme.account, number=999, line=line, contact=contact, last_inbound_at=timezone.now()
    )
    assert codes(campaign) == ["free_text_many"]
