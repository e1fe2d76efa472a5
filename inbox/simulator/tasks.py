"""The fake Meta's background work: posting webhooks (with retries) and reviewing templates."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from inbox.simulator import services, webhooks
from inbox.simulator.models import SimWebhook

MAX_ATTEMPTS = 6  # Meta keeps trying for days; a development tool gives up after about a minute


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
