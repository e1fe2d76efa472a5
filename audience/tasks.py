"""Celery tasks of the audience: thin adapters over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from audience import exports
from audience.imports import runner as import_runner
from spoter.accounts.models import Account

# --- Imports (AUD-2) -------------------------------------------------------------------------


@shared_task
def run_contact_import(account_id: int, import_id: int) -> str:
    """Run a queued import (enqueued on commit by audience.imports.services); a second task for
    the same import finds it claimed and does nothing."""
    account = Account.objects.get(id=account_id)
    if not import_runner.claim(account, import_id):
        return "not queued"
    return import_runner.run(account, import_id)


@shared_task
def resume_stale_imports() -> int:
    """Every minute (beat): imports whose task or worker was lost go on where they stopped."""
    from audience.imports import services  # here: the services enqueue this module's tasks

    return services.resume_stale_imports()


# --- Exports (AUD-4) -------------------------------------------------------------------------


@shared_task
def export_contacts(account_id: int, export_id: int) -> str:
    """Write an export's file (enqueued on commit by audience.exports.request_export)."""
    account = Account.objects.filter(id=account_id).first()
    return exports.run_export(account, export_id) if account else "missing"


@shared_task
def requeue_lost_exports() -> int:
    """Every minute (beat): exports whose task or worker was lost are written again."""
    return exports.requeue_lost_exports()
