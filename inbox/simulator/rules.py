"""Meta's rules for a message the business posts, and how the phone shows it.

`check_message` validates a `/messages` body as the Graph API does (FACTS.md limits and error
codes) and returns what the phone page needs; `GraphError` carries Meta's error JSON.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from inbox.simulator.models import SimMedia, SimNumber, SimTemplate

MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")
CAPTIONED = ("image", "video", "document")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


class GraphError(Exception):
    """An error answer of the Graph API: ``{"error": {message, type, code, error_data, ...}}``."""

    def __init__(
        self, code: int, message: str, *, status: int = 400, details: str = "", subcode: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details or message
        self.subcode = subcode

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {self.message}",
            "type": "OAuthException",
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": secrets.token_urlsafe(12),
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def invalid(details: str) -> GraphError:
    return GraphError(100, "Invalid parameter", details=details)


@dataclass
class Outgoing:
    """A validated business message: what the simulator stores and the phone shows."""

    type: str
    text: str = ""
    media: SimMedia | None = None
    template: SimTemplate | None = None
    display: dict[str, Any] = field(default_factory=dict)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def text_of(obj: Any, key: str, limit: int, *, where: str, required: bool = True) -> str:
    value = obj.get(key, "") if isinstance(obj, dict) else ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise invalid(f"{where}['{key}'] is required")
    if len(value) > limit:
        raise invalid(f"{where}['{key}'] must be at most {limit} characters long")
    return value


def check_message(number: SimNumber, body: dict[str, Any]) -> Outgoing:
    if body.get("messaging_product") != "whatsapp":
        raise invalid("messaging_product must be 'whatsapp'")
    kind = body.get("type", "text")
    obj = body.get(kind)
    if kind == "contacts" and isinstance(obj, list) and obj:
        names = [str(as_dict(as_dict(contact).get("name")).get("formatted_name", "")) for contact in obj]
        return Outgoing("contacts", text=", ".join(filter(None, names)))
    if not isinstance(obj, dict):
        raise invalid(f"The parameter {kind} is required")
    if kind == "text":
        return Outgoing("text", text=text_of(obj, "body", 4096, where="text"))
    if kind in MEDIA_KINDS:
        return _media(number, kind, obj)
    if kind == "interactive":
        return _interactive(number, obj)
    if kind == "template":
        return _template(number, obj)
    if kind == "reaction":
        return Outgoing(
            "reaction", text=str(obj.get("emoji", "")), display={"reacts_to": str(obj.get("message_id", ""))}
        )
    if kind == "location":
        return Outgoing(
            "location", text=" ".join(str(obj.get(key, "")) for key in ("name", "address")).strip()
        )
    if kind == "contacts" and isinstance(obj, list) and obj:
        names = [
            str(contact.get("name", {}).get("formatted_name", ""))
            for contact in obj
            if isinstance(contact, dict)
        ]
        return Outgoing("contacts", text=", ".join(filter(None, names)))
    raise invalid(f"Unsupported message type: {kind}")


def _media(number: SimNumber, kind: str, obj: dict[str, Any]) -> Outgoing:
    caption = text_of(obj, "caption", 1024, where=kind, required=False) if kind in CAPTIONED else ""
    display: dict[str, Any] = {"filename": str(obj.get("filename", ""))}
    media = None
    if media_id := obj.get("id"):
        media = SimMedia.objects.filter(number=number, media_id=str(media_id)).first()
        if media is None:
            raise GraphError(131053, "Media upload error", details=f"Media id {media_id} was not found")
    elif isinstance(link := obj.get("link"), str) and link.startswith(("http://", "https://")):
        display["link"] = link
    else:
        raise invalid(f"{kind} needs an id or an http(s) link")
    return Outgoing(kind, text=caption, media=media, display=display)


def _interactive(number: SimNumber, obj: dict[str, Any]) -> Outgoing:
    kind = obj.get("type")
    action = as_dict(obj.get("action"))
    display: dict[str, Any] = {
        "header": text_of(
            as_dict(obj.get("header")), "text", 60, where="interactive['header']", required=False
        ),
        "footer": text_of(
            as_dict(obj.get("footer")), "text", 60, where="interactive['footer']", required=False
        ),
    }
    if kind == "button":
        body = text_of(obj.get("body"), "text", 1024, where="interactive['body']")
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise invalid("interactive['action']['buttons'] must have between 1 and 3 elements")
        display["buttons"] = [
            {
                "id": text_of(button.get("reply"), "id", 256, where="button['reply']"),
                "title": text_of(button.get("reply"), "title", 20, where="button['reply']"),
            }
            for button in buttons
            if isinstance(button, dict)
        ]
        if len({button["title"] for button in display["buttons"]}) != len(buttons):
            raise invalid("Button titles must be unique")
        return Outgoing("interactive", text=body, display=display)
    if kind == "list":
        body = text_of(obj.get("body"), "text", 4096, where="interactive['body']")
        sections = action.get("sections")
        if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
            raise invalid("interactive['action']['sections'] must have between 1 and 10 elements")
        shown: list[dict[str, Any]] = []
        for section in sections:
            rows = section.get("rows") if isinstance(section, dict) else None
            if not isinstance(rows, list) or not rows:
                raise invalid("Each section needs rows")
            shown.append(
                {
                    "title": text_of(section, "title", 24, where="section", required=len(sections) > 1),
                    "rows": [
                        {
                            "id": text_of(row, "id", 200, where="row"),
                            "title": text_of(row, "title", 24, where="row"),
                            "description": text_of(row, "description", 72, where="row", required=False),
                        }
                        for row in rows
                    ],
                }
            )
        if sum(len(section["rows"]) for section in shown) > 10:
            raise invalid("A list may have at most 10 rows in total")
        display["list"] = {"button": text_of(action, "button", 20, where="action"), "sections": shown}
        return Outgoing("interactive", text=body, display=display)
    raise invalid(f"Unsupported interactive type: {kind}")


def _template(number: SimNumber, obj: dict[str, Any]) -> Outgoing:
    name = str(obj.get("name", ""))
    language = obj.get("language")
    code = str(language.get("code", "")) if isinstance(language, dict) else ""
    template = SimTemplate.objects.filter(waba_id=number.waba_id, name=name, language=code).first()
    if template is None or template.status not in ("APPROVED", "PAUSED", "DISABLED"):
        raise GraphError(
            132001,
            "Template name does not exist in the translation",
            details=f"template name ({name}) does not exist in {code}",
        )
    if template.status == "PAUSED":
        raise GraphError(132015, "Template is Paused", details=f"template {name} is paused")
    if template.status == "DISABLED":
        raise GraphError(132016, "Template is Disabled", details=f"template {name} is disabled")
    given = {
        str(component.get("type", "")).upper(): component.get("parameters") or []
        for component in obj.get("components") or []
        if isinstance(component, dict) and component.get("type") != "button"
    }
    display: dict[str, Any] = {"quick_replies": [], "links": []}
    text = ""
    for component in template.components:
        kind = str(component.get("type", "")).upper()
        if kind == "HEADER" and component.get("format", "TEXT") == "TEXT":
            display["header"] = _fill(component.get("text", ""), given.get("HEADER", []))
        elif kind == "HEADER":
            display["header_media"] = _header_media(given.get("HEADER", []))
        elif kind == "BODY":
            text = _fill(component.get("text", ""), given.get("BODY", []))
        elif kind == "FOOTER":
            display["footer"] = component.get("text", "")
        elif kind == "BUTTONS":
            _template_buttons(component.get("buttons") or [], obj.get("components") or [], display)
    return Outgoing("template", text=text, template=template, display=display)


def _fill(text: str, parameters: list[Any]) -> str:
    """Put parameters into {{1}} or {{name}} placeholders; a mismatch is Meta's 132000."""
    wanted = list(dict.fromkeys(PLACEHOLDER.findall(text)))
    values: dict[str, str] = {}
    for index, parameter in enumerate(parameters, start=1):
        if not isinstance(parameter, dict):
            continue
        kind = parameter.get("type", "text")
        value = parameter.get(kind)
        if isinstance(value, dict):  # currency and date_time carry a fallback value
            value = value.get("fallback_value", "")
        values[str(parameter.get("parameter_name") or index)] = str(value or "")
    if sorted(values) != sorted(wanted):
        raise GraphError(
            132000,
            "Number of parameters does not match the expected number of params",
            details=f"expected {len(wanted)} parameters ({', '.join(wanted)}), got {len(values)}",
        )
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _header_media(parameters: list[Any]) -> str:
    for parameter in parameters:
        if isinstance(parameter, dict) and isinstance(
            media := parameter.get(parameter.get("type", "")), dict
        ):
            return str(media.get("link") or media.get("id") or "")
    raise GraphError(
        132000,
        "Number of parameters does not match the expected number of params",
        details="header media is required",
    )


def _template_buttons(buttons: list[Any], sent: list[Any], display: dict[str, Any]) -> None:
    payloads = {
        str(component.get("index", "")): (component.get("parameters") or [{}])[0]
        for component in sent
        if isinstance(component, dict) and component.get("type") == "button"
    }
    for index, button in enumerate(buttons):
        parameter = payloads.get(str(index), {})
        if button.get("type") == "QUICK_REPLY":
            title = str(button.get("text", ""))
            display["quick_replies"].append(
                {"payload": str(parameter.get("payload") or title), "text": title}
            )
        elif button.get("type") == "URL":
            url = PLACEHOLDER.sub(str(parameter.get("text", "")), str(button.get("url", "")))
            display["links"].append({"title": str(button.get("text", "")), "url": url})
