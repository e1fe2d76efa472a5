"""Database side of the campaign benchmark: the account wired to the simulator, the audience,
the campaign, and what the simulated phones received (the figures are read from Meta's side)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from audience.models import Contact
from billing.catalogue import PERSONALIZADO
from billing.subscriptions import put_on_plan
from campaigns import services
from campaigns.models import Campaign, CampaignState, ContentKind, LineThrottle, Recipient
from inbox.lines import create_line
from inbox.models import Line, Message, MessageStatus, OutboxEntry, Template, WebhookEvent
from inbox.simulator.models import SimMessage, SimWebhook
from inbox.simulator.services import add_template, register_number
from inbox.statuses import UNCONFIRMED
from inbox.templates_service import sync_templates
from spoter.accounts.models import Account

TOKEN = "bench-simulated-token"  # noqa: S105 -- a throwaway simulated number's
SECRET = "bench-simulated-secret"  # noqa: S105
PHONE_NUMBER_ID = "1000000001"
WABA_ID = "2000000001"
TEMPLATE = [{"type": "BODY", "text": "Hola {{nombre}}, tenemos ofertas."}]
# Contacts of the audience who must get nothing, as shares of the recipients.
EXCLUDED = {"blocked": 0.01, "opted_out": 0.01, "invalid_number": 0.005}
BATCH = 5000


@dataclass(frozen=True)
class Audience:
    recipients: int
    excluded: dict[str, int]


def create_line_and_audience(site_url: str, recipients: int) -> tuple[Line, Audience]:
    """One account, one line whose Graph URL is the simulator at ``site_url`` and whose
    simulated number posts webhooks back to the line (tests/inbox/simulator/helpers.py's
    connect_line), and ``recipients`` contacts plus the excluded ones, shuffled among them so
    the exclusions are tested all along the run."""
    account = Account.objects.create(name="Bench", slug="bench")
    put_on_plan(account, PERSONALIZADO, extra_lines=50, extra_operators=500)  # no plan limit in the way
    line = create_line(
        account,
        name="WhatsApp",
        display_number="+541155550100",
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        access_token=TOKEN,
        app_secret=SECRET,
        graph_url=f"{site_url}/simulator/graph",
    )
    register_number(
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        display_number="+54 11 5555-0100",
        verified_name="Tienda Simulada",
        access_token=TOKEN,
        app_secret=SECRET,
        webhook_url=f"{site_url}/webhooks/whatsapp/{line.uuid}/",
    )
    excluded = {reason: max(1, round(recipients * share)) for reason, share in EXCLUDED.items()}
    kinds = ["ok"] * recipients + [reason for reason, count in excluded.items() for _ in range(count)]
    random.Random(7).shuffle(kinds)
    now = timezone.now()
    contacts = (_contact(account, n, kind, now) for n, kind in enumerate(kinds))
    # The benchmark's own database: one account, created just above.
    Contact.objects.for_account(account).bulk_create(contacts, batch_size=BATCH)
    with connection.cursor() as cursor:
        # Autovacuum is off on the benchmark box: without statistics of the fresh table the
        # planner takes the audience's duplicate check for one row and nests loops (see README).
        cursor.execute("ANALYZE audience_contact")
    return line, Audience(recipients, excluded)


def _contact(account: Account, n: int, kind: str, now: object) -> Contact:
    wa_id = f"54911{40000000 + n}"
    fields: dict[str, object] = {"wa_id": wa_id, "phone": f"+{wa_id}"}
    if kind == "blocked":
        fields["blocked_at"] = now
    elif kind == "opted_out":
        fields["opted_out_at"] = now
    elif kind == "invalid_number":
        # Not a WhatsApp id for us (leading 0), though the simulator would take it: a send that
        # slipped through would show on its side.
        fields = {"wa_id": f"0{n:010d}", "phone": ""}
    return Contact(account=account, name=f"Cliente {n}", registered=True, **fields)


def start_campaign(line: Line, rate: float) -> Campaign:
    """The approved template from the simulator, the line's rate, and the campaign started."""
    add_template(WABA_ID, "ofertas", "es_AR", "MARKETING", TEMPLATE)
    sync_templates(line)
    account = line.account
    LineThrottle.objects.for_account(account).create(account=account, line=line, per_second=rate)
    template = Template.objects.for_account(account).get(name="ofertas")
    campaign = Campaign.objects.for_account(account).create(
        account=account,
        name="Ofertas",
        line=line,
        kind=ContentKind.TEMPLATE,
        template=template,
        template_values={"body_nombre": "{{nombre|cliente}}"},
    )
    return services.start(campaign, by=None)


