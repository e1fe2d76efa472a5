"""Content checked against Meta's limits (FACTS.md) and shaped as the stored Message will be.

A Draft's ``payload`` holds the Graph API object for its type (template, interactive) or the
media's extras, so the stored message says exactly what went out and the transport only copies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from inbox.content import Buttons, Content, ListMenu, Media, StoredMedia, TemplateMessage, Text
from inbox.media_rules import check_media
from inbox.models import AgentIdentity, Line, MessageType, TemplateStatus
from inbox.send_errors import SendError
from inbox.templates_service import component, render, variables
from spoter.accounts.models import Membership

TEXT_MAX = 4096
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTONS_BODY_MAX = 1024
LIST_BUTTON_MAX = 20
LIST_ROWS_MAX = 10
LIST_SECTIONS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
HEADER_FOOTER_MAX = 60  # Meta's limit for interactive headers and footers
CAPTIONLESS = frozenset({"audio", "sticker"})  # WhatsApp shows no caption on these


@dataclass
class Draft:
    type: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)
    media: Media | StoredMedia | None = None
    mime_type: str = ""

    @property
    def is_template(self) -> bool:
        return self.type == MessageType.TEMPLATE


def draft(line: Line, content: Content, sender: Membership | None) -> Draft:
    """Validate one piece of content for ``line``; raise SendError with the first problem."""
    if isinstance(content, Text):
        body = _check_text(signed(line, sender, content.body), TEXT_MAX)
        return Draft(
            MessageType.TEXT, body, {"preview_url": content.preview_url} if content.preview_url else {}
        )
    if isinstance(content, Media | StoredMedia):
        return _media(line, content, sender)
    if isinstance(content, TemplateMessage):
        return _template(line, content)
    if isinstance(content, Buttons):
        return _buttons(line, content, sender)
    return _list(line, content, sender)


def signed(line: Line, sender: Membership | None, text: str) -> str:
    """LIN-4: on a line that names its operators, the operator's name in bold opens the text."""
    if line.agent_identity != AgentIdentity.OPERATOR or sender is None or not text:
        return text
    user = sender.user
    name = user.get_full_name() or user.email.split("@")[0]
    return f"*{name}*:\n{text}"


def _check_text(text: str, limit: int, *, code: str = "text_too_long") -> str:
    if not text.strip():
        raise SendError("empty", _("The message is empty."))
    if len(text) > limit:
        raise SendError(code, _("The text is too long: at most %(limit)d characters.") % {"limit": limit})
    return text


def _check_title(title: str, limit: int, *, code: str = "title_too_long") -> str:
    if not title.strip():
        raise SendError("invalid_interactive", _("Every button, row and menu needs a title."))
    if len(title) > limit:
        raise SendError(
            code,
            _("“%(title)s” is too long: at most %(limit)d characters.") % {"title": title, "limit": limit},
        )
    return title


def _unique_ids(ids: list[str]) -> None:
    if any(not id_.strip() or len(id_) > 200 for id_ in ids) or len(set(ids)) != len(ids):
        raise SendError(
            "invalid_interactive", _("Each button or row needs its own id (up to 200 characters).")
        )


def _media(line: Line, content: Media | StoredMedia, sender: Membership | None) -> Draft:
    if content.kind in CAPTIONLESS and content.caption:
        raise SendError("media_type", _("WhatsApp shows no caption on %(kind)s.") % {"kind": content.kind})
    caption = signed(line, sender, content.caption)
    if len(caption) > TEXT_MAX:
        raise SendError(
            "text_too_long", _("The caption is too long: at most %(limit)d characters.") % {"limit": TEXT_MAX}
        )
    if isinstance(content, Media):
        mime_type, filename = check_media(content.kind, content.data, content.filename), content.filename
    else:
        media = content.media
        if media.account_id != line.account_id:
            raise ValueError("a media file of another account")
        if media.state != media.State.READY:
            raise SendError("media_type", _("The file is not available yet."), conflict=True)
        with media.file.open("rb") as file:
            mime_type, filename = check_media(content.kind, file.read(), media.filename), media.filename
    payload = {"filename": filename} if content.kind == "document" and filename else {}
    return Draft(content.kind, caption, payload, media=content, mime_type=mime_type)


def _template(line: Line, content: TemplateMessage) -> Draft:
    template = content.template
    if template.account_id != line.account_id:
        raise ValueError("a template of another account")
    if template.status != TemplateStatus.APPROVED or template.waba_id != line.waba_id:
        raise SendError(
            "template_not_approved",
            _("The template “%(name)s” is not approved for this line.") % {"name": template.name},
            conflict=True,
        )
    components: list[dict[str, Any]] = []
    header = component(template.components, "HEADER")
    header_format = str(header.get("format", "TEXT")).upper() if header else ""
    if header_format in {"IMAGE", "VIDEO", "DOCUMENT"}:
        if len(content.header) != 1 or not content.header[0].startswith("https://"):
            raise _params_error(_("The template's header needs one https link to its file."))
        kind = header_format.lower()
        components.append(
            {"type": "header", "parameters": [{"type": kind, kind: {"link": content.header[0]}}]}
        )
    else:
        names = variables(str(header.get("text", ""))) if header_format == "TEXT" else []
        if names:
            components.append({"type": "header", "parameters": _text_parameters(names, content.header)})
        elif content.header:
            raise _params_error(_("The template's header takes no values."))
    body_text = str(component(template.components, "BODY").get("text", ""))
    names = variables(body_text)
    body = _text_parameters(names, content.body) if names else []
    if body:
        components.append({"type": "body", "parameters": body})
    elif content.body:
        raise _params_error(_("The template's text takes no values."))
    components += _button_parameters(template.components, content.buttons)
    shown = render(body_text, {name: parameter["text"] for name, parameter in zip(names, body, strict=True)})
    payload = {
        "template": {
            "name": template.name,
            "language": {"code": template.language},
            "components": components,
        },
        "template_id": template.id,
    }
    return Draft(MessageType.TEMPLATE, shown, payload)


