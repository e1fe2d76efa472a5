"""The one way out: every outbound message goes through ``send`` (or its two relatives).

It checks everything WhatsApp would refuse (limits, the 24-hour window, blocked contacts) before
anything is queued, then writes the Message (queued) and its OutboxEntry in one transaction; the
outbox worker (inbox/outbox.py) posts it after commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Contact
from billing.limits import LimitReached, check_can_send, check_can_start_chat
from billing.subscriptions import subscription_for
from inbox import events, signals
from inbox.assignment import stop_bot
from inbox.content import Content, Media, StoredMedia
from inbox.conversations import current_conversation
from inbox.drafts import Draft, draft
from inbox.media_rules import MAX_FILES_PER_SEND
from inbox.models import (
    Conversation,
    Direction,
    Initiator,
    Line,
    MediaFile,
    Message,
    MessageStatus,
    OutboxEntry,
)
from inbox.send_errors import SendError
from spoter.accounts.models import Account, Membership

__all__ = ["SendError", "send", "send_files", "send_to_phone"]

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# The worker delivers a new entry at once (on commit); the periodic sweep only picks it up after
# this, in case that task was lost.
SWEEP_DELAY = timedelta(seconds=10)


def send(
    conversation: Conversation,
    content: Content,
    *,
    sender: Membership | None = None,
    automated: bool = False,
    reply_to: Message | None = None,
    to_blocked: bool = False,
) -> Message:
    """Queue one message on the conversation; raise SendError (nothing written) when refused."""
    return _send(conversation, [content], sender, automated, reply_to, to_blocked)[0]


def send_files(
    conversation: Conversation,
    files: Sequence[Media | StoredMedia],
    *,
    sender: Membership | None = None,
    automated: bool = False,
) -> list[Message]:
    """Several files in one go, one message each (WhatsApp carries one file per message);
    all or none are queued."""
    if len(files) > MAX_FILES_PER_SEND:
        raise SendError(
            "too_many_files", _("Send at most %(max)d files at a time.") % {"max": MAX_FILES_PER_SEND}
        )
    return _send(conversation, list(files), sender, automated, None, False)


def send_to_phone(
    line: Line, phone: str, content: Content, *, sender: Membership | None = None, automated: bool = False
) -> Message:
    """A company-initiated message to an E.164 number (INB-12): the account names the contact, so
    it is registered; a new contact has no open window, so only a template goes out."""
    if not E164.match(phone):
        raise SendError(
            "invalid_phone", _("Write the number in international format, such as +5491122334455.")
        )
    with transaction.atomic():  # a refused send leaves no contact or conversation behind
        contacts = Contact.objects.for_account(line.account)
        contact = contacts.filter(phone=phone).first() or contacts.create(
            account=line.account, phone=phone, wa_id=phone[1:], registered=True
        )
        if not contact.registered:
            contact.registered = True
            contact.save(update_fields=["registered"])
        conversation = current_conversation(line, contact, initiated_by=Initiator.COMPANY)
        return _send(conversation, [content], sender, automated, None, False)[0]


def _send(
    conversation: Conversation,
    contents: list[Content],
    sender: Membership | None,
    automated: bool,
    reply_to: Message | None,
    to_blocked: bool,
) -> list[Message]:
    line, contact = conversation.line, conversation.contact
    account = conversation.account
    if (sender and sender.account_id != account.id) or (reply_to and reply_to.account_id != account.id):
        raise ValueError("sender and quoted message must belong to the conversation's account")
    if not line.is_active:
        raise SendError("line_inactive", _("This line is switched off."), conflict=True)
    # The answer to a blocked contact goes out while they write, though nothing of theirs is
    # stored to open the window here.
    answering = to_blocked or conversation.window_open()
    _check_plan(account, contact, answering)
    if contact.is_blocked and not to_blocked:
        raise SendError("contact_blocked", _("This contact is blocked."), conflict=True)
    if reply_to is not None and (reply_to.conversation_id != conversation.id or not reply_to.wamid):
        raise SendError("invalid_reply", _("Only a delivered message of this conversation can be quoted."))
    drafts = [draft(line, content, sender) for content in contents]
    if not answering:
        if not contact.registered:
            raise SendError(
                "not_registered",
                _("Only registered contacts can be written to first; add the contact to start a chat."),
                conflict=True,
            )
        if not all(item.is_template for item in drafts):
            raise SendError(
                "window_closed",
                _("The customer wrote more than 24 hours ago: only an approved template can go out."),
                conflict=True,
            )
    now = timezone.now()
    with transaction.atomic():
        messages = [
            _write(conversation, item, sender=sender, automated=automated, reply_to=reply_to, now=now)
            for item in drafts
        ]
        preview = messages[-1].text[:200]
        Conversation.objects.for_account(account).filter(id=conversation.id).update(
            last_message_at=now, updated_at=now, preview=preview
        )
        conversation.last_message_at = conversation.updated_at = now
        conversation.preview = preview
        entries = OutboxEntry.objects.for_account(account).bulk_create(
            [
                OutboxEntry(account=account, message=message, available_at=now + SWEEP_DELAY)
                for message in messages
            ]
        )
        transaction.on_commit(lambda: _enqueue([entry.id for entry in entries]))
        if not automated:
            stop_bot(conversation)  # a person wrote in: the bot stops (BOT-1)
        for message in messages:
            events.message_created(message)
            signals.message_sent.send(sender=Line, line=line, message=message)
    return messages


def _check_plan(account: Account, contact: Contact, answering: bool) -> None:
    """Nothing is sent from a read-only account (BIL-4); on a trial plan the company writes first
    only to contacts who wrote before (BIL-5). Bots and automatic replies are refused alike."""
    subscription = subscription_for(account)  # one read for both checks: this is every send's path
    try:
        check_can_send(account, subscription=subscription)
        if not answering:
            check_can_start_chat(contact, subscription=subscription)
    except LimitReached as refused:
        raise SendError(refused.code, refused.message, conflict=True, upgrade_url=refused.url) from None


def _write(
    conversation: Conversation,
    item: Draft,
    *,
    sender: Membership | None,
    automated: bool,
    reply_to: Message | None,
    now: datetime,
) -> Message:
    return Message.objects.for_account(conversation.account).create(
        account=conversation.account,
        conversation=conversation,
        line=conversation.line,
        direction=Direction.OUTBOUND,
        type=item.type,
        text=item.text,
        payload=item.payload,
        media=_media_file(conversation.line, item),
        reply_to_wamid=reply_to.wamid if reply_to else "",
        status=MessageStatus.QUEUED,
        sender=sender,
        automated=automated,
        created_at=now,
        status_changed_at=now,
    )


def _media_file(line: Line, item: Draft) -> MediaFile | None:
    """The MediaFile to send: a new one for new data; a stored one as is when it is this line's
    own upload (its media id can be reused), else a new row pointing at the same stored file."""
    content = item.media
    if content is None:
        return None
    files = MediaFile.objects.for_account(line.account)
    if isinstance(content, StoredMedia):
        stored = content.media
        if stored.line_id == line.id and (stored.uploaded_at is not None or not stored.provider_media_id):
            return stored
        return files.create(
            account=line.account,
            line=line,
            mime_type=item.mime_type,
            sha256=stored.sha256,
            size=stored.size,
            filename=stored.filename,
            file=stored.file.name,
            state=MediaFile.State.READY,
        )
    suffix = PurePosixPath(content.filename).suffix.lower()[:10]
    media = MediaFile(
        account=line.account,
        line=line,
        mime_type=item.mime_type,
        size=len(content.data),
        filename=content.filename,
        state=MediaFile.State.READY,
    )
    media.file.save(
        f"{line.account_id}/out/{uuid.uuid4().hex}{suffix}", ContentFile(content.data), save=False
    )
    media.save()
    return media


def _enqueue(entry_ids: list[int]) -> None:
    # Imported here: inbox.tasks also holds the ingest tasks, whose modules send (blocked replies).
    from inbox.tasks import deliver_outbox_entry

    for entry_id in entry_ids:
        deliver_outbox_entry.delay(entry_id)
