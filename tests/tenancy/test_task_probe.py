"""The cross-tenant probe for Celery tasks: every task that works for one account takes that
account and refuses (does nothing to) another account's objects.

A new task must either take ``account_id`` first (and be probed here: run with acme's account and
globex's object, it leaves globex untouched; run with globex's own account, it acts, so the probe
can fail) or be listed in SWEEPS with the reason it is not an account's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from celery import Task
from django.utils import timezone

from audience.models import ContactExport, ContactImport, JobState
from bots.models import AutomationRun, WelcomeMessage
from campaigns import services
from campaigns.models import Recipient
from empaty import analysis
from empaty.models import AccountAdjustment, Category, CommunityRun, ContactInterest, MessageAnalysis
from inbox.models import MediaFile, Message
from notifications.models import Notification, NotificationDelivery, NotificationRun
from notifications.runs import start_due
from spoter.celery import app
from tests.bots.test_rules import inbound
from tests.campaigns.factories import make_contacts, template_campaign
from tests.conftest import Team
from tests.inbox.webhooks.conftest import make_line

# Periodic sweeps over every account (their rows carry the account) and tasks of no account.
SWEEPS = {
    "spoter.accounts.tasks.purge_stale_invitations": "deletes expired invitations of any account",
    "inbox.simulator.tasks.deliver_webhook": "the simulator plays Meta; its own tables",
    "inbox.simulator.tasks.review_template": "the simulator plays Meta; its own tables",
    "inbox.simulator.tasks.redeliver_lost_webhooks": "the simulator plays Meta; its own tables",
    "inbox.tasks.deliver_outbox_entry": "an outbox entry carries its account; enqueued on commit by sending",
    "inbox.tasks.deliver_due_outbox": "beat sweep",
    "inbox.tasks.drain_webhook_events": "platform data, routed by line (inbox/webhook_events.py)",
    "inbox.tasks.purge_unmatched_statuses": "beat sweep",
    "inbox.tasks.purge_processed_webhooks": "beat sweep of platform data",
    "inbox.tasks.notify_due_reminders": "beat sweep",
    "inbox.tasks.send_due_scheduled": "beat sweep",
    "audience.tasks.resume_stale_imports": "beat sweep",
    "audience.tasks.requeue_lost_exports": "beat sweep",
    "bots.tasks.abandon_idle_sessions": "beat sweep",
    "bots.rule_tasks.send_follow_ups": "beat sweep",
    "notifications.tasks.run_due": "beat sweep",
    "campaigns.tasks.start_due_campaigns": "beat sweep; each campaign starts in its own account",
    "campaigns.tasks.keep_campaigns_running": "beat sweep; queues run_campaign with the campaign's account",
    "empaty.analysis_tasks.analyse_stragglers": "beat sweep; queues analyse_account with each account",
    # A Mercado Pago notification is platform data: its account is known only once the resource
    # is fetched, and the subscription is found by Mercado Pago's preapproval id.
    "billing.mercadopago.tasks.process_notification": "a webhook of no account (see above)",
    "billing.mercadopago.tasks.reconcile": "beat sweep over every card subscription",
    "billing.tasks_rates.fetch_rate": "beat task; the dollar rate is platform-wide, of no account",
    "billing.tasks.run_due": "beat sweep over every paid subscription (billing/cycle.py)",
}


@dataclass
class Probe:
    make: Callable[[Team], int]  # one of the team's objects for the task
    untouched: Callable[[Team, int], bool]  # the object (and its account) as before the run


def queued_import(team: Team) -> int:
    return team.account.contact_imports.create(
        file="imports/probe.csv", filename="probe.csv", file_format="csv", state=JobState.QUEUED
    ).id


def queued_export(team: Team) -> int:
    return team.account.contact_exports.create(filters={}).id


def welcomed_message(team: Team) -> int:
    """An inbound message the account's welcome message would answer."""
    quick_reply = team.account.quick_replies.create(shortcut="hola", text="Hola")
    WelcomeMessage.objects.for_account(team.account).create(account=team.account, quick_reply=quick_reply)
    return inbound(make_line(team, phone_number_id=f"probe-{team.account.id}", provider="sandbox"), "hola").id


def pending_media(team: Team) -> int:
    line = make_line(team, phone_number_id=f"media-{team.account.id}", provider="sandbox")
    return team.account.media_files.create(line=line, provider_media_id="m1", mime_type="image/jpeg").id


def pending_notification_run(team: Team) -> int:
    """A started run of a due SMS notification, its one delivery pending (the console provider)."""
    tag = team.account.tags.create(name="Probe")
    contact = team.account.contacts.create(phone=f"+54911555{team.account.id:05d}")
    contact.tags.add(tag)
    notification = Notification.objects.for_account(team.account).create(
        account=team.account, name="Probe", body="Hola", next_run_at=timezone.now()
    )
    notification.tags.add(tag)
    start_due()
    return NotificationRun.objects.for_account(team.account).get(notification=notification).id


