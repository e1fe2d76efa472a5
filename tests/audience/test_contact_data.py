"""AUD-4 access: a supervisor downloads everything stored about one contact, and it is audited."""

from __future__ import annotations

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from audience.models import AudienceAudit, AuditAction, CustomField
from audience.tags import get_or_create_tag
from inbox.models import MediaFile, Note, Reminder, ScheduledMessage
from inbox.teamwork import tag_conversation
from spoter.accounts.models import Role
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, make_conversation, make_line


def data_url(team: Team, contact_id: int) -> str:
    return reverse("contact_data", kwargs={"account_slug": team.account.slug, "contact_id": contact_id})


def test_the_download_holds_the_contacts_data_and_nobody_elses(acme: Team, globex: Team) -> None:
    line = make_line(acme)
    conversation = make_conversation(line, "Lucía Gómez")
    contact = conversation.contact
    contact.custom_fields = {"empresa": "Acme SA"}
    contact.save(update_fields=["custom_fields"])
    CustomField.objects.for_account(acme.account).create(account=acme.account, key="empresa", label="Empresa")
    media = MediaFile.objects.for_account(acme.account).create(
        account=acme.account, line=line, filename="factura.pdf", mime_type="application/pdf"
    )
    add_message(conversation, "Quiero la factura")
    add_message(conversation, "Aquí va", direction="out", type="document", media=media)
    tag_conversation(conversation, get_or_create_tag(acme.account, "Facturación"), by=acme.operator)
    Note.objects.for_account(acme.account).create(
        account=acme.account, contact=contact, author=acme.operator, text="Prefiere la mañana"
    )
    Reminder.objects.for_account(acme.account).create(
        account=acme.account, contact=contact, owner=acme.operator, due_at=timezone.now(), text="Llamar"
    )
    ScheduledMessage.objects.for_account(acme.account).create(
        account=acme.account,
        conversation=conversation,
        send_at=timezone.now() + timedelta(days=1),
        text="Recordatorio de pago",
    )
    # Someone else in the same account, and someone in another account.
    other = make_conversation(line, "Otro Cliente")
    add_message(other, "mensaje de otro")
    Note.objects.for_account(acme.account).create(
        account=acme.account, contact=other.contact, text="nota ajena"
    )
    foreign = make_conversation(make_line(globex), "Cliente Globex")
    add_message(foreign, "mensaje de globex")

    response = client_for(acme.supervisor).get(data_url(acme, contact.id))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="contact-{contact.id}.json"'
    text = response.content.decode()
    data = json.loads(text)
    assert data["contact"]["name"] == "Lucía Gómez"
    assert data["contact"]["phone"] == contact.phone
    assert data["custom_fields"] == [{"variable": "empresa", "name": "Empresa", "value": "Acme SA"}]
    assert [note["text"] for note in data["notes"]] == ["Prefiere la mañana"]
    assert [reminder["text"] for reminder in data["reminders"]] == ["Llamar"]
    [chat] = data["conversations"]
    assert [message["text"] for message in chat["messages"]] == ["Quiero la factura", "Aquí va"]
    assert chat["messages"][1]["media"] == {"filename": "factura.pdf", "mime_type": "application/pdf"}
    assert chat["messages"][0]["direction"] == "in"
    assert chat["messages"][0]["status"] == "received"
    assert chat["tags"] == ["Facturación"]
    assert [event["kind"] for event in chat["events"]] == ["tagged"]
    assert [item["text"] for item in chat["scheduled_messages"]] == ["Recordatorio de pago"]
    for absent in ("Otro Cliente", "mensaje de otro", "nota ajena", "Cliente Globex", "mensaje de globex"):
        assert absent not in text
    [audit] = AudienceAudit.objects.for_account(acme.account)
    assert (audit.actor, audit.action, audit.summary) == (
        acme.supervisor.user,
        AuditAction.ACCESSED,
        f"contact #{contact.id}",
    )


def test_operators_may_not_download_and_nothing_is_audited(acme: Team) -> None:
    contact = make_conversation(make_line(acme)).contact
    assert client_for(acme.member(Role.OPERATOR)).get(data_url(acme, contact.id)).status_code == 403
    assert client_for(acme.admin).get(data_url(acme, contact.id)).status_code == 200
    assert AudienceAudit.objects.for_account(acme.account).count() == 1


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = make_conversation(make_line(globex)).contact
    assert client_for(acme.supervisor).get(data_url(acme, theirs.id)).status_code == 404
    assert client_for(acme.supervisor).get(data_url(globex, theirs.id)).status_code == 404
    assert not AudienceAudit.objects.for_account(acme.account).exists()
    assert not AudienceAudit.objects.for_account(globex.account).exists()
