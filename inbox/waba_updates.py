"""WABA-level webhooks: template statuses and a number's quality and messaging tier.

``inbox.webhook_events`` has already narrowed the WABA to the lines of one account."""

from __future__ import annotations

import logging
import re

from django.db.models import QuerySet
from django.utils import timezone

from inbox import signals
from inbox.models import Line, Template, TemplateStatus
from inbox.providers.whatsapp_cloud.inbound import JSON, parse_quality, parse_template_status

log = logging.getLogger(__name__)

# Events that name a state under another word; the rest are the state itself or not one we keep.
EVENT_STATUS = {"REINSTATED": TemplateStatus.APPROVED, "PENDING_DELETION": TemplateStatus.DELETED}
QUALITY_EVENTS = frozenset({"FLAGGED", "UNFLAGGED"})


def template_status(lines: list[Line], value: JSON) -> None:
    """A template's new status, matched by Meta's template id, else by (WABA, name, language)."""
    update = parse_template_status(value)
    status = EVENT_STATUS.get(update.event, update.event)
    if status not in TemplateStatus.values:
        log.info("template event %r kept no state (template %s)", update.event, update.template_id)
        return
    line = lines[0]
    templates = Template.objects.for_account(line.account).filter(waba_id=line.waba_id)
    fields: dict[str, object] = {"status": status, "updated_at": timezone.now()}
    if status == TemplateStatus.REJECTED:
        fields["rejection_reason"] = update.reason[:255]
    elif status == TemplateStatus.APPROVED:
        fields["rejection_reason"] = ""
    if update.template_id and templates.filter(provider_id=update.template_id).update(**fields):
        _changed(line, templates.filter(provider_id=update.template_id))
        return
    matched = templates.filter(name=update.name, language=update.language)
    if update.name and matched.update(**fields, provider_id=update.template_id):
        _changed(line, matched)
        return
    log.info("template %s (%s) is not stored yet: the next sync brings it", update.name, update.template_id)


def quality(lines: list[Line], value: JSON) -> None:
    """The number's quality flag and messaging tier, on the WABA's line with that display number."""
    update = parse_quality(value)
    number = _digits(update.display_phone_number)
    matches = [line for line in lines if number and _digits(line.display_number) == number]
    if not matches:
        log.warning("quality update for %r matches no line of WABA %s", number, lines[0].waba_id)
        return
    fields = {"messaging_tier": update.limit[:40]} if update.limit else {}
    if update.event in QUALITY_EVENTS:
        fields["quality_rating"] = update.event
    if fields:
        Line.objects.for_account(lines[0].account).filter(id__in=[line.id for line in matches]).update(
            **fields
        )
    for line in matches:
        signals.line_quality_changed.send(sender=Line, line=line, event=update.event)


def _changed(line: Line, templates: QuerySet[Template]) -> None:
    for template in templates:
        signals.template_status_changed.send(sender=Line, line=line, template=template)


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)
