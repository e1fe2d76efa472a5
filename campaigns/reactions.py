"""What campaigns do when the inbox hears something (connected in CampaignsConfig.ready).

- A customer writes an opt-out keyword (CAM-1) or stops marketing on WhatsApp: opted out at once,
  their queued sends skipped, and (for the keyword) a confirmation sent.
- A customer writes within 72 hours of a campaign message: the reply counts for that campaign.
- Meta says "too fast" (130429) or "too often to this customer" (131056): the line backs off.
- Meta's spam limit (131048), a template paused, flagged or disabled, or the number flagged: the
  line's campaigns pause and the supervisors are told why.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audience.models import Contact
from bots.models import BotSession
from campaigns import services
from campaigns.content import keywords
from campaigns.models import OptOutSettings, Recipient
from campaigns.throttle import get_throttle
from inbox.content import Text
from inbox.models import Conversation, Line, Message, MessageType, Template, TemplateStatus
from inbox.send_errors import SendError
from inbox.sending import send

log = logging.getLogger(__name__)

REPLY_WINDOW = timedelta(hours=72)
KEYWORD_MAX = 20  # longer texts are conversation, not a keyword
BACK_OFF = {130429: 30.0, 131056: 6.0}  # seconds: the line's rate limit; one customer's pair limit
SPAM_LIMIT = 131048
STOPPING_TEMPLATE = {TemplateStatus.PAUSED, TemplateStatus.FLAGGED, TemplateStatus.DISABLED}
PUNCTUATION = re.compile(r"[\s.!¡?¿,;:]+")


def on_message(sender: Any, *, line: Line, message: Message, **kwargs: Any) -> None:
    _attribute_reply(message)
    if message.type == MessageType.TEXT and len(message.text) <= KEYWORD_MAX:
        word = PUNCTUATION.sub("", message.text).upper()
        if word and word in keywords(line.account) and not _bot_menu_open(message):
            _opt_out_by_keyword(line, message)


def on_marketing_preference(
    sender: Any, *, line: Line, wa_id: str, user_id: str, value: str, **kwargs: Any
) -> None:
    if value != "stop":
        log.info("marketing preference %r on line %s kept as is", value, line.id)
        return
    match = Q(wa_id=wa_id) if wa_id else Q()
    if user_id:
        match = match | Q(wa_user_id=user_id) if wa_id else Q(wa_user_id=user_id)
    if not match:
        return
    for contact in Contact.objects.for_account(line.account).filter(match):
        _opt_out(contact)


def on_send_refused(sender: Any, *, line: Line, message: Message, code: int, **kwargs: Any) -> None:
    if code in BACK_OFF:
        get_throttle().back_off(line.id, BACK_OFF[code])
    elif code == SPAM_LIMIT:
        with translation.override(line.account.language):
            detail = _("WhatsApp's spam rate limit (131048) was reached on this line.")
        services.pause_line(line, reason="spam_limit", detail=detail)


def on_template_status(sender: Any, *, line: Line, template: Template, **kwargs: Any) -> None:
    if template.status in STOPPING_TEMPLATE:
        with translation.override(line.account.language):
            detail = _("Meta set the template %(name)s to %(status)s.") % {
                "name": template.name,
                "status": template.get_status_display(),
            }
        services.pause_line(line, reason="template", detail=detail, template_id=template.id)


def on_quality(sender: Any, *, line: Line, event: str, **kwargs: Any) -> None:
    if event in {"FLAGGED", "DOWNGRADE"}:
        with translation.override(line.account.language):
            detail = _("Meta lowered the line's quality rating (%(event)s).") % {"event": event}
        services.pause_line(line, reason="quality", detail=detail)


def _attribute_reply(message: Message) -> None:
    """The contact's latest unanswered campaign message on this line, sent in the last 72 h."""
    at = message.sent_at or message.created_at
    latest = (
        Recipient.objects.for_account(message.account)
        .filter(
            contact_id=message.conversation.contact_id,
            campaign__line_id=message.line_id,
            replied_at=None,
            sent_at__gte=at - REPLY_WINDOW,
            # Meta's timestamp has whole seconds: our own clock bounds what came before.
            sent_at__lte=max(at, message.created_at),
        )
        .order_by("-sent_at")
        .values("id")[:1]
    )
    Recipient.objects.for_account(message.account).filter(id__in=latest).update(replied_at=at)


def _bot_menu_open(message: Message) -> bool:
    """A digit is a bot menu's answer (its back command may be "0") while a session runs."""
    if not message.text.strip().isdigit():
        return False
    sessions = BotSession.objects.for_account(message.account)
    return sessions.filter(conversation_id=message.conversation_id, ended_at=None).exists()


def _opt_out_by_keyword(line: Line, message: Message) -> None:
    contact = message.conversation.contact
    if not _opt_out(contact):
        return
    settings = OptOutSettings.objects.for_account(line.account).filter(account=line.account).first()
    with translation.override(line.account.language):
        text = (settings.confirmation if settings else "") or _(
            "Done: you will not receive more of these messages."
        )
    # Read again: the message's own transaction moved the window forward.
    conversation = Conversation.objects.for_account(line.account).get(id=message.conversation_id)
    try:
        send(conversation, Text(text), automated=True)
    except SendError as error:
        log.warning("opt-out confirmation not sent on line %s: %s", line.id, error.code)


def _opt_out(contact: Contact) -> bool:
    """Opt the contact out (not already) and skip their queued campaign sends."""
    opted = (
        Contact.objects.for_account(contact.account)
        .filter(id=contact.id, opted_out_at=None)
        .update(opted_out_at=timezone.now(), opted_out_by=None)
    )
    services.skip_opted_out(contact.id, contact.account_id)
    return bool(opted)
