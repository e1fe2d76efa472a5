"""What a smaller plan leaves no room for, the admin's choice, and switching it off (BIL-4):
exactly what was chosen, checked, all or nothing, never deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from billing.catalogue import FREE
from billing.downgrade import excess, on_read_only, switch_off
from billing.limits import LimitReached, check_campaigns
from billing.models import Feature
from billing.subscriptions import plan_by_code, subscription_for
from campaigns.models import Campaign
from inbox.api.keys import create_api_key
from inbox.models import Line
from notifications.models import Notification
from spoter.accounts.models import Membership
from tests.campaigns.factories import text_campaign
from tests.conftest import Team
from tests.inbox.sending.conftest import make_line

pytestmark = pytest.mark.usefixtures("english")


def two_lines(team: Team) -> tuple[Line, Line]:
    return make_line(team), make_line(team, name="Soporte", phone_number_id="pn-2")


def downgrade_to_free(team: Team) -> None:
    subscription = subscription_for(team.account)
    subscription.plan, subscription.extra_lines, subscription.extra_operators = plan_by_code(FREE), 0, 0
    subscription.save()


def test_excess_lists_what_free_has_no_room_for(acme: Team, globex: Team) -> None:
    first, _second = two_lines(acme)
    text_campaign(acme, first, state="scheduled")
    text_campaign(acme, first, name="Borrador")  # a draft uses nothing yet
    create_api_key(acme.account, "CRM")
    over = excess(acme.account, plan_by_code(FREE), 0, 0)
    assert (over.members_over, over.lines_over) == (1, 1)
    assert {candidate.id for candidate in over.members} == {
        acme.admin.id,
        acme.supervisor.id,
        acme.operator.id,
    }
    assert {candidate.name for candidate in over.lines} == {"Ventas", "Soporte"}
    lost = {item.feature: item.in_use for item in over.features}
    assert set(lost) == {Feature.CAMPAIGNS, Feature.EMPATY, Feature.API, Feature.SALES}
    assert lost[Feature.CAMPAIGNS] == ["Campaign Aviso (Scheduled)"]
    assert lost[Feature.API] == ["API key CRM"]
    assert over.needs_choice
    assert not excess(acme.account, plan_by_code(FREE), 1, 1).needs_choice  # add-ons make room
    same = excess(acme.account, plan_by_code("personalizado"), 0, 0)
    assert (same.needs_choice, same.features) == (False, [])


def test_switch_off_refuses_bad_choices_and_changes_nothing(acme: Team, globex: Team) -> None:
    first, second = two_lines(acme)
    downgrade_to_free(acme)
    foreign = globex.operator.id
    cases: list[dict[str, object]] = [
        {"members": [foreign], "lines": [second.id]},  # not acme's
        {"members": [], "lines": [second.id]},  # not enough users
        {"members": [acme.operator.id], "lines": []},  # not enough lines
        {"members": [acme.admin.id], "lines": [second.id, first.id]},  # the only admin
        {"members": ["x"], "lines": [second.id]},
        {"members": "1", "lines": [second.id]},
    ]
    for choices in cases:
        with pytest.raises(ValidationError):
            switch_off(acme.account, choices)
    assert Membership.objects.for_account(acme.account).filter(is_active=True).count() == 3
    assert Line.objects.for_account(acme.account).filter(is_active=True).count() == 2


def test_switch_off_deactivates_the_chosen_and_pauses_lost_features(acme: Team) -> None:
    first, second = two_lines(acme)
    running = text_campaign(acme, first, state="running")
    notification = Notification.objects.for_account(acme.account).create(
        account=acme.account, name="Recordatorio", body="Hola"
    )
    downgrade_to_free(acme)
    switch_off(acme.account, {"members": [str(acme.operator.id)], "lines": [second.id]})
    active = Membership.objects.for_account(acme.account).filter(is_active=True)
    assert set(active.values_list("id", flat=True)) == {acme.admin.id, acme.supervisor.id}
    assert Membership.objects.for_account(acme.account).count() == 3  # nothing deleted
    assert list(Line.objects.for_account(acme.account).filter(is_active=True)) == [first]
    running.refresh_from_db()
    assert (running.state, running.pause_reason) == ("paused", "plan")
    notification.refresh_from_db()
    assert notification.active  # kept as the account set it: its runs skip while the plan lacks campaigns
    with pytest.raises(LimitReached):
        check_campaigns(acme.account)


def test_turning_read_only_pauses_running_and_scheduled_campaigns(acme: Team) -> None:
    line = make_line(acme)
    running = text_campaign(acme, line, state="running")
    scheduled = text_campaign(acme, line, name="Luego", state="scheduled")
    done = text_campaign(acme, line, name="Hecha", state="completed")
    assert on_read_only(acme.account) == 2
    states = dict(Campaign.objects.for_account(acme.account).values_list("id", "pause_reason"))
    assert states == {running.id: "read_only", scheduled.id: "read_only", done.id: ""}
