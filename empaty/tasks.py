"""EMPATY's Celery tasks."""

from __future__ import annotations

from celery import shared_task

from empaty import communities, interests
from spoter.accounts.models import Account

# --- Interests and communities (EMP-3, EMP-4) ---------------------------------------------------


@shared_task
def rematch_interests(account_id: int, contact_id: int | None = None) -> int:
    """Recount the account's interests (or one of its contacts') after its taxonomy changed."""
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return 0
    return interests.rematch(account, contact_id)


@shared_task
def compute_communities(account_id: int, run_id: int) -> str:
    """Compute a pending CommunityRun of the account; a run already taken is left alone."""
    account = Account.objects.filter(id=account_id).first()
    if account is None:
        return "gone"
    return communities.run(account, run_id)


from empaty import analysis_tasks  # noqa: E402, F401  the analysis tasks (Celery autodiscovers tasks.py only)
