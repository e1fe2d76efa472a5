"""A company-initiated conversation with a registered contact (INB-12): a template when the
customer has not written in the last 24 hours, as WhatsApp requires."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audience.models import Contact
from inbox import sending
from inbox.assignment import take_started
from inbox.content import Content
from inbox.models import Conversation, ConversationStatus, Line
from spoter.accounts.models import Membership


def open_conversation(contact: Contact, line: Line) -> Conversation | None:
    """The contact's conversation on the line that is not closed, if any."""
    return (
        Conversation.objects.for_account(line.account)
        .filter(line=line, contact=contact)
        .exclude(status=ConversationStatus.CLOSED)
        .first()
    )


def start_conversation(contact: Contact, line: Line, content: Content, *, sender: Membership) -> Conversation:
    """Send the first message; the conversation goes to the sender when nobody has it, so a
    private operator sees the chat they started. Raises SendError when refused."""
    if contact.account_id != line.account_id or sender.account_id != line.account_id:
        raise ValueError("contact, line and sender must belong to one account")
    if not contact.phone:
        raise sending.SendError("no_phone", _("The contact has no phone number."), conflict=True)
    with transaction.atomic():
        conversation = sending.send_to_phone(line, contact.phone, content, sender=sender).conversation
        # The row is locked by current_conversation in this transaction: nobody takes it meanwhile.
        # Not assign(): an operator with a private inbox may not take chats they cannot see, but
        # one they start is theirs.
        if conversation.assignee_id is None:
            take_started(conversation, sender)
    return conversation
