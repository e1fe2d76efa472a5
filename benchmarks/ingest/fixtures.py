"""Database side of the ingest benchmark: the line, its outbound messages, and the checks."""

from __future__ import annotations

import time

from django.db.models import Count

from audience.models import Contact
from billing.catalogue import PERSONALIZADO
from billing.subscriptions import put_on_plan
from inbox.models import AccountSequence, Conversation, Direction, Line, Message, MessageStatus, WebhookEvent
from spoter.accounts.models import Account

CONTACTS = 100


def create_line_with_outbound(
    *, app_secret: str, phone_number_id: str, waba_id: str, count: int
) -> tuple[str, list[tuple[str, str]]]:
    account = Account.objects.create(name="Bench", slug="bench")
    put_on_plan(account, PERSONALIZADO, extra_lines=50, extra_operators=500)  # no plan limit in the way
    line = Line.objects.create(
        account=account,
        name="Bench",
        display_number="+5491100000000",
        phone_number_id=phone_number_id,
        waba_id=waba_id,
        access_token="unused",
        app_secret=app_secret,
    )
    contacts = Contact.objects.bulk_create(
        Contact(account=account, wa_id=f"54922{i:08d}", phone=f"+54922{i:08d}", registered=True)
        for i in range(CONTACTS)
    )
    conversations = Conversation.objects.bulk_create(
        Conversation(account=account, number=i + 1, line=line, contact=contact)
        for i, contact in enumerate(contacts)
    )
    AccountSequence.objects.create(account=account, name="conversation", value=CONTACTS)
    outbound = [(f"wamid.bench-out-{i}", contacts[i % CONTACTS].wa_id) for i in range(count)]
    Message.objects.bulk_create(
        (
            Message(
                account=account,
                conversation=conversations[i % CONTACTS],
                line=line,
                direction=Direction.OUTBOUND,
                wamid=wamid,
                text="hola",
                status=MessageStatus.SENT,
            )
            for i, (wamid, _recipient) in enumerate(outbound)
        ),
        batch_size=2000,
    )
    return str(line.uuid), outbound


def wait_for_drain(timeout: float) -> float:
    start = time.monotonic()
    # The benchmark's own database: one account, nothing to scope.
    while WebhookEvent.objects.filter(processed_at__isnull=True).exists():
        if time.monotonic() - start > timeout:
            raise TimeoutError("the worker did not drain the webhook events in time")
        time.sleep(0.5)
    return time.monotonic() - start


def stored_state() -> tuple[set[str], int, dict[str, str]]:
    messages = Message.objects.unscoped()  # the benchmark's own single-account database
    inbound = messages.filter(direction=Direction.INBOUND)
    wamids = set(inbound.values_list("wamid", flat=True))
    duplicates = sum(row["n"] - 1 for row in inbound.values("wamid").annotate(n=Count("id")).filter(n__gt=1))
    statuses = dict(messages.filter(direction=Direction.OUTBOUND).values_list("wamid", "status"))
    return wamids, duplicates, statuses
