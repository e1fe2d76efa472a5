"""What the composer posts, turned into content for the send service (INB-5, INB-12), and the
retry of a failed message (INB-4).

A retry sends the failed message's content again as a new message through ``sending.send``, with
every check of a first send (the window may have closed since); the failed one stays in the
history with Meta's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from inbox import sending
from inbox.content import Content, StoredMedia, TemplateMessage, Text
from inbox.drafts import signed
from inbox.models import MEDIA_TYPES, Line, Message, MessageStatus, MessageType, Template, TemplateStatus
from inbox.quick_replies import fill_variables
from inbox.send_errors import SendError
from inbox.templates_service import component, variables
from spoter.accounts.models import Membership


@dataclass
class TemplateForm:
    """The values a template asks for, as the composer's parameter form shows them."""

    template: Template
    header_text: list[str] = field(default_factory=list)  # variable names of a text header
    header_media: str = ""  # image / video / document: the header needs a link
    body: list[str] = field(default_factory=list)
    body_text: str = ""
    buttons: list[str] = field(default_factory=list)  # each button that takes a value (URL, code)
    # The contact's values for variables named like theirs ({{nombre}}, {{empresa}}), prefilled.
    known: Mapping[str, str] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return any(not name.isdigit() for name in self.body)

    @property
    def header_fields(self) -> list[tuple[str, str]]:
        return [(name, self.known.get(name.lower(), "")) for name in self.header_text]

    @property
    def body_fields(self) -> list[tuple[str, str]]:
        return [(name, self.known.get(name.lower(), "")) for name in self.body]


def approved_templates(line: Line) -> QuerySet[Template]:
    return Template.objects.for_account(line.account).filter(
        waba_id=line.waba_id, status=TemplateStatus.APPROVED
    )


def template_form(template: Template, known: Mapping[str, str] | None = None) -> TemplateForm:
    """The template's parameter form; ``known``: the contact's variables (quick_replies.variables_for)."""
    header = component(template.components, "HEADER")
    header_format = str(header.get("format", "TEXT")).upper() if header else ""
    body_text = str(component(template.components, "BODY").get("text", ""))
    buttons = [
        str(button.get("url") or button.get("text") or "")
        for button in component(template.components, "BUTTONS").get("buttons", [])
        if isinstance(button, dict)
        and (
            (str(button.get("type", "")).upper() == "URL" and variables(str(button.get("url", ""))))
            or str(button.get("type", "")).upper() == "COPY_CODE"
        )
    ]
    return TemplateForm(
        template,
        header_text=variables(str(header.get("text", ""))) if header_format == "TEXT" else [],
        header_media=header_format.lower() if header_format in {"IMAGE", "VIDEO", "DOCUMENT"} else "",
        body=variables(body_text),
        body_text=body_text,
        buttons=buttons,
        known=known or {},
    )


def template_content(
    template: Template, data: Mapping[str, str], known: Mapping[str, str] | None = None
) -> TemplateMessage:
    """The form's fields: header_<name> (or header_link), body_<name>, button_<n>. A value may
    hold {{variables}} (the contact's, ``known``), filled in here as in quick replies."""
    form = template_form(template)

    def value(key: str) -> str:
        return fill_variables(data.get(key, ""), known or {}).strip()

    header = [data.get("header_link", "").strip()] if form.header_media else []
    header += [value(f"header_{name}") for name in form.header_text]
    values = {name: value(f"body_{name}") for name in form.body}
    if any(not value for value in (*header, *values.values())):
        raise SendError("template_params", _("Fill in every value of the template."))
    body: list[str] | dict[str, str] = values if form.named else list(values.values())
    buttons = [data.get(f"button_{index}", "").strip() for index in range(len(form.buttons))]
    return TemplateMessage(template, header=header, body=body, buttons=buttons)


def resend(message: Message, sender: Membership) -> Message:
    """Send a failed outbound message's content again, as a new message."""
    if message.direction != "out" or message.status != MessageStatus.FAILED:
        raise SendError("not_failed", _("Only a failed message can be sent again."), conflict=True)
    return sending.send(message.conversation, _content_of(message), sender=sender)


def _content_of(message: Message) -> Content:
    payload: dict[str, Any] = message.payload if isinstance(message.payload, dict) else {}
    if message.type == MessageType.TEXT:
        return Text(_unsigned(message), preview_url=bool(payload.get("preview_url")))
    if message.type in MEDIA_TYPES and message.media is not None:
        return StoredMedia(message.media, message.type, caption=message.text)
    if message.type == MessageType.TEMPLATE:
        template_id = payload.get("template_id")
        templates = Template.objects.for_account(message.account)
        template = templates.filter(id=template_id).first() if isinstance(template_id, int) else None
        if template is not None:
            return _template_again(template, payload)
    raise SendError("not_resendable", _("This message cannot be sent again; write it anew."))


def _unsigned(message: Message) -> str:
    """The text without the operator's name the line put before it (LIN-4): send adds it again."""
    prefix = signed(message.line, message.sender, "\x00")[:-1] if message.sender else ""
    return message.text[len(prefix) :] if prefix and message.text.startswith(prefix) else message.text


def _template_again(template: Template, payload: dict[str, Any]) -> TemplateMessage:
    header: list[str] = []
    body: list[str] = []
    buttons: list[str] = []
    for part in payload.get("template", {}).get("components", []):
        values = [_parameter_value(parameter) for parameter in part.get("parameters", [])]
        kind = part.get("type")
        if kind == "header":
            header = values
        elif kind == "body":
            body = values
        elif kind == "button":
            buttons += values
    return TemplateMessage(template, header=header, body=body, buttons=buttons)


def _parameter_value(parameter: dict[str, Any]) -> str:
    value = parameter.get(str(parameter.get("type", "text")), "")
    return str(value.get("link", "")) if isinstance(value, dict) else str(value)
