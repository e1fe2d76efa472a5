"""Raw webhook bodies (AUD-4): purged after the retention, and forgotten when their sender is erased."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audience.erasure import erase_contact
from audience.models import Contact
from inbox import webhook_retention
from inbox.models import Line, WebhookEvent
from tests.conftest import Team
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, deliver, encode, fixture, make_line

pytestmark = pytest.mark.django_db
OTHER_WA_ID = "5491155550002"


def test_processed_bodies_are_purged_after_the_retention(line: Line, settings: object) -> None:
    old = deliver(fixture("text", **{"wamid.TEXT": "wamid.old"}), line)
    waiting = WebhookEvent.objects.create(line=line, body=encode(fixture("text")))  # not processed
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        recent = deliver(fixture("text", **{"wamid.TEXT": "wamid.recent"}), line)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert webhook_retention.purge_processed() == 1
    assert set(WebhookEvent.objects.values_list("id", flat=True)) == {waiting.id, recent.id}
    assert not WebhookEvent.objects.filter(id=old.id).exists()


def test_erasing_a_contact_forgets_the_bodies_that_name_them(acme: Team, globex: Team, line: Line) -> None:
    theirs = deliver(fixture("text"), line)
    platform = deliver(fixture("text", **{"wamid.TEXT": "wamid.platform"}))  # routed by number
    someone_else = deliver(
        fixture("text", **{CUSTOMER_WA_ID: OTHER_WA_ID, "wamid.TEXT": "wamid.other"}), line
    )
    # The same person writing to another account's line is that account's business.
    other_line = make_line(globex, phone_number_id="999000111", provider="sandbox")
    other_account = deliver(fixture("text", **{"wamid.TEXT": "wamid.globex"}), other_line)
    # A longer number that contains theirs is somebody else.
    longer = deliver(fixture("text", **{CUSTOMER_WA_ID: CUSTOMER_WA_ID + "9", "wamid.TEXT": "wamid.l"}), line)
    unprocessed = WebhookEvent.objects.create(line=line, body=encode(fixture("text")))

    contact = Contact.objects.for_account(acme.account).get(wa_id=CUSTOMER_WA_ID)
    erase_contact(contact, by=acme.supervisor)

    left = set(WebhookEvent.objects.values_list("id", flat=True))
    assert theirs.id not in left
    assert platform.id not in left
    assert {someone_else.id, other_account.id, longer.id, unprocessed.id} <= left
