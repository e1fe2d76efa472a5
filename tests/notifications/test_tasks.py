"""The beat's task on a real Celery worker (Redis broker), as in production: the sweep starts the
due run and queues its sending, which reaches the fake Twilio once per contact."""

from __future__ import annotations

import time

from django.utils import timezone

from notifications import tasks
from notifications.models import NotificationRun
from tests.conftest import Team
from tests.notifications.conftest import FakeTwilio, daily, due_now, make_tag, tagged, use_twilio


def test_the_sweep_task_sends_through_the_worker(worker: None, acme: Team, fake_twilio: FakeTwilio) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    tagged(acme, tag, name="Ana", phone="+5491155550001")
    due_now(daily(acme, tag), timezone.now())
    assert tasks.run_due.delay() is not None
    tasks.run_due.delay()  # the beat firing again before the first is done
    deadline = time.monotonic() + 20
    run = None
    while time.monotonic() < deadline:
        run = NotificationRun.objects.for_account(acme.account).filter(finished_at__isnull=False).first()
        if run is not None:
            break
        time.sleep(0.1)
    assert run is not None, "the run did not finish"
    assert run.sent == 1
    time.sleep(0.5)  # any duplicate task would have sent by now
    assert [request["form"]["To"] for request in fake_twilio.requests] == ["+5491155550001"]
