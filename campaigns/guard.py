"""The anti-spam warnings of the preview (CAM-6): what makes people report a campaign as spam and
gets the line's quality down, or the number blocked.

They warn, they do not forbid: starting a campaign with warnings asks the supervisor to say they
have read them (campaigns.preview_views). What *cannot* start is services.problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.audience import Selection, tier_room
from campaigns.models import Campaign, ContentKind
from inbox.quick_replies import VARIABLE
from inbox.templates_service import component

# Links: a scheme, www., or a bare domain with a usual ending (bit.ly/x, tienda.com.ar).
LINK = re.compile(r"https?://|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|ar|io|ly|me|co|info|link|app)\b", re.I)
IDENTICAL_MAX = 100  # more identical messages than this look like a bulk send to WhatsApp's filters
FREE_TEXT_MANY = 50  # free text to more people than this reads as a broadcast, not a conversation
GOOD_QUALITY = {"", "GREEN"}


@dataclass(frozen=True)
class Caution:
    """One warning: ``code`` for programs and tests, ``message`` for people."""

    code: str
    message: str


def warnings(campaign: Campaign, selection: Selection) -> list[Caution]:
    """The campaign's warnings for the recipients ``selection`` holds now."""
    recipients = selection.recipients
    count = recipients.count()
    found: list[Caution] = []
    words = _words(campaign)
    if any(LINK.search(text) for text in words):
        strangers = recipients.filter(last_seen_at=None).count()
        if strangers:
            found.append(
                Caution(
                    "links_to_strangers",
                    ngettext(
                        "The message has a link and %(count)d recipient never wrote to you: "
                        "links from unknown senders are reported as spam.",
                        "The message has a link and %(count)d recipients never wrote to you: "
                        "links from unknown senders are reported as spam.",
                        strangers,
                    )
                    % {"count": strangers},
                )
            )
    if count > IDENTICAL_MAX and not any(VARIABLE.search(text) for text in _values(campaign)):
        found.append(
            Caution(
                "identical",
                _(
                    "All %(count)d recipients get exactly the same message: add a variable such as "
                    "{{nombre}} so each one reads their own."
                )
                % {"count": count},
            )
        )
    room = tier_room(campaign.line)
    wanted = count + selection.excluded.get("over_tier", 0)
    if room is not None and campaign.kind == ContentKind.TEMPLATE and wanted > room:
        found.append(
            Caution(
                "over_tier",
                _(
                    "The audience (%(count)d) is larger than what the line's messaging tier lets it "
                    "reach today (%(room)d): the rest are left out."
                )
                % {"count": wanted, "room": room},
            )
        )
    quality = (campaign.line.quality_rating or "").upper()
    if quality not in GOOD_QUALITY:
        found.append(
            Caution(
                "quality",
                _("The line's quality rating is %(rating)s: another campaign may get the number limited.")
                % {"rating": quality},
            )
        )
    if campaign.kind == ContentKind.TEXT and count > FREE_TEXT_MANY:
        found.append(
            Caution(
                "free_text_many",
                _(
                    "Free text to %(count)d contacts: customers expect a reply to what they wrote, "
                    "not a broadcast. Use an approved marketing template."
                )
                % {"count": count},
            )
        )
    return found


def _values(campaign: Campaign) -> list[str]:
    """What the campaign fills in: its text, or its template's values."""
    if campaign.kind == ContentKind.TEXT:
        return [campaign.text]
    return [str(value) for value in (campaign.template_values or {}).values()]


def _words(campaign: Campaign) -> list[str]:
    """Everything the recipient reads: the values, and the template's own texts and button links."""
    texts = _values(campaign)
    template = campaign.template if campaign.kind == ContentKind.TEMPLATE else None
    if template is not None:
        components = template.components
        texts += [str(component(components, kind).get("text", "")) for kind in ("HEADER", "BODY", "FOOTER")]
        buttons = component(components, "BUTTONS").get("buttons", [])
        texts += [str(button.get("url", "")) for button in buttons if isinstance(button, dict)]
    return texts
