"""Inbound messages: stored once per (line, wamid), in any order, however often Meta retries.

The unique constraint on (line, wamid) is the record of what we have; the early lookup only saves
work on retries. Everything a new message changes (contact, conversation, message, media file)
is written in one transaction, so a duplicate that loses the race rolls back without touching the
conversation.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audience.models import Contact
from inbox import events, media, signals
from inbox.assignment import auto_assign
from inbox.content import Text
from inbox.conversations import current_conversation, find_or_create_contact
from inbox.models import (
    Conversation,
    Direction,
    Initiator,
    Line,
    MediaFile,
    Message,
    MessageStatus,
    MessageType,
)
from inbox.providers.whatsapp_cloud.inbound import InboundMessage
from inbox.sending import SendError, send
from spoter.accounts.models import Account

log = logging.getLogger(__name__)


def receive_message(line: Line, inbound: InboundMessage) -> Message | None:
    """Store one inbound message; None when it was stored before or its sender is blocked."""
    account = line.account
    messages = Message.objects.for_account(account).filter(line=line)
    if messages.filter(wamid=inbound.wamid).exists():
        return None
    at = inbound.sent_at or timezone.now()
    try:
        with transaction.atomic():
            contact = find_or_create_contact(
                account,
                wa_user_id=inbound.sender.user_id,
                wa_id=inbound.sender.wa_id,
                profile_name=inbound.sender.profile_name,
            )
            if contact.is_blocked:
                _answer_blocked(line, contact)
                return None
            conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
            message = messages.create(
                account=account,
                conversation=conversation,
                line=line,
                direction=Direction.INBOUND,
                type=inbound.kind,
                wamid=inbound.wamid,
                text=inbound.text or _placeholder(line, inbound.kind),
                payload=inbound.payload,
                media=_media_file(line, inbound),
                reply_to_wamid=inbound.reply_to_wamid,
                status=MessageStatus.RECEIVED,
                sent_at=at,
            )
            _touch(account, conversation, contact, message)
            # The customer's first message: the line's round robin, unless a bot may answer
            # (bots.runtime assigns when the bot hands over, or when no bot starts).
            first = conversation.assignee_id is None and conversation.last_inbound_at is None
            if first and not _bot_slot_open(account):
                auto_assign(conversation)
            events.message_created(message)
            signals.message_received.send(sender=Line, line=line, message=message)
            transaction.on_commit(lambda: _react_later(account, message.id))
    except IntegrityError:
        if messages.filter(wamid=inbound.wamid).exists():
            return None  # a concurrent delivery of the same message won; ours rolled back whole
        raise
    return message


def _bot_slot_open(account: Account) -> bool:
    from bots.runtime import schedule_now  # bots build on the inbox, not the other way round

    return schedule_now(account) is not None


def _react_later(account: Account, message_id: int) -> None:
    """Queue the automations' answer (bots.tasks.react), when the account has any."""
    from bots.runtime import has_automations
    from bots.tasks import react

    if has_automations(account):
        react.delay(account.id, message_id)


def _media_file(line: Line, inbound: InboundMessage) -> MediaFile | None:
    ref = inbound.media
    if ref is None:
        return None
    media_file = MediaFile.objects.for_account(line.account).create(
        account=line.account,
        line=line,
        provider_media_id=ref.media_id,
        mime_type=ref.mime_type,
        sha256=ref.sha256,
        filename=ref.filename,
    )
    media.download_on_commit(media_file)
    return media_file


def _touch(account: Account, conversation: Conversation, contact: Contact, message: Message) -> None:
    """Move the conversation and the contact forward to the message's time, never back: messages
    arrive out of order, and the 24-hour window runs from the latest one. The list's preview is
    the latest message's; every new customer message counts as unread."""
    at = message.sent_at or message.created_at
    when = Value(at, output_field=DateTimeField())
    Conversation.objects.for_account(account).filter(id=conversation.id).update(
        last_inbound_at=Greatest(Coalesce("last_inbound_at", when), when),
        # A new conversation starts at its creation time, usually after Meta's timestamp of the
        # first message: an empty preview takes the message anyway.
        preview=Case(
            When(Q(last_message_at__lte=at) | Q(preview=""), then=Value(message.text[:200])),
            default=F("preview"),
        ),
        last_message_at=Greatest("last_message_at", when),
        unread_count=F("unread_count") + 1,
        updated_at=timezone.now(),
    )
    Contact.objects.for_account(account).filter(id=contact.id).update(
        last_seen_at=Greatest(Coalesce("last_seen_at", when), when)
    )


def _placeholder(line: Line, kind: str) -> str:
    if kind != MessageType.UNSUPPORTED:
        return ""
    with translation.override(line.account.language):
        return _("This kind of message cannot be shown here; look at it on the phone.")


def _answer_blocked(line: Line, contact: Contact) -> None:
    """Nothing of a blocked contact is stored; they get the line's answer once per block (INB-13)."""
    if not line.blocked_reply:
        return
    contacts = Contact.objects.for_account(line.account).filter(id=contact.id, blocked_reply_sent_at=None)
    try:
        with transaction.atomic():
            if not contacts.update(blocked_reply_sent_at=timezone.now()):
                return  # answered already (or a concurrent message is answering now)
            # Their conversation shows what we sent them, not what they wrote.
            conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
            send(conversation, Text(line.blocked_reply), automated=True, to_blocked=True)
    except SendError as error:
        log.warning("blocked-contact answer not sent on line %s: %s", line.id, error.code)
