"""The dollar rate's periodic fetch (beat, a few times a day), so charges find it ready."""

from __future__ import annotations

from celery import shared_task

from billing import rates


@shared_task
def fetch_rate() -> int | None:
    """Record today's snapshot (a new row only when the rate changed); its id, or None when both
    sources failed (staff alerted at most once a day)."""
    snapshot = rates.refresh()
    return snapshot.id if snapshot else None
