"""Message templates: synced from the line's WABA, submitted to Meta from Settings.

Templates belong to a WABA, which several lines may share; rows are per (account, WABA, name,
language), so a sync from any of those lines updates the same rows. Webhooks keep statuses
current between syncs (inbox/statuses.py).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.models import Line, Template, TemplateCategory, TemplateStatus
from inbox.providers import TransportError, get_provider
from inbox.providers.base import RemoteTemplate

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
BODY_MAX = 1024
HEADER_TEXT_MAX = 60


def variables(text: str) -> list[str]:
    """The variables of a template text in order of first use: ["1", "2"] or ["first_name"]."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def render(text: str, values: dict[str, str]) -> str:
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def component(components: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The template's component of ``kind`` (HEADER, BODY, FOOTER, BUTTONS), or {}."""
    for item in components:
        if str(item.get("type", "")).upper() == kind:
            return item
    return {}


def sync_templates(line: Line) -> int:
    """Upsert every template of the line's WABA; ones Meta no longer lists become DELETED.
    Returns how many Meta listed. TransportError propagates: a failed sync changes nothing."""
    remote = get_provider(line).fetch_templates()
    templates = Template.objects.for_account(line.account).filter(waba_id=line.waba_id)
    with transaction.atomic():
        seen = [store_template(line, item).id for item in remote]
        templates.exclude(id__in=seen).exclude(status=TemplateStatus.DELETED).update(
            status=TemplateStatus.DELETED, updated_at=timezone.now()
        )
    return len(remote)


def store_template(line: Line, item: RemoteTemplate) -> Template:
    """Insert or update the account's copy of one of the line's WABA templates."""
    template, _created = Template.objects.for_account(line.account).update_or_create(
        account=line.account,
        waba_id=line.waba_id,
        name=item.name,
        language=item.language,
        defaults={
            "provider_id": item.provider_id,
            "category": item.category,
            "status": item.status,
            "components": item.components,
            "rejection_reason": item.rejection_reason,
            "updated_at": timezone.now(),
        },
    )
    return template


def submit_template(
    line: Line, *, name: str, language: str, category: str, components: list[dict[str, Any]]
) -> Template:
    """Validate a new template, create it at Meta and store it (PENDING until Meta decides).
    Raises ValidationError with a code (name, language, category, body, example, header,
    duplicate, provider) for forms to show."""
    validate_template(name=name, language=language, category=category, components=components)
    templates = Template.objects.for_account(line.account).filter(waba_id=line.waba_id)
    if templates.filter(name=name, language=language).exclude(status=TemplateStatus.DELETED).exists():
        raise ValidationError(_("A template with this name and language already exists."), code="duplicate")
    try:
        created = get_provider(line).create_template(name, language, category, components)
    except TransportError as error:
        raise ValidationError(
            _("WhatsApp refused the template: %(reason)s") % {"reason": error.details or error.title},
            code="provider",
        ) from error
    return store_template(line, created)


def validate_template(*, name: str, language: str, category: str, components: list[dict[str, Any]]) -> None:
    if not NAME.match(name):
        raise ValidationError(_("Use lowercase letters, digits and underscores for the name."), code="name")
    if not LANGUAGE.match(language):
        raise ValidationError(_("Use a language code such as es_AR or en."), code="language")
    if category not in TemplateCategory.values:
        raise ValidationError(_("Choose a category."), code="category")
    body = component(components, "BODY")
    text = str(body.get("text", ""))
    if not text.strip():
        raise ValidationError(_("The template needs a text."), code="body")
    if len(text) > BODY_MAX:
        raise ValidationError(
            _("The text is too long: at most %(max)d characters.") % {"max": BODY_MAX}, code="body"
        )
    _check_examples(text, body.get("example", {}), "body_text")
    header = component(components, "HEADER")
    if header and str(header.get("format", "TEXT")).upper() == "TEXT":
        header_text = str(header.get("text", ""))
        if not header_text.strip() or len(header_text) > HEADER_TEXT_MAX:
            raise ValidationError(
                _("A text header needs 1 to %(max)d characters.") % {"max": HEADER_TEXT_MAX}, code="header"
            )
        _check_examples(header_text, header.get("example", {}), "header_text")


def _check_examples(text: str, example: dict[str, Any], key: str) -> None:
    """Meta rejects a template whose variables have no example values."""
    names = variables(text)
    if not names:
        return
    positional = all(name.isdigit() for name in names)
    if positional:
        if names != [str(number) for number in range(1, len(names) + 1)]:
            raise ValidationError(_("Number the variables {{1}}, {{2}}, ... in order."), code="example")
        given = example.get(key, [])
        # The body's examples come as one list per sample ([["Ana", "42"]]), the header's flat.
        values = given[0] if given and isinstance(given[0], list) else given
        complete = len(values) == len(names) and all(str(value).strip() for value in values)
    else:
        named = {
            item.get("param_name"): item.get("example") for item in example.get(f"{key}_named_params", [])
        }
        complete = all(str(named.get(name) or "").strip() for name in names)
    if not complete:
        raise ValidationError(_("Give an example value for every variable."), code="example")
