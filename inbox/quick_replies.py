"""Quick replies in the composer (INB-5): ``/shortcut`` inserts the text with its variables
filled in, so the operator sees and may edit exactly what goes out."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from audience.models import Contact
from inbox.models import QuickReply
from spoter.accounts.models import Account, Membership

VARIABLE = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")


def variables_for(contact: Contact, membership: Membership) -> dict[str, str]:
    """{{nombre}}, {{apellido}}, {{operador}} and every custom field of the contact."""
    first, _space, last = (contact.name or contact.profile_name).strip().partition(" ")
    user = membership.user
    values = {str(key).lower(): str(value) for key, value in (contact.custom_fields or {}).items()}
    values.update(
        {
            "nombre": first,
            "apellido": last.strip(),
            "operador": user.get_full_name() or user.email.split("@")[0],
            "telefono": contact.phone,
        }
    )
    return values


def render_quick_reply(text: str, contact: Contact, membership: Membership) -> str:
    """The text with its {{variables}} replaced; an unknown variable becomes empty, so no
    ``{{...}}`` ever reaches a customer."""
    values = variables_for(contact, membership)
    return VARIABLE.sub(lambda match: values.get(match.group(1).lower(), ""), text)


def matching(account: Account, prefix: str, limit: int = 8) -> QuerySet[QuickReply]:
    return QuickReply.objects.for_account(account).filter(shortcut__istartswith=prefix)[:limit]
