"""The fake Meta's background work: posting webhooks (with retries) and reviewing templates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from inbox.simulator import services, webhooks
from inbox.simulator.models import SimWebhook

MAX_ATTEMPTS = 6  # Meta keeps trying for days; a development tool gives up after about a minute
# A webhook still owed this long after it was queued lost its task (a worker died holding it).
LOST_AFTER = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(hours=1)


@shared_task(bind=True, max_retries=MAX_ATTEMPTS - 1)
def deliver_webhook(self: Any, webhook_id: int) -> None:
    webhook = SimWebhook.objects.select_related("number").filter(id=webhook_id, delivered_at=None).first()
    if webhook is None:  # delivered by a twin run, or its number was removed
        return
    try:
        webhooks.post(webhook)
    except webhooks.DeliveryError as error:
        raise self.retry(exc=error, countdown=2**self.request.retries) from error


@shared_task
def review_template(template_id: int) -> None:
    services.review_template(template_id)


@shared_task
def redeliver_lost_webhooks(limit: int = 200) -> int:
    """Meta never forgets a webhook it owes: post again those whose task was lost (beat, while
    the simulator is on). Returns how many were posted."""
    now = timezone.now()
    lost = SimWebhook.objects.filter(
        delivered_at=None,
        attempts__lt=MAX_ATTEMPTS,
        created_at__lt=now - LOST_AFTER,
        created_at__gt=now - GIVE_UP_AFTER,
    ).select_related("number")
    posted = 0
    for webhook in lost.order_by("id")[:limit]:
        try:
            webhooks.post(webhook)
            posted += 1
        except webhooks.DeliveryError:
            continue  # post() counted the attempt; the next sweep tries again
    return posted
