"""Quick replies in the composer (INB-5): ``/shortcut`` inserts the text with its variables
filled in, so the operator sees and may edit exactly what goes out."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from audience.models import Contact
from inbox.models import QuickReply
from spoter.accounts.models import Account, Membership, Role

# {{name}}, or {{name|fallback}}: the fallback goes out when the contact has no value.
VARIABLE = re.compile(r"\{\{\s*([^{}|\s]+)\s*(?:\|([^{}]*))?\}\}")


def variables_for(contact: Contact, membership: Membership | None) -> dict[str, str]:
    """{{nombre}}, {{apellido}}, {{apodo}}, {{email}}, {{telefono}}, {{operador}} (empty without
    a member) and every custom field of the contact (audience.custom_fields refuses those names)."""
    first, _space, last = (contact.name or contact.profile_name).strip().partition(" ")
    values = {str(key).lower(): str(value) for key, value in (contact.custom_fields or {}).items()}
    values.update(
        {
            "nombre": first,
            "apellido": last.strip(),
            "operador": _operator_name(membership),
            "telefono": contact.phone,
            "apodo": contact.nickname,
            "email": contact.email,
        }
    )
    return values


def _operator_name(membership: Membership | None) -> str:
    if membership is None:
        return ""
    user = membership.user
    return user.get_full_name() or user.email.split("@")[0]


def render_quick_reply(text: str, contact: Contact, membership: Membership) -> str:
    return fill_variables(text, variables_for(contact, membership))


def fill_variables(text: str, values: Mapping[str, str]) -> str:
    """The text with its {{variables}} replaced; an unknown or empty one becomes its fallback
    ({{nombre|cliente}}) or nothing, so no ``{{...}}`` ever reaches a customer."""
    return VARIABLE.sub(
        lambda match: values.get(match.group(1).lower(), "") or (match.group(2) or "").strip(), text
    )


def matching(account: Account, prefix: str, limit: int = 8) -> QuerySet[QuickReply]:
    return QuickReply.objects.for_account(account).filter(shortcut__istartswith=prefix)[:limit]


class ShortcutTakenError(Exception):
    """Another quick reply of the account uses the shortcut (case-insensitively)."""


def _check_editor(quick_reply: QuickReply, by: Membership) -> None:
    if by.account_id != quick_reply.account_id:
        raise ValueError("a member of another account")
    if not by.role_enum.at_least(Role.SUPERVISOR):
        raise PermissionDenied


def save_quick_reply(quick_reply: QuickReply, *, shortcut: str, text: str, by: Membership) -> QuickReply:
    """Create or edit a quick reply (supervisors and admins). The unique constraint decides
    between two people saving the same shortcut at once."""
    _check_editor(quick_reply, by)
    quick_reply.shortcut, quick_reply.text = shortcut, text
    try:
        with transaction.atomic():
            quick_reply.save()
    except IntegrityError:
        raise ShortcutTakenError(shortcut) from None
    return quick_reply


def delete_quick_reply(quick_reply: QuickReply, *, by: Membership) -> None:
    _check_editor(quick_reply, by)
    quick_reply.delete()
