"""One row of an upload read into contact values (AUD-2), or the reason it cannot be: phones in
the account's country (spreadsheets' numbers included), emails, DNIs, custom fields, tags and
consent."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audience.fields import Value, coerce_value
from audience.models import CustomField
from audience.phones import normalize_phone, validate_dni
from audience.tags import MAX_NAME

PHONE = "phone"
TAGS = "tags"
CONSENT = "consent"
FIELD_PREFIX = "field:"
# Attribute: its column's max length and the error past it.
TEXTS = {
    "name": (200, gettext_lazy("The name has more than 200 characters.")),
    "nickname": (100, gettext_lazy("The nickname has more than 100 characters.")),
}
SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE]\+?\d+\s*$")  # 1.12233E+10, as Excel shows numbers
YES = {"si", "sí", "s", "yes", "y", "1", "x", "true", "verdadero", "ok"}
NO = {"no", "n", "0", "false", "falso", ""}
TAG_SEPARATORS = re.compile(r"[,;]")


@dataclass
class Row:
    """A valid row's values; empty ones are left out so they never overwrite."""

    number: int
    phone: str
    attributes: dict[str, str] = field(default_factory=dict)  # name, nickname, email, dni
    custom: dict[str, Value] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    consent: bool = False


def phone_of(cell: object, country: str) -> str:
    """E.164, reading a spreadsheet's number (5491122334455.0, "1.12233E+10") as its digits
    when it is a whole number."""
    if isinstance(cell, str) and SCIENTIFIC.match(cell):
        try:
            number = Decimal(cell.strip().replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if number.is_finite() and number == number.to_integral_value():
            cell = int(number)
    return normalize_phone(cell, country)


def read_row(
    number: int, cells: list[object], mapping: dict[int, str], fields: dict[str, CustomField], country: str
) -> Row:
    """The row's values; ValidationError with the first problem found."""
    row = Row(number=number, phone="")
    for index, target in mapping.items():
        cell = cells[index] if index < len(cells) else None
        if target == PHONE:
            row.phone = phone_of(cell, country)
        else:
            _read_cell(row, target, cell, fields)
    return row


def _read_cell(row: Row, target: str, cell: object, fields: dict[str, CustomField]) -> None:
    if target.startswith(FIELD_PREFIX):
        value = coerce_value(fields[target.removeprefix(FIELD_PREFIX)], cell)
        if value is not None:
            row.custom[target.removeprefix(FIELD_PREFIX)] = value
        return
    text = "" if cell is None else " ".join(str(cell).split())
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    if target == TAGS:
        row.tags.extend(_tags(text))
    elif target == CONSENT:
        row.consent = _consent(text)
    elif not text:
        return
    elif target == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_("%(value)s is not a valid email.") % {"value": text[:60]}) from None
        row.attributes["email"] = text.lower()
    elif target == "dni":
        row.attributes["dni"] = validate_dni(text)
    else:
        limit, error = TEXTS[target]
        if len(text) > limit:
            raise ValidationError(str(error))
        row.attributes[target] = text


def _tags(text: str) -> list[str]:
    names = [" ".join(name.split()) for name in TAG_SEPARATORS.split(text)]
    for name in names:
        if len(name) > MAX_NAME:
            raise ValidationError(_("A tag has at most %(max)d characters.") % {"max": MAX_NAME})
    return [name for name in names if name]


def _consent(text: str) -> bool:
    folded = text.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ValidationError(_("Consent must be yes or no, not %(value)s.") % {"value": text[:20]})
