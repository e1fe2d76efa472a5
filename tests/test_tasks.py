"""Tasks run on a real Celery worker consuming the Redis broker, as in production."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from spoter.accounts.models import Invitation
from spoter.accounts.tasks import purge_stale_invitations
from tests.conftest import Team


def test_stale_invitations_are_purged_in_every_account(worker: None, acme: Team, globex: Team) -> None:
    now = timezone.now()
    for team in (acme, globex):
        for days_ago, name in ((40, "stale"), (5, "recent"), (-3, "pending")):
            team.account.invitations.create(
                email=f"{name}@{team.account.slug}.test",
                token_hash=f"{team.account.slug}-{name}".ljust(64, "0"),
                expires_at=now - timedelta(days=days_ago),
            )
    purge_stale_invitations.delay()
    deadline = time.monotonic() + 20
    while Invitation.objects.unscoped().count() > 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    for team in (acme, globex):
        left = set(team.account.invitations.values_list("email", flat=True))
        assert left == {f"recent@{team.account.slug}.test", f"pending@{team.account.slug}.test"}
