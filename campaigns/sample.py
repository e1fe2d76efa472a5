"""One recipient's message as their phone shows it, for the preview (CAM-2).

The content is campaigns.content.message_for's, the very one the runner sends; a template is
shown with its values put into its text the way inbox.drafts writes the sent message's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audience.models import Contact
from campaigns.content import message_for
from campaigns.models import Campaign
from inbox.content import Content, TemplateMessage, Text
from inbox.send_errors import SendError
from inbox.templates_service import component, render, variables


@dataclass(frozen=True)
class Shown:
    body: str = ""
    header: str = ""
    header_link: str = ""  # a media header's file
    footer: str = ""
    buttons: list[str] = field(default_factory=list)
    error: str = ""  # why this contact would get nothing


def sample(campaign: Campaign, contact: Contact) -> Shown:
    try:
        content = message_for(campaign, contact)
    except SendError as refused:
        return Shown(error=refused.message)
    return shown(content)


def shown(content: Content) -> Shown:
    if isinstance(content, Text):
        return Shown(body=content.body)
    if isinstance(content, TemplateMessage):
        return _template(content)
    raise TypeError(f"a campaign does not send {type(content).__name__}")


def _template(content: TemplateMessage) -> Shown:
    components = content.template.components
    header = component(components, "HEADER")
    header_format = str(header.get("format", "TEXT")).upper() if header else ""
    header_text, header_link = "", ""
    if header_format == "TEXT":
        text = str(header.get("text", ""))
        header_text = render(text, dict(zip(variables(text), content.header, strict=False)))
    elif header_format and content.header:
        header_link = content.header[0]
    body = str(component(components, "BODY").get("text", ""))
    names = variables(body)
    values = content.body if isinstance(content.body, dict) else dict(zip(names, content.body, strict=False))
    buttons = component(components, "BUTTONS").get("buttons", [])
    filled = iter(content.buttons)
    labels = []
    for button in buttons:
        if not isinstance(button, dict):
            continue
        label = str(button.get("text", ""))
        url = str(button.get("url", ""))
        if str(button.get("type", "")).upper() == "URL" and variables(url):
            label = f"{label} ({render(url, dict.fromkeys(variables(url), next(filled, '')))})"
        elif str(button.get("type", "")).upper() == "COPY_CODE":
            label = f"{label}: {next(filled, '')}"
        labels.append(label)
    return Shown(
        body=render(body, values),
        header=header_text,
        header_link=header_link,
        footer=str(component(components, "FOOTER").get("text", "")),
        buttons=labels,
    )
