"""Who a campaign reaches (CAM-1, CAM-2): segments, tags and every reason to leave one out."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audience.models import Contact, Segment, Tag
from campaigns.audience import select, tier_limit
from campaigns.models import TagMode
from inbox.models import Line
from tests.campaigns.factories import make_contacts, make_line, open_window, template_campaign, text_campaign
from tests.conftest import Team


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


def test_segments_and_tags_choose_the_audience(acme: Team, line: Line) -> None:
    vip = Tag.objects.create(account=acme.account, name="VIP")
    moroso = Tag.objects.create(account=acme.account, name="Moroso")
    make_contacts(acme, 3, tag=vip)
    both = make_contacts(acme, 2, start=10, tag=vip)
    moroso.contacts.add(*both)
    make_contacts(acme, 4, start=20)
    segment = Segment.objects.create(account=acme.account, name="VIP", filters={"tags_any": [vip.id]})

    campaign = template_campaign(acme, line)
    assert select(campaign).recipients.count() == 9  # no segment, no tag: everyone
    campaign.segments.add(segment)
    assert select(campaign).recipients.count() == 5
    campaign.tags.add(moroso)
    campaign.tag_mode = TagMode.NONE
    assert select(campaign).recipients.count() == 3
    campaign.tag_mode = TagMode.ALL
    assert set(select(campaign).recipients) == set(both)


def test_excluded_contacts_are_counted_by_reason(acme: Team, line: Line) -> None:
    make_contacts(acme, 5)
    make_contacts(acme, 2, start=10, blocked_at=timezone.now())
    make_contacts(acme, 3, start=20, opted_out_at=timezone.now())
    Contact.objects.create(account=acme.account, wa_user_id="US.1", name="Sin número")
    first = Contact.objects.create(account=acme.account, wa_user_id="US.2", wa_id="5491155550000")
    Contact.objects.create(account=acme.account, phone="+5491155550000", wa_id="5491155550000")

    selection = select(template_campaign(acme, line))

    assert selection.excluded == {"blocked": 2, "opted_out": 3, "invalid_number": 1, "duplicate": 1}
    assert selection.recipients.count() == 6
    assert first in selection.recipients


def test_free_text_goes_only_to_contacts_inside_the_window(acme: Team, line: Line) -> None:
    contacts = make_contacts(acme, 4)
    open_window(line, contacts[0])
    other_line = make_line(acme, name="Otra", phone_number_id="pn-2", display_number="+5491100000002")
    open_window(other_line, contacts[1])  # another line's window does not count

    selection = select(text_campaign(acme, line))

    assert list(selection.recipients) == [contacts[0]]
    assert selection.excluded == {"outside_window": 3}


def test_a_template_campaign_stops_at_what_is_left_of_the_tier(acme: Team, line: Line) -> None:
    line.messaging_tier = "TIER_250"
    line.save()
    contacts = make_contacts(acme, 260)
    open_window(line, contacts[-1])  # inside the window: costs no tier room

    selection = select(template_campaign(acme, line))

    assert selection.excluded == {"over_tier": 9}
    assert selection.recipients.count() == 251
    assert contacts[-1] in selection.recipients


@pytest.mark.parametrize(
    ("tier", "limit"),
    [("TIER_250", 250), ("TIER_2K", 2000), ("TIER_100K", 100_000), ("TIER_UNLIMITED", None), ("", None)],
)
def test_tiers_read_as_meta_writes_them(acme: Team, tier: str, limit: int | None) -> None:
    assert tier_limit(Line(account=acme.account, messaging_tier=tier)) == limit