def running_campaign(team: Team) -> int:
    """A running campaign with one queued recipient, on a sandbox line."""
    line = make_line(team, phone_number_id=f"campaign-{team.account.id}", provider="sandbox")
    make_contacts(team, 1)
    return services.start(template_campaign(team, line), by=None).id


def recipient_queued(team: Team, campaign_id: int) -> bool:
    return Recipient.objects.for_account(team.account).get(campaign_id=campaign_id).state == "pending"


def delivery_pending(team: Team, run_id: int) -> bool:
    return NotificationDelivery.objects.for_account(team.account).get(run_id=run_id).state == "pending"


def interested_contact(team: Team) -> int:
    """A contact whose message names a category of the account, not counted yet."""
    Category.objects.for_account(team.account).create(
        account=team.account, name="Calzado", keywords="zapatillas"
    )
    line = make_line(team, phone_number_id=f"interests-{team.account.id}", provider="sandbox")
    return inbound(line, "Busco zapatillas").conversation.contact_id


def no_interests(team: Team, contact_id: int) -> bool:
    return not ContactInterest.objects.for_account(team.account).filter(contact_id=contact_id).exists()


def pending_community_run(team: Team) -> int:
    return CommunityRun.objects.for_account(team.account).create(account=team.account).id


def unanalysed_message(team: Team) -> int:
    line = make_line(team, phone_number_id=f"empaty-{team.account.id}", provider="sandbox")
    return inbound(line, "No me llegó el pedido, estoy re enojado").id


def not_analysed(team: Team, message_id: int) -> bool:
    return not MessageAnalysis.objects.for_account(team.account).filter(message_id=message_id).exists()


def corrected_analysis(team: Team) -> int:
    message = Message.objects.for_account(team.account).get(id=unanalysed_message(team))
    (stored,) = analysis.analyse(team.account, [message])
    analysis.correct(stored, team.supervisor, emotion="fear")
    return stored.id


def not_adjusted(team: Team, analysis_id: int) -> bool:
    return not AccountAdjustment.objects.for_account(team.account).exists()


PROBES: dict[str, Probe] = {
    "audience.tasks.run_contact_import": Probe(
        queued_import,
        lambda team, id_: (
            ContactImport.objects.for_account(team.account).get(id=id_).state == JobState.QUEUED
        ),
    ),
    "audience.tasks.export_contacts": Probe(
        queued_export,
        lambda team, id_: (
            ContactExport.objects.for_account(team.account).get(id=id_).state == JobState.QUEUED
        ),
    ),
    "bots.tasks.react": Probe(
        welcomed_message,
        lambda team, id_: (
            not AutomationRun.objects.for_account(team.account).exists()
            and not Message.objects.for_account(team.account).filter(direction="out").exists()
        ),
    ),
    "notifications.tasks.run_notification": Probe(pending_notification_run, delivery_pending),
    "campaigns.tasks.run_campaign": Probe(running_campaign, recipient_queued),
    "empaty.tasks.rematch_interests": Probe(interested_contact, no_interests),
    # These two take the account only: the probe's object is what they would act on.
    "empaty.analysis_tasks.analyse_account": Probe(unanalysed_message, not_analysed),
    "empaty.analysis_tasks.train_adjustment": Probe(corrected_analysis, not_adjusted),
    "empaty.tasks.compute_communities": Probe(
        pending_community_run,
        lambda team, id_: CommunityRun.objects.for_account(team.account).get(id=id_).state == "pending",
    ),
    "inbox.tasks.download_media": Probe(
        pending_media,
        lambda team, id_: (
            MediaFile.objects.for_account(team.account).get(id=id_).state == MediaFile.State.PENDING
        ),
    ),
}


def our_tasks() -> dict[str, Task[..., Any]]:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_probed_or_explained() -> None:
    unexplained = []
    for name, task in our_tasks().items():
        parameters = list(inspect.signature(task.run).parameters)
        takes_account = "account_id" in parameters
        if (takes_account and name not in PROBES) or (not takes_account and name not in SWEEPS):
            unexplained.append(name)
    assert not unexplained, f"tasks neither probed nor listed in SWEEPS: {unexplained}"


@pytest.mark.parametrize("name", sorted(PROBES))
@pytest.mark.django_db
def test_a_task_never_acts_on_another_accounts_object(name: str, acme: Team, globex: Team) -> None:
    task, probe = our_tasks()[name], PROBES[name]
    theirs = probe.make(globex)
    arguments = (theirs,) if len(inspect.signature(task.run).parameters) > 1 else ()
    task(acme.account.id, *arguments)  # acme's account, globex's object: nothing happens
    assert probe.untouched(globex, theirs), f"{name} acted on another account's object"
    task(globex.account.id, *arguments)  # the right account: it acts, so the probe can fail
    assert not probe.untouched(globex, theirs), f"{name} did nothing even for its own account"
