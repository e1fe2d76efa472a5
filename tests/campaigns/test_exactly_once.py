"""Exactly once under faults (CAM-2): real Celery worker processes send a campaign to the
WhatsApp simulator and are killed with SIGKILL twice along the way; after restarts every
recipient has exactly one message on the simulated phone, and nobody is skipped.

The one send nobody can settle is a worker killed after it marked the message as being posted
and before the request left: the outbox then never posts it again (a duplicate is worse) and
marks it failed as unconfirmed when no status arrives, shown in the campaign's results for a
person to check (docs/sending.md). The same happens when the request did arrive but its status
webhook went down with the killed worker. Such a recipient is counted apart: it got the message
at most once, and it is reported, not silently skipped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from pytest_django.live_server_helper import LiveServer

from audience.models import Contact
from campaigns import services
from campaigns.models import Campaign, CampaignState, LineThrottle, Recipient, RecipientState
from campaigns.tasks import keep_campaigns_running
from inbox.models import Message, MessageStatus, Template
from inbox.simulator.models import SimMessage
from inbox.simulator.services import add_template
from inbox.statuses import UNCONFIRMED
from inbox.tasks import deliver_due_outbox
from inbox.templates_service import sync_templates
from tests.campaigns.factories import TEMPLATE, make_contacts, template_campaign
from tests.conftest import Team
from tests.inbox.simulator.helpers import WABA_ID, connect_line

RECIPIENTS = 200
RATE = 40  # per second: the run takes about five seconds of sending, plus the restarts


def database_url() -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"


def start_worker() -> subprocess.Popen[bytes]:
    """A Celery worker process like production's (threads), on this test database and broker."""
    return subprocess.Popen(  # this interpreter running Celery on our own app
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spoter",
            "worker",
            "--pool",
            "threads",
            "-c",
            "4",
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": str(settings.REDIS_URL),
            "CAMPAIGN_LEASE_SECONDS": "3",
            "CAMPAIGN_SLICE_SECONDS": "2",
            "OUTBOX_LEASE_SECONDS": "4",
            "OUTBOX_OUTCOME_GRACE_SECONDS": "8",
        },
    )


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.kill()
        process.wait(timeout=30)


def received() -> int:
    return SimMessage.objects.filter(direction=SimMessage.Direction.FROM_BUSINESS).count()


def wait_until(check: Callable[[], bool], what: str, seconds: float = 90) -> None:
    """Wait, doing what the beat does meanwhile: wake campaigns and sweep the outbox."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            states = dict(Recipient.objects.unscoped().values_list("state").annotate(n=Count("id")))
            raise AssertionError(f"timed out waiting for {what}: {received()} received, recipients {states}")
        keep_campaigns_running.delay()
        deliver_due_outbox.delay()
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_killed_workers_neither_repeat_nor_skip_anyone(
    acme: Team, live_server: LiveServer, workers: list[subprocess.Popen[bytes]]
) -> None:
    line, _number = connect_line(acme, live_server.url)
    add_template(WABA_ID, "ofertas", "es_AR", "MARKETING", TEMPLATE)
    sync_templates(line)
    LineThrottle.objects.create(account=acme.account, line=line, per_second=RATE)
    make_contacts(acme, RECIPIENTS)
    template = Template.objects.for_account(acme.account).get(name="ofertas")
    campaign: Campaign = services.start(template_campaign(acme, line, template=template), by=None)

    for kill_at in (RECIPIENTS // 4, RECIPIENTS // 2):
        workers.append(start_worker())
        wait_until(lambda at=kill_at: received() >= at, f"{kill_at} messages")  # type: ignore[misc]
        workers[-1].send_signal(signal.SIGKILL)
        workers[-1].wait(timeout=30)
    assert received() < RECIPIENTS, "the campaign ended before the second kill"
    workers.append(start_worker())

    messages = Message.objects.for_account(acme.account).filter(campaign_recipient__campaign=campaign)

    def unconfirmed() -> set[str]:
        """Phones of recipients whose send the outbox could not settle (see the docstring)."""
        doubtful = messages.filter(status=MessageStatus.FAILED, error_title=UNCONFIRMED)
        return {
            phone.lstrip("+") for phone in doubtful.values_list("conversation__contact__phone", flat=True)
        }

    def done() -> bool:
        campaign.refresh_from_db()
        return campaign.state == CampaignState.COMPLETED and received() + len(unconfirmed()) >= RECIPIENTS

    wait_until(done, "the campaign to complete")
    time.sleep(1)  # anything still in flight would land now
    sent = SimMessage.objects.filter(direction=SimMessage.Direction.FROM_BUSINESS)
    counts = dict(sent.values_list("customer__wa_id").annotate(n=Count("id")))
    assert set(counts.values()) == {1}  # nobody twice
    everyone = {
        phone.lstrip("+")
        for phone in Contact.objects.for_account(acme.account).values_list("phone", flat=True)
    }
    assert set(counts) | unconfirmed() == everyone  # nobody skipped without a word
    assert len(unconfirmed()) <= 2 * 4  # at most one per thread of each killed worker
    rows = Recipient.objects.for_account(acme.account).filter(campaign=campaign)
    assert rows.filter(state=RecipientState.SENT).count() == RECIPIENTS
