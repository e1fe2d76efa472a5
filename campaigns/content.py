"""What a campaign says to one contact: its template or text with the contact's variables."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from audience.models import Contact
from campaigns.models import DEFAULT_OPT_OUT_KEYWORDS, Campaign, ContentKind, OptOutSettings
from inbox.compose import template_content
from inbox.content import Content, Text
from inbox.quick_replies import fill_variables, variables_for
from inbox.send_errors import SendError
from spoter.accounts.models import Account


def keywords(account: Account) -> list[str]:
    """The account's opt-out words, upper-cased (CAM-1)."""
    settings = OptOutSettings.objects.for_account(account).filter(account=account).first()
    raw = settings.keywords if settings else DEFAULT_OPT_OUT_KEYWORDS
    return [word.strip().upper() for word in raw.split(",") if word.strip()]


def footer(account: Account) -> str:
    """ "Escribí 0 para no recibir más mensajes", with the account's first keyword."""
    words = keywords(account) or ["0"]
    with translation.override(account.language):
        return _("Write %(keyword)s to stop receiving these messages.") % {"keyword": words[0]}


def message_for(campaign: Campaign, contact: Contact) -> Content:
    """The campaign's content for ``contact``; raises SendError when a template value is left
    empty for this contact (no fallback and no value)."""
    values = variables_for(contact, campaign.created_by)
    if campaign.kind == ContentKind.TEMPLATE:
        if campaign.template is None:
            raise SendError("template_missing", _("The campaign has no template."))
        return template_content(campaign.template, campaign.template_values, values)
    body = fill_variables(campaign.text, values).strip()
    if campaign.opt_out_footer:
        body = f"{body}\n\n{footer(campaign.account)}"
    return Text(body)
