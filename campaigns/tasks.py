"""Campaigns' Celery tasks: runner slices, and the sweeps that start and keep campaigns going.

Each campaign has ``CAMPAIGN_RUNNERS`` runner slots; a slot is held in the cache while its slice
runs, renewed about every second, so a task delivered twice, or queued again by the sweep, ends at
once instead of adding a runner. A slice re-queues its successor; a killed worker's slot frees
itself SLOT_TTL seconds later, and the sweep (every 2 s) queues it again.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from campaigns import runner, services
from campaigns.models import Campaign, CampaignState
from spoter.accounts.models import Account

SLOT_TTL = 3  # seconds without a heartbeat before a runner slot counts as free


def runner_slots() -> int:
    return int(settings.CAMPAIGN_RUNNERS)


def slice_seconds() -> float:
    return float(settings.CAMPAIGN_SLICE_SECONDS)


@shared_task
def run_campaign(account_id: int, campaign_id: int, slot: int = 0) -> str:
    """Send one slice of a running campaign in runner slot ``slot``."""
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return "gone"
    campaign = (
        Campaign.objects.for_account(account)
        .select_related("account", "line__account", "template", "created_by__user")
        .filter(id=campaign_id)
        .first()
    )
    if campaign is None or campaign.state != CampaignState.RUNNING:
        return "not running"
    if campaign.wake_at and campaign.wake_at > timezone.now():
        return "asleep"
    key = f"campaigns:runner:{campaign.id}:{slot}"
    if not cache.add(key, 1, timeout=SLOT_TTL):
        return "busy"
    try:
        outcome = runner.run_slice(campaign, slice_seconds(), heartbeat=lambda: cache.touch(key, SLOT_TTL))
    finally:
        cache.delete(key)
    if outcome.state == "running":
        run_campaign.delay(account_id, campaign_id, slot)
    return outcome.state


@shared_task
def start_due_campaigns() -> int:
    """Scheduled campaigns whose time has come (beat); returns how many started."""
    due = (
        Campaign.objects.unscoped()  # a platform-wide sweep; each campaign is started in its account
        .filter(state=CampaignState.SCHEDULED, start_at__lte=timezone.now())
        .select_related("account", "line", "template")
    )
    started = 0
    for campaign in due:
        try:
            started += services.start_scheduled(campaign)
        except services.CampaignError:
            continue  # another sweep started it first
    return started


@shared_task
def keep_campaigns_running() -> int:
    """Running campaigns with no live runner, or whose wait is over (beat)."""
    awake = (
        Campaign.objects.unscoped()  # a platform-wide sweep; kick() queues account-scoped tasks
        .filter(state=CampaignState.RUNNING)
        .filter(Q(wake_at=None) | Q(wake_at__lte=timezone.now()))
    )
    count = 0
    for campaign in awake:
        services.kick(campaign)
        count += 1
    return count
