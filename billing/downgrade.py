"""What a smaller plan leaves no room for, and switching it off when that plan starts (BIL-4).

Nothing in use is switched off by a downgrade on its own: ``excess`` tells the admin what would be
over the new plan, the admin chooses (``validate_choices``), and ``switch_off`` deactivates exactly
those members and lines when the smaller plan starts and pauses what needs a feature the plan
lacks. Nothing is ever deleted. ``on_read_only`` pauses the campaigns of an account turning
read-only, so nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from billing.models import Feature, Plan
from billing.subscriptions import subscription_for
from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignState
from inbox.lines import set_line_active
from inbox.models import ApiKey, Line
from notifications.models import Notification
from spoter.accounts.models import Account, Membership, Role
from spoter.accounts.services import set_active

SENDING = (CampaignState.SCHEDULED, CampaignState.RUNNING)
# campaigns.services.pause reasons (campaigns/progress_views.py says them in words).
PAUSED_FOR_PLAN = "plan"
PAUSED_FOR_READ_ONLY = "read_only"


@dataclass(frozen=True)
class Candidate:
    """A member or line the admin may choose to switch off."""

    id: int
    name: str
    detail: str  # the member's role, the line's number


@dataclass(frozen=True)
class LostFeature:
    feature: Feature
    label: str
    in_use: list[str]  # what uses it now, in words (paused or refused once the plan starts)


@dataclass(frozen=True)
class Excess:
    """What would be over a plan: how many members and lines to switch off, the candidates, and
    the features in use that the plan does not include."""

    members_over: int
    lines_over: int
    members: list[Candidate] = field(default_factory=list)
    lines: list[Candidate] = field(default_factory=list)
    features: list[LostFeature] = field(default_factory=list)

    @property
    def needs_choice(self) -> bool:
        return bool(self.members_over or self.lines_over)


def _active_members(account: Account) -> list[Membership]:
    found = account.memberships.filter(is_active=True).select_related("user")
    return list(found.order_by("user__first_name", "user__last_name", "user__email"))


def _active_lines(account: Account) -> list[Line]:
    return list(Line.objects.for_account(account).filter(is_active=True).order_by("name", "id"))


def excess(account: Account, plan: Plan, extra_lines: int, extra_operators: int) -> Excess:
    """What ``plan`` with these add-ons leaves no room for, compared with what is in use now."""
    members, lines = _active_members(account), _active_lines(account)
    current = subscription_for(account).plan
    return Excess(
        members_over=max(0, len(members) - (plan.included_operators + extra_operators)),
        lines_over=max(0, len(lines) - (plan.included_lines + extra_lines)),
        members=[
            Candidate(member.id, member.user.get_full_name() or member.user.email, member.get_role_display())
            for member in members
        ],
        lines=[Candidate(line.id, line.name, line.display_number) for line in lines],
        features=[
            LostFeature(feature, str(feature.label), _in_use(account, feature))
            for feature in Feature
            if current.has(feature) and not plan.has(feature)
        ],
    )


def _in_use(account: Account, feature: Feature) -> list[str]:
    if feature == Feature.CAMPAIGNS:
        campaigns = Campaign.objects.for_account(account).filter(state__in=SENDING)
        notifications = Notification.objects.for_account(account).filter(
            active=True, next_run_at__isnull=False
        )
        return [
            _("Campaign %(name)s (%(state)s)") % {"name": c.name, "state": c.get_state_display()}
            for c in campaigns
        ] + [_("Notification %(name)s") % {"name": n.name} for n in notifications]
    if feature == Feature.API:
        keys = ApiKey.objects.for_account(account).filter(revoked_at__isnull=True)
        return [_("API key %(name)s") % {"name": key.name} for key in keys]
    return []


def _ids(choices: Mapping[str, object], key: str) -> set[int]:
    values = choices.get(key) or []
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise ValidationError(_("Choose from the list."), code="invalid")
    try:
        return {int(value) for value in values}
    except (TypeError, ValueError):
        raise ValidationError(_("Choose from the list."), code="invalid") from None


def _room(plan: Plan, what: str, limit: int, count: int) -> str:
    if what == "users":
        room = ngettext("room for %(limit)d user", "room for %(limit)d users", limit)
        choose = ngettext(
            "choose %(count)d user to switch off", "choose %(count)d users to switch off", count
        )
    else:
        room = ngettext("room for %(limit)d line", "room for %(limit)d lines", limit)
        choose = ngettext(
            "choose %(count)d line to switch off", "choose %(count)d lines to switch off", count
        )
    values = {"limit": limit, "count": count}
    return _("The plan %(plan)s has %(room)s: %(choose)s.") % {
        "plan": plan.name,
        "room": room % values,
        "choose": choose % values,
    }


def validate_choices(
    account: Account, choices: Mapping[str, object], plan: Plan, extra_lines: int, extra_operators: int
) -> tuple[list[Membership], list[Line]]:
    """The members and lines chosen to switch off, checked: the account's own active ones, at
    least one active admin left, and enough of them for the plan's limits."""
    if not isinstance(choices, Mapping):
        raise ValidationError(_("Choose from the list."), code="invalid")
    member_ids, line_ids = _ids(choices, "members"), _ids(choices, "lines")
    members = [member for member in _active_members(account) if member.id in member_ids]
    lines = [line for line in _active_lines(account) if line.id in line_ids]
    if len(members) != len(member_ids) or len(lines) != len(line_ids):
        raise ValidationError(_("Choose active users and lines of this account."), code="foreign")
    over = excess(account, plan, extra_lines, extra_operators)
    errors = []
    if len(members) < over.members_over:
        errors.append(_room(plan, "users", plan.included_operators + extra_operators, over.members_over))
    if len(lines) < over.lines_over:
        errors.append(_room(plan, "lines", plan.included_lines + extra_lines, over.lines_over))
    admins = {member.id for member in _active_members(account) if member.role == Role.ADMIN}
    if admins and admins <= member_ids:
        errors.append(_("Keep at least one active admin."))
    if errors:
        raise ValidationError(errors, code="not_enough")
    return members, lines


def switch_off(account: Account, choices: Mapping[str, object]) -> None:
    """The smaller plan (already on the subscription) starts: deactivate the chosen members and
    lines, and pause what needs a feature it does not include. All or nothing."""
    subscription = subscription_for(account)
    with transaction.atomic():
        members, lines = validate_choices(
            account, choices, subscription.plan, subscription.extra_lines, subscription.extra_operators
        )
        for member in members:
            set_active(None, member, False)
        for line in lines:
            set_line_active(line, False)
        pause_what_the_plan_lacks(account, subscription.plan)


def pause_what_the_plan_lacks(account: Account, plan: Plan) -> int:
    """Campaigns stop when the plan no longer includes them; recurring notifications skip their
    runs on their own (notifications.runs checks the plan) and stay as they were."""
    return 0 if plan.has(Feature.CAMPAIGNS) else _pause_campaigns(account, PAUSED_FOR_PLAN)


def on_read_only(account: Account) -> int:
    """The account turned read-only: pause its running and scheduled campaigns (a supervisor
    resumes them once it is paid again); notifications skip their runs meanwhile. How many."""
    return _pause_campaigns(account, PAUSED_FOR_READ_ONLY)


def _pause_campaigns(account: Account, reason: str) -> int:
    campaigns = Campaign.objects.for_account(account).filter(state__in=SENDING)
    return sum(campaign_services.pause(campaign, reason=reason) for campaign in campaigns)