def _params_error(message: str) -> SendError:
    return SendError("template_params", message)


def _text_parameters(names: list[str], values: list[str] | dict[str, str]) -> list[dict[str, str]]:
    if isinstance(values, dict):
        if set(values) != set(names):
            raise _params_error(_("The template needs values for: %(names)s.") % {"names": ", ".join(names)})
        ordered = [values[name] for name in names]
    else:
        if len(values) != len(names):
            raise _params_error(
                _("The template needs %(expected)d values, not %(given)d.")
                % {"expected": len(names), "given": len(values)}
            )
        ordered = list(values)
    if any(not value.strip() for value in ordered):
        raise _params_error(_("Template values cannot be empty."))
    parameters = []
    for name, value in zip(names, ordered, strict=True):
        parameter = {"type": "text", "text": value}
        if not name.isdigit():  # named parameters ({{first_name}}) say which one they fill
            parameter["parameter_name"] = name
        parameters.append(parameter)
    return parameters


def _button_parameters(components: list[dict[str, Any]], values: list[str]) -> list[dict[str, Any]]:
    buttons = component(components, "BUTTONS").get("buttons", [])
    variable = [
        (index, str(button.get("type", "")).upper())
        for index, button in enumerate(buttons)
        if (str(button.get("type", "")).upper() == "URL" and variables(str(button.get("url", ""))))
        or str(button.get("type", "")).upper() == "COPY_CODE"
    ]
    if len(values) != len(variable) or any(not value.strip() for value in values):
        raise _params_error(_("The template's buttons need %(count)d values.") % {"count": len(variable)})
    result = []
    for (index, kind), value in zip(variable, values, strict=True):
        parameter = (
            {"type": "text", "text": value}
            if kind == "URL"
            else {"type": "coupon_code", "coupon_code": value}
        )
        result.append(
            {"type": "button", "sub_type": kind.lower(), "index": str(index), "parameters": [parameter]}
        )
    return result


def _frame(interactive: dict[str, Any], header: str, footer: str) -> dict[str, Any]:
    if header:
        interactive["header"] = {"type": "text", "text": _check_text(header, HEADER_FOOTER_MAX)}
    if footer:
        interactive["footer"] = {"text": _check_text(footer, HEADER_FOOTER_MAX)}
    return interactive


def _buttons(line: Line, content: Buttons, sender: Membership | None) -> Draft:
    body = _check_text(signed(line, sender, content.body), BUTTONS_BODY_MAX)
    if not 1 <= len(content.buttons) <= BUTTONS_MAX:
        raise SendError("too_many_buttons", _("Send between 1 and %(max)d buttons.") % {"max": BUTTONS_MAX})
    _unique_ids([id_ for id_, _title in content.buttons])
    buttons = [
        {"type": "reply", "reply": {"id": id_, "title": _check_title(title, BUTTON_TITLE_MAX)}}
        for id_, title in content.buttons
    ]
    interactive = {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    return Draft(
        MessageType.INTERACTIVE, body, {"interactive": _frame(interactive, content.header, content.footer)}
    )


def _list(line: Line, content: ListMenu, sender: Membership | None) -> Draft:
    body = _check_text(signed(line, sender, content.body), TEXT_MAX)
    button = _check_title(content.button, LIST_BUTTON_MAX)
    rows = [row for section in content.sections for row in section.rows]
    if not rows or len(rows) > LIST_ROWS_MAX or len(content.sections) > LIST_SECTIONS_MAX:
        raise SendError(
            "too_many_rows", _("A list holds between 1 and %(max)d rows.") % {"max": LIST_ROWS_MAX}
        )
    _unique_ids([row.id for row in rows])
    sections = []
    for section in content.sections:
        shaped: dict[str, Any] = {"rows": []}
        if section.title or len(content.sections) > 1:  # Meta requires titles when there are several
            shaped["title"] = _check_title(section.title, ROW_TITLE_MAX)
        for row in section.rows:
            item = {"id": row.id, "title": _check_title(row.title, ROW_TITLE_MAX)}
            if row.description:
                item["description"] = _check_title(
                    row.description, ROW_DESCRIPTION_MAX, code="description_too_long"
                )
            shaped["rows"].append(item)
        sections.append(shaped)
    interactive = {"type": "list", "body": {"text": body}, "action": {"button": button, "sections": sections}}
    return Draft(
        MessageType.INTERACTIVE, body, {"interactive": _frame(interactive, content.header, content.footer)}
    )
