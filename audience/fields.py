"""Custom field values (AUD-1): what a form, an import or the API writes into
Contact.custom_fields[key], checked against the field's type. Numbers are stored as JSON numbers
and dates as "YYYY-MM-DD", so filters compare them in order (audience.filters)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audience.models import CustomField, FieldKind

MAX_TEXT = 500
EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 of Excel's 1900 date system
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%d", "%Y/%m/%d")
Value = str | int | float | None


def coerce_value(field: CustomField, raw: object) -> Value:
    """The value to store for ``raw`` (text from a form or a file, or a spreadsheet's own
    number or date); None when empty; ValidationError naming the field when it does not fit."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if field.kind == FieldKind.NUMBER:
        return _number(field, raw)
    if field.kind == FieldKind.DATE:
        return _date(field, raw).isoformat()
    text = " ".join(str(raw).split())
    if field.kind == FieldKind.CHOICE:
        for choice in field.choices:
            if str(choice).casefold() == text.casefold():
                return str(choice)
        raise ValidationError(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": field.label, "choices": ", ".join(map(str, field.choices))}
        )
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("%(field)s: at most %(max)d characters.") % {"field": field.label, "max": MAX_TEXT}
        )
    return text


def _number(field: CustomField, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise ValidationError(_("%(field)s must be a number.") % {"field": field.label})
    if isinstance(raw, int | float):
        number = Decimal(str(raw))
    else:
        # "1.234,5" as written in Argentina, "1234.5" as computers write it.
        text = str(raw).strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(_("%(field)s must be a number.") % {"field": field.label})
    return int(number) if number == number.to_integral_value() else float(number)


def _date(field: CustomField, raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if (
        isinstance(raw, int | float) and not isinstance(raw, bool) and 0 < raw < 2_958_466
    ):  # Excel's last day, 9999-12-31
        return EXCEL_EPOCH + timedelta(days=int(raw))
    text = str(raw).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # a calendar day, no zone
        except ValueError:
            continue
    raise ValidationError(_("%(field)s must be a date such as 31/12/2024.") % {"field": field.label})
