"""Which column of an upload goes where (AUD-2): the targets a column can be mapped to, the guess
made from its title (Spanish or English) or from the account's last import, and the check that a
mapping makes sense (exactly one phone column)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audience.imports.values import CONSENT, FIELD_PREFIX, PHONE, TAGS, phone_of
from audience.models import ContactImport, CustomField, JobState
from spoter.accounts.models import Account

# Contact attributes a column can fill, in the order the select lists them.
ATTRIBUTES = {
    "": gettext_lazy("Ignore"),
    PHONE: gettext_lazy("Phone"),
    "name": gettext_lazy("Name"),
    "nickname": gettext_lazy("Nickname"),
    "email": gettext_lazy("Email"),
    "dni": gettext_lazy("DNI"),
    TAGS: gettext_lazy("Tags (separated by commas)"),
    CONSENT: gettext_lazy("Consent to marketing messages (yes/no)"),
}
# Column titles people use, folded (lower case, no accents, no spaces or punctuation).
TITLES = {
    PHONE: {"telefono", "tel", "celular", "cel", "movil", "whatsapp", "wa", "phone", "mobile", "numero"},
    "name": {"nombre", "name", "nombreyapellido", "nombrecompleto", "fullname"},
    "nickname": {"apodo", "nickname", "alias"},
    "email": {"email", "correo", "mail", "correoelectronico", "emailaddress"},
    "dni": {"dni", "documento", "nrodedocumento", "numerodedocumento"},
    TAGS: {"etiquetas", "etiqueta", "tags", "tag"},
    CONSENT: {"consentimiento", "consent", "aceptamarketing", "optin"},
}


def fold(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.casefold())
    return "".join(char for char in text if char.isalnum() and not unicodedata.combining(char))


def targets(fields: list[CustomField]) -> list[tuple[str, str]]:
    """(value, label) of every target, the account's custom fields last."""
    choices = [(value, str(label)) for value, label in ATTRIBUTES.items()]
    return choices + [(f"{FIELD_PREFIX}{field.key}", field.label) for field in fields]


def guess(account: Account, contact_import: ContactImport, fields: list[CustomField]) -> dict[str, str]:
    """The preselected target of each column: by its title, else as the account's last import
    mapped a column with the same title. A target is guessed for one column only."""
    valid = {value for value, _label in targets(fields)}
    by_title = {title: target for target, titles in TITLES.items() for title in titles}
    by_title.update({fold(field.key): f"{FIELD_PREFIX}{field.key}" for field in fields})
    by_title.update({fold(field.label): f"{FIELD_PREFIX}{field.key}" for field in fields})
    remembered = _last_mapping(account, contact_import)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(contact_import.headers):
        folded = fold(header)
        target = by_title.get(folded) or remembered.get(folded, "")
        if target in valid and target not in taken:
            mapping[str(index)] = target
            if target:
                taken.add(target)
        else:
            mapping[str(index)] = ""
    return mapping


def _last_mapping(account: Account, contact_import: ContactImport) -> dict[str, str]:
    last = (
        ContactImport.objects.for_account(account)
        .exclude(id=contact_import.id)
        .exclude(state=JobState.PENDING)
        .order_by("-created_at", "-id")
        .only("headers", "mapping")
        .first()
    )
    if last is None:
        return {}
    return {
        fold(header): last.mapping.get(str(index), "")
        for index, header in enumerate(last.headers)
        if str(index) in last.mapping
    }


def validate(mapping: dict[str, str], fields: list[CustomField]) -> None:
    """ValidationError unless exactly one column is the phone and no other target repeats."""
    valid = {value for value, _label in targets(fields)}
    used = [target for target in mapping.values() if target]
    if any(target not in valid for target in used):
        raise ValidationError(_("Choose a target from the list for every column."))
    phones = used.count(PHONE)
    if phones == 0:
        raise ValidationError(_("Choose which column has the phone numbers."))
    if phones > 1:
        raise ValidationError(_("Only one column can be the phone: choose one."))
    repeated = sorted({target for target in used if target != TAGS and used.count(target) > 1})
    if repeated:
        labels = dict(targets(fields))
        raise ValidationError(
            _("Each target can be chosen for one column only: %(targets)s.")
            % {"targets": ", ".join(labels[target] for target in repeated)}
        )


def could_be_phone(headers: list[str], sample: list[list[object]], country: str) -> bool:
    """Whether some column is titled like a phone or holds a phone number in the first rows."""
    if any(fold(header) in TITLES[PHONE] for header in headers):
        return True
    for row in sample:
        for cell in row:
            try:
                phone_of(cell, country)
            except ValidationError:
                continue
            return True
    return False
