"""Phone numbers and DNIs as people write them (AUD-1): one reading for forms, imports and the API.

Numbers without a country code are read in the account's country (Argentina by default), so
"011 15-2233-4455", "11 2233-4455" and "+54 9 11 2233-4455" are all +5491122334455. In Argentina
a mobile written without its "15" reads as a landline; WhatsApp numbers are mobiles (their wa_id
carries the 9), so a number that is valid both ways is taken as the mobile one.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DNI = re.compile(r"^\d{7,8}$")
E164 = phonenumbers.PhoneNumberFormat.E164
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_phone(raw: object, country: str = "AR") -> str:
    """The number in E.164 ("+5491122334455"); ValidationError when it is not a valid number.
    Spreadsheets hand numbers over as numbers: 5491122334455.0 reads as its digits."""
    text = _as_text(raw)
    if not text:
        raise ValidationError(_("Write a phone number."), code="required")
    try:
        number = phonenumbers.parse(text, country.upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        # International numbers pasted without "+" ("5491122334455", a wa_id).
        number = _parse_international(text)
    if number is None:
        raise ValidationError(
            _("%(value)s is not a valid phone number.") % {"value": text[:40]}, code="invalid"
        )
    return _mobile_if_argentine(number)


def validate_dni(raw: object) -> str:
    """7 or 8 digits; dots and spaces as people write them ("30.123.456") are dropped."""
    digits = re.sub(r"[.\s-]", "", _as_text(raw))
    if not DNI.match(digits):
        raise ValidationError(_("A DNI has 7 or 8 digits."), code="invalid")
    return digits


def _as_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int):
        return str(raw)
    return str(raw or "").strip()


def _parse_international(text: str) -> phonenumbers.PhoneNumber | None:
    digits = re.sub(r"\D", "", text)
    if not digits or text.lstrip().startswith("0"):
        return None
    try:
        number = phonenumbers.parse(f"+{digits}", None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _mobile_if_argentine(number: phonenumbers.PhoneNumber) -> str:
    if number.country_code == 54 and phonenumbers.number_type(number) not in MOBILE_TYPES:  # Argentina
        mobile = phonenumbers.parse(f"+549{number.national_number}", None)
        if phonenumbers.is_valid_number(mobile) and phonenumbers.number_type(mobile) in MOBILE_TYPES:
            return phonenumbers.format_number(mobile, E164)
    return phonenumbers.format_number(number, E164)
