from __future__ import annotations

from celery import shared_task

from spoter.accounts import services


@shared_task
def purge_stale_invitations() -> int:
    """Daily (beat): forget invitations that expired long ago; returns how many went."""
    return services.purge_stale_invitations()
