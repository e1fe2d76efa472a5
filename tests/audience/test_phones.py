"""Phones, DNIs and custom field values as people write them (audience.phones, audience.fields)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from audience.fields import coerce_value
from audience.models import CustomField
from audience.phones import normalize_phone, validate_dni


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("011 15-2233-4455", "AR", "+5491122334455"),
        ("11 2233-4455", "AR", "+5491122334455"),
        ("+54 9 11 2233-4455", "AR", "+5491122334455"),
        ("+54 11 2233-4455", "AR", "+5491122334455"),  # a mobile written without its 9
        ("5491122334455", "AR", "+5491122334455"),  # a wa_id
        (5491122334455.0, "AR", "+5491122334455"),  # a spreadsheet's number
        ("0351 15-612-3456", "AR", "+5493516123456"),  # Córdoba
        ("+598 94 123 456", "AR", "+59894123456"),  # Uruguay, from an Argentine account
        ("094 123 456", "UY", "+59894123456"),
        ("55 1234 5678", "MX", "+525512345678"),
    ],
)
def test_phones_are_read_in_the_accounts_country(raw: object, country: str, expected: str) -> None:
    assert normalize_phone(raw, country) == expected


@pytest.mark.parametrize("raw", ["", "  ", None, "12", "hola", "011 15", "+54 9 11 2233"])
def test_bad_phones_are_refused(raw: object) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(raw, "AR")


@pytest.mark.parametrize(
    ("raw", "expected"), [("30.123.456", "30123456"), ("7123456", "7123456"), (" 30 123 456 ", "30123456")]
)
def test_dnis_lose_their_dots(raw: str, expected: str) -> None:
    assert validate_dni(raw) == expected


@pytest.mark.parametrize("raw", ["", "123456", "123456789", "30.123.45a"])
def test_bad_dnis_are_refused(raw: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError, match="7 or 8 digits"):
        validate_dni(raw)


def field(kind: str, choices: list[str] | None = None) -> CustomField:
    return CustomField(key="x", label="Dato", kind=kind, choices=choices or [])


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("text", "  Acme   SA ", "Acme SA"),
        ("text", "", None),
        ("number", "2", 2),
        ("number", "1.234,5", 1234.5),
        ("number", "1234.5", 1234.5),
        ("number", 3.0, 3),
        ("date", "17/05/1990", "1990-05-17"),
        ("date", "1990-05-17", "1990-05-17"),
        ("date", date(1990, 5, 17), "1990-05-17"),
        ("date", 45000, "2023-03-15"),  # an Excel serial day
        ("choice", "oro", "Oro"),
    ],
)
def test_custom_values_are_stored_typed(kind: str, raw: object, expected: object) -> None:
    assert coerce_value(field(kind, ["Oro", "Plata"]), raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("number", "dos"),
        ("number", "NaN"),
        ("number", True),
        ("date", "31/02/2024"),
        ("date", "ayer"),
        ("choice", "Bronce"),
        ("text", "x" * 501),
    ],
)
def test_bad_custom_values_are_refused_naming_the_field(kind: str, raw: object) -> None:
    with pytest.raises(ValidationError, match="Dato"):
        coerce_value(field(kind, ["Oro", "Plata"]), raw)
