"""The price list Spoter starts with (BIL-1). Staff edit plans in the Django admin afterwards; this
only creates the ones missing (a fresh database, or a test that emptied the table)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

FREE = "free"
PRO = "pro"
PERSONALIZADO = "personalizado"

PLANS: list[dict[str, Any]] = [
    {
        "code": FREE, "name": "FREE", "price_usd": Decimal("0"), "included_operators": 2,
        "included_lines": 1, "campaigns": False, "empaty": False, "api": False, "sales": False,
        "trial": True, "support_hours": 72, "self_service": True,
    },
    {
        "code": "inicio", "name": "INICIO", "price_usd": Decimal("49"), "included_operators": 3,
        "included_lines": 1, "campaigns": False, "empaty": False, "api": True, "sales": False,
        "trial": False, "support_hours": 72, "self_service": True,
    },
    {
        "code": PRO, "name": "PRO", "price_usd": Decimal("99"), "included_operators": 5,
        "included_lines": 1, "campaigns": True, "empaty": True, "api": True, "sales": False,
        "trial": False, "support_hours": 48, "self_service": True,
    },
    {
        "code": PERSONALIZADO, "name": "PERSONALIZADO", "price_usd": Decimal("249"),
        "included_operators": 10, "included_lines": 2, "campaigns": True, "empaty": True, "api": True,
        "sales": True, "trial": False, "support_hours": 24, "self_service": False,
    },
]  # fmt: skip


def ensure_plans(plan_model: Any) -> None:
    """Create the plans of the list that do not exist; never touch what staff edited."""
    for position, fields in enumerate(PLANS):
        defaults = {key: value for key, value in fields.items() if key != "code"}
        plan_model.objects.get_or_create(code=fields["code"], defaults={**defaults, "position": position})
