"""The demo account's WhatsApp line, wired to the simulator, and its approved templates.

`manage.py demo` calls `wire_demo_line`; after `make run` a person plays the customer on
/simulator/ and the operator in another tab, with no Meta account. Idempotent: a second run
brings the line back to its known state and keeps its secrets.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction

from inbox.lines import LineFields, create_line, set_line_active, update_line, webhook_url
from inbox.models import Line
from inbox.providers.base import RemoteTemplate
from inbox.simulator.models import SimNumber
from inbox.simulator.services import add_template, register_number
from inbox.templates_service import store_template
from spoter.accounts.models import Account

PHONE_NUMBER_ID = "100000000000001"
WABA_ID = "200000000000001"
DISPLAY_NUMBER = "+541155550100"
LINE_NAME = "WhatsApp demo"
LANGUAGE = "es_AR"


def _quick_replies(*titles: str) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": title} for title in titles]}


TEMPLATES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "bienvenida",
        "UTILITY",
        [
            {
                "type": "BODY",
                "text": "¡Hola {{1}}! Gracias por escribirnos. ¿En qué te podemos ayudar?",
                "example": {"body_text": [["Ana"]]},
            },
            _quick_replies("Hacer un pedido", "Hablar con alguien"),
        ],
    ),
    (
        "actualizacion_pedido",
        "UTILITY",
        [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Pedido {{1}}",
                "example": {"header_text": ["#1234"]},
            },
            {
                "type": "BODY",
                "text": "Hola {{1}}, tu pedido {{2}} está *{{3}}*. Te avisamos cualquier novedad.",
                "example": {"body_text": [["Ana", "#1234", "en camino"]]},
            },
            {"type": "FOOTER", "text": "Respondé este mensaje si tenés dudas"},
        ],
    ),
    (
        "promo_mensual",
        "MARKETING",
        [
            {
                "type": "BODY",
                "text": "¡{{1}}, este mes tenés {{2}} de descuento en toda la tienda! 🎉",
                "example": {"body_text": [["Ana", "20%"]]},
            },
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "URL", "text": "Ver ofertas", "url": "https://example.com/ofertas"},
                    {"type": "QUICK_REPLY", "text": "No me interesa"},
                ],
            },
        ],
    ),
]


@transaction.atomic
def wire_demo_line(account: Account) -> tuple[Line, SimNumber]:
    fields: LineFields = {
        "name": LINE_NAME,
        "display_number": DISPLAY_NUMBER,
        "phone_number_id": PHONE_NUMBER_ID,
        "waba_id": WABA_ID,
        "graph_url": f"{settings.SITE_URL}/simulator/graph",
    }
    line = Line.objects.for_account(account).filter(phone_number_id=PHONE_NUMBER_ID).first()
    if line is None:
        fields["access_token"] = secrets.token_urlsafe(32)
        fields["app_secret"] = secrets.token_hex(16)
        line = create_line(account, **fields)
    else:
        update_line(line, **fields)
        set_line_active(line, active=True)
    number = register_number(
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        display_number=DISPLAY_NUMBER,
        verified_name=account.name,
        access_token=line.access_token,
        app_secret=line.app_secret,
        webhook_url=webhook_url(line),
    )
    # Synced as `sync_templates` would over HTTP: the server is not running while the command is.
    for name, category, components in TEMPLATES:
        template = add_template(WABA_ID, name, LANGUAGE, category, components)
        remote = RemoteTemplate(template.template_id, name, LANGUAGE, category, template.status, components)
        store_template(line, remote)
    return line, number
