"""Runner slots: a busy slot refuses a second runner, a dead runner's slot frees itself."""

from __future__ import annotations

import time
from itertools import pairwise

from django.core.cache import cache

from campaigns import runner, services
from campaigns.models import LineThrottle
from campaigns.tasks import SLOT_TTL, run_campaign
from tests.campaigns.factories import make_contacts, make_line, template_campaign
from tests.conftest import Team


def test_a_slot_held_by_a_live_runner_refuses_another_until_its_heartbeat_stops(acme: Team) -> None:
    line = make_line(acme)
    LineThrottle.objects.create(account=acme.account, line=line, per_second=1000)
    make_contacts(acme, 2)
    campaign = services.start(template_campaign(acme, line), by=None)
    key = f"campaigns:runner:{campaign.id}:0"
    assert cache.add(key, 1, timeout=SLOT_TTL)  # a runner elsewhere holds slot 0

    assert run_campaign(acme.account.id, campaign.id, 0) == "busy"
    time.sleep(SLOT_TTL + 0.2)  # it died: no heartbeat renewed the slot
    assert run_campaign(acme.account.id, campaign.id, 0) == "completed"


def test_a_running_slice_beats_about_every_second(acme: Team) -> None:
    line = make_line(acme)
    LineThrottle.objects.create(account=acme.account, line=line, per_second=4)
    make_contacts(acme, 8)
    campaign = services.start(template_campaign(acme, line), by=None)
    beats: list[float] = []
    runner.run_slice(campaign, 2.5, heartbeat=lambda: beats.append(time.monotonic()))
    assert len(beats) >= 2
    assert max(b - a for a, b in pairwise(beats)) < 1.6
