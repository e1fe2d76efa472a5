"""Billing's periodic work. Celery autodiscovers ``tasks`` modules only: the other billing task
modules are imported at the bottom."""

from __future__ import annotations

from celery import shared_task

from billing import cycle


@shared_task
def run_due() -> int:
    """Renewals, scheduled changes, cancellations, read-only transitions and reminder emails of
    every paid subscription (billing/cycle.py); idempotent, so an hourly beat is enough."""
    return cycle.run_due()


from billing import tasks_rates  # noqa: E402, F401  the dollar rate fetch (billing/tasks_rates.py)
from billing.mercadopago import tasks as mercadopago_tasks  # noqa: E402, F401  webhooks and reconciliation
