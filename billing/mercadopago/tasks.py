"""Mercado Pago's background work (billing/mercadopago/sync.py)."""

from __future__ import annotations

from celery import shared_task

from billing.mercadopago import sync


@shared_task
def process_notification(notification_id: int) -> None:
    sync.process(notification_id)


@shared_task
def reconcile() -> int:
    return sync.reconcile()
