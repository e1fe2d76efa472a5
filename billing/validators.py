"""Argentine bank and tax identifiers with their check digits: the CBU of a bank debit mandate and
the CUIT of its holder (BIL-3). Normalising helpers return digits only; validators raise Django's
ValidationError with a message that says what is wrong."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CBU_LENGTH = 22
CUIT_LENGTH = 11
# The first block is bank (3) + branch (4) + check; the second, account (13) + check.
CBU_BLOCK1_WEIGHTS = (7, 1, 3, 9, 7, 1, 3)
CBU_BLOCK2_WEIGHTS = (3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3)
CUIT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
# People (20, 23, 24, 27) and companies (30, 33, 34).
CUIT_PREFIXES = ("20", "23", "24", "27", "30", "33", "34")

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise(value: str) -> str:
    """A CBU or CUIT without the spaces and dashes people type (20-12345678-6 -> 20123456786);
    the caller validates it."""
    return _SEPARATORS.sub("", value or "")


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" or Arabic-Indic digits, which int() refuses."""
    return value.isascii() and value.isdigit()


def cbu_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """The check digit of one CBU block, from the digits before it."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True))
    return (10 - total % 10) % 10


def cuit_check_digit(first_ten: str) -> int | None:
    """The CUIT's check digit, or None where the algorithm gives 10 (no CUIT ends that way)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_ten, CUIT_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def validate_cbu(value: str) -> None:
    cbu = normalise(value)
    if cbu and not _digits(cbu):
        raise ValidationError(
            _("A CBU has only digits (spaces and dashes are fine): %(value)s has other characters.")
            % {"value": value},
            code="cbu_format",
        )
    if len(cbu) != CBU_LENGTH:
        raise ValidationError(
            _("A CBU has 22 digits; this one has %(count)d.") % {"count": len(cbu)}, code="cbu_length"
        )
    block1, block2 = cbu[:8], cbu[8:]
    if cbu_check_digit(block1[:7], CBU_BLOCK1_WEIGHTS) != int(block1[7]):
        raise ValidationError(
            _(
                "The CBU's first block does not check: %(block)s (bank and branch) is not followed by "
                "its check digit. Check the first 8 digits."
            )
            % {"block": block1[:7]},
            code="cbu_block1",
        )
    if cbu_check_digit(block2[:13], CBU_BLOCK2_WEIGHTS) != int(block2[13]):
        raise ValidationError(
            _(
                "The CBU's second block does not check: the account number %(block)s is not followed "
                "by its check digit. Check the last 14 digits."
            )
            % {"block": block2[:13]},
            code="cbu_block2",
        )


def validate_cuit(value: str) -> None:
    cuit = normalise(value)
    if not _digits(cuit) or len(cuit) != CUIT_LENGTH:
        raise ValidationError(
            _("A CUIT has 11 digits, as in 30-12345678-1 (dashes are fine)."), code="cuit_format"
        )
    if cuit[:2] not in CUIT_PREFIXES:
        raise ValidationError(
            _("A CUIT starts with %(prefixes)s; this one starts with %(prefix)s.")
            % {"prefixes": ", ".join(CUIT_PREFIXES), "prefix": cuit[:2]},
            code="cuit_prefix",
        )
    if cuit_check_digit(cuit[:10]) != int(cuit[10]):
        raise ValidationError(
            _("The CUIT's check digit (the last one) does not match the other ten digits."),
            code="cuit_check",
        )