def sends_so_far() -> int:
    """Business messages the simulator holds (its ids count them: nothing else writes here)."""
    last = SimMessage.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def finished(campaign: Campaign) -> bool:
    """Completed (or cancelled), and the outbox empty: every message posted, or failed for good."""
    state = Campaign.objects.for_account(campaign.account).filter(id=campaign.id).values_list("state")
    if state.get()[0] not in {CampaignState.COMPLETED, CampaignState.CANCELLED}:
        return False
    return not OutboxEntry.objects.for_account(campaign.account).exists()


def wait_for_status_webhooks(timeout: float) -> float:
    """Seconds until the simulator's status webhooks stop draining (those a killed worker had
    taken stay behind: the broker hands them out again only after its visibility timeout)."""
    start = time.monotonic()
    pending, still = -1, 0
    while time.monotonic() - start < timeout and still < 10:
        now = SimWebhook.objects.filter(delivered_at=None).count()
        still = still + 1 if now == pending else 0
        pending = now
        time.sleep(1)
    return round(time.monotonic() - start - still, 1)


def too_fast_seen(account: Account) -> set[int]:
    """Messages whose outbox entry last failed with 130429 (Meta's "too fast")."""
    entries = OutboxEntry.objects.for_account(account).filter(last_error__contains="130429")
    return set(entries.values_list("message_id", flat=True))


def results(campaign: Campaign, audience: Audience) -> dict[str, object]:
    """What the phones received, against who should and who must not have received it."""
    account = campaign.account
    sent = SimMessage.objects.filter(direction=SimMessage.Direction.FROM_BUSINESS)
    times = sorted(ts.timestamp() for ts in sent.values_list("created_at", flat=True))
    per_customer = sent.values("customer__wa_id").annotate(n=Count("id"))
    received = {row["customer__wa_id"]: row["n"] for row in per_customer}
    contacts = Contact.objects.for_account(account)
    excluded_ids = set(
        contacts.exclude(blocked_at=None)
        .values_list("wa_id", flat=True)
        .union(contacts.exclude(opted_out_at=None).values_list("wa_id", flat=True))
        .union(contacts.filter(phone="").values_list("wa_id", flat=True))
    )
    excluded_contacts = (
        contacts.exclude(blocked_at=None, opted_out_at=None).count() + contacts.filter(phone="").count()
    )
    messages = Message.objects.for_account(account)
    rows = Recipient.objects.for_account(account).filter(campaign=campaign)
    campaign.refresh_from_db()
    return {
        "times": times,
        "sends": len(times),
        "customers_reached": len(received),
        "duplicates": sum(1 for n in received.values() if n > 1),
        "sends_to_excluded": sum(n for wa_id, n in received.items() if wa_id in excluded_ids),
        "excluded_contacts": excluded_contacts,
        "excluded_by_campaign": campaign.excluded,
        "excluded_expected": audience.excluded,
        "recipient_rows": rows.count(),
        "recipient_rows_of_excluded": rows.filter(contact__wa_id__in=excluded_ids).count(),
        "recipients_unsent": audience.recipients - len(received.keys() - excluded_ids),
        "recipient_states": dict(rows.values_list("state").annotate(n=Count("id")).order_by()),
        "unconfirmed": messages.filter(status=MessageStatus.FAILED, error_title=UNCONFIRMED).count(),
        "failed_messages": messages.filter(status=MessageStatus.FAILED).count(),
        "messages_failed_130429": messages.filter(error_code=130429).count(),
        "message_statuses": dict(messages.values_list("status").annotate(n=Count("id")).order_by()),
        "sim_webhooks_undelivered": SimWebhook.objects.filter(delivered_at=None).count(),
        "webhook_events_unprocessed": WebhookEvent.objects.filter(processed_at__isnull=True).count(),
    }
