"""Right to erasure (AUD-4): after erase_contact nothing of the contact is left in any table
that references them, their media files are gone from disk, and everyone else is untouched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from audience.erasure import erase_contact, erasure_counts
from audience.models import AudienceAudit, AuditAction, Contact
from inbox.conversations import current_conversation
from inbox.models import (
    Conversation,
    ConversationEvent,
    Initiator,
    Line,
    MediaFile,
    Message,
    Note,
    OutboxEntry,
    Reminder,
    ScheduledMessage,
    UnmatchedStatus,
)
from spoter.accounts.models import Account
from tests.conftest import Team, client_for


@dataclass
class History:
    contact: Contact
    conversation: Conversation
    media: MediaFile


def line_of(account: Account) -> Line:
    line = account.lines.first()
    return line or account.lines.create(name="Chat", provider="sandbox", display_number="+5491100000009")


def history(team: Team, phone: str, name: str = "Ana Pérez") -> History:
    """A contact with everything an account can hold about them: a conversation with messages (one
    with a stored media file, one waiting in the outbox), a status awaiting its message, a
    scheduled message, an event, a note, a reminder and tags on contact and conversation."""
    account, line = team.account, line_of(team.account)
    contact = Contact.objects.for_account(account).create(account=account, phone=phone, name=name)
    tag, _ = account.tags.get_or_create(name="VIP")
    contact.tags.add(tag)
    with transaction.atomic():
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    conversation.tags.add(tag)
    media = MediaFile.objects.for_account(account).create(account=account, line=line, state="ready")
    media.file.save(f"{account.id}/in/{phone[1:]}.jpg", ContentFile(b"jpeg"), save=True)
    messages = Message.objects.for_account(account)
    incoming = messages.create(
        account=account, conversation=conversation, line=line, direction="in", type="image",
        media=media, status="received", wamid=f"wamid.in.{phone}",
    )  # fmt: skip
    outgoing = messages.create(
        account=account, conversation=conversation, line=line, direction="out", text="Hola",
        status="pending", wamid=f"wamid.out.{phone}", reply_to_wamid=incoming.wamid,
    )  # fmt: skip
    OutboxEntry.objects.for_account(account).create(account=account, message=outgoing)
    UnmatchedStatus.objects.for_account(account).create(
        account=account, line=line, wamid=outgoing.wamid, status="delivered", payload={"recipient_id": phone}
    )
    ScheduledMessage.objects.for_account(account).create(
        account=account,
        conversation=conversation,
        author=team.operator,
        send_at=timezone.now(),
        text="Mañana",
    )
    ConversationEvent.objects.for_account(account).create(
        account=account, conversation=conversation, kind="tagged"
    )
    Note.objects.for_account(account).create(
        account=account, contact=contact, author=team.operator, text="DNI 30111222"
    )
    Reminder.objects.for_account(account).create(
        account=account, contact=contact, owner=team.operator, due_at=timezone.now(), text="Llamar"
    )
    return History(contact, conversation, media)


def remains(account: Account, found: History) -> dict[str, int]:
    """Rows of every table that references the contact or their conversation."""
    contact_id, conversation_id = found.contact.id, found.conversation.id
    messages = Message.objects.for_account(account).filter(conversation_id=conversation_id)
    return {
        "contact": Contact.objects.for_account(account).filter(id=contact_id).count(),
        "contact tags": Contact.tags.through.objects.filter(contact_id=contact_id).count(),
        "conversation": Conversation.objects.for_account(account).filter(id=conversation_id).count(),
        "conversation tags": Conversation.tags.through.objects.filter(
            conversation_id=conversation_id
        ).count(),
        "messages": messages.count(),
        "outbox": OutboxEntry.objects.for_account(account)
        .filter(message__conversation_id=conversation_id)
        .count(),
        "statuses": UnmatchedStatus.objects.for_account(account)
        .filter(payload__recipient_id=found.contact.phone)
        .count(),
        "scheduled": ScheduledMessage.objects.for_account(account)
        .filter(conversation_id=conversation_id)
        .count(),
        "events": ConversationEvent.objects.for_account(account)
        .filter(conversation_id=conversation_id)
        .count(),
        "notes": Note.objects.for_account(account).filter(contact_id=contact_id).count(),
        "reminders": Reminder.objects.for_account(account).filter(contact_id=contact_id).count(),
        "media": MediaFile.objects.for_account(account).filter(id=found.media.id).count(),
    }


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_erasure_leaves_nothing_of_the_contact(
    acme: Team, globex: Team, django_capture_on_commit_callbacks: Any
) -> None:
    ana = history(acme, "+5491155550001")
    beto = history(acme, "+5491155550002", name="Beto")
    zoe = history(globex, "+5491155550001", name="Zoe")
    path = Path(default_storage.path(ana.media.file.name))
    assert path.exists()
    assert erasure_counts(acme.account, [ana.contact.id]).messages == 2

    with django_capture_on_commit_callbacks(execute=True):
        erase_contact(ana.contact, by=acme.supervisor)

    assert set(remains(acme.account, ana).values()) == {0}, remains(acme.account, ana)
    assert not path.exists()
    # Someone else of the account, and the other account's contact with the same phone, keep everything.
    for team, other in ((acme, beto), (globex, zoe)):
        assert all(remains(team.account, other).values()), remains(team.account, other)
        assert Path(default_storage.path(other.media.file.name)).exists()
    assert acme.account.tags.filter(name="VIP").exists()  # the tag itself stays


def test_the_audit_row_counts_without_personal_data(acme: Team) -> None:
    ana = history(acme, "+5491155550001")
    erase_contact(ana.contact, by=acme.supervisor)
    audit = AudienceAudit.objects.for_account(acme.account).get()
    assert audit.action == AuditAction.ERASED
    assert audit.actor == acme.supervisor.user
    assert audit.summary.startswith(f"contact #{ana.contact.id}: 1 conversations, 2 messages, 1 media files")
    for personal in ("Ana", "5491155550001", "30111222", "Hola"):
        assert personal not in audit.summary


def test_a_media_file_another_conversation_uses_stays(acme: Team) -> None:
    ana, beto = history(acme, "+5491155550001"), history(acme, "+5491155550002")
    Message.objects.for_account(acme.account).filter(conversation=beto.conversation, direction="in").update(
        media=ana.media
    )
    erase_contact(ana.contact, by=acme.supervisor)
    assert MediaFile.objects.for_account(acme.account).filter(id=ana.media.id).exists()


def test_a_member_of_another_account_cannot_erase(acme: Team, globex: Team) -> None:
    ana = history(acme, "+5491155550001")
    with pytest.raises(ValueError, match="another account"):
        erase_contact(ana.contact, by=globex.supervisor)
    assert Contact.objects.for_account(acme.account).filter(id=ana.contact.id).exists()


def test_the_page_confirms_with_counts_then_erases(acme: Team) -> None:
    ana = history(acme, "+5491155550001")
    url = reverse("contact_delete", args=[acme.account.slug, ana.contact.id])
    client = client_for(acme.supervisor)
    page = client.get(url).content.decode()
    assert "2 messages" in page or "2 mensajes" in page
    assert Contact.objects.for_account(acme.account).filter(id=ana.contact.id).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts", args=[acme.account.slug])
    assert not Contact.objects.for_account(acme.account).filter(id=ana.contact.id).exists()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    ana = history(acme, "+5491155550001")
    url = reverse("contact_delete", args=[acme.account.slug, ana.contact.id])
    assert client_for(globex.admin).post(url).status_code == 404
    assert client_for(acme.operator).post(url).status_code == 403
    other_slug = reverse("contact_delete", args=[globex.account.slug, ana.contact.id])
    assert client_for(globex.admin).post(other_slug).status_code == 404
    assert Contact.objects.for_account(acme.account).filter(id=ana.contact.id).exists()
