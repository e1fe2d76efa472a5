"""A contact's consumption habits (EMP-3; Spoter's FAQ: "Hábitos de consumo y su relación con el
producto"), summarised from their inbound messages and interests: what they are into, what they
ask about, when and how often they write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audience.models import Contact
from empaty.interests import compile_matcher, current_strength
from empaty.models import Category, ContactInterest
from inbox.models import Message

MAX_MESSAGES = 500  # the most recent ones are enough to describe habits
TOP_INTERESTS = 6
WINDOW = timedelta(days=365)  # "messages per month" over the last year

# What customers ask about, by keywords (Spanish, es-AR), matched as the taxonomy's are.
TOPICS = {
    "price": (_("Price"), "precio, cuanto sale, cuanto cuesta, cuanto esta, valor, costo, lista de precios"),
    "stock": (_("Stock"), "stock, disponible, tenes, tienen, queda, quedan, hay talle, color, modelo"),
    "shipping": (_("Shipping"), "envio, enviar, envian, llega, correo, andreani, retiro, delivery, demora"),
    "payment": (_("Payment"), "pago, pagar, tarjeta, cuotas, mercado pago, transferencia, efectivo, alias"),
    "returns": (_("Returns and exchanges"), "cambio, cambiar, devolucion, devolver, garantia, reembolso"),
    "promotions": (_("Promotions"), "promo, promocion, descuento, oferta, 2x1, cupon, liquidacion"),
    "hours": (_("Opening hours"), "horario, abierto, abren, cierran, atienden, sucursal, direccion"),
}
_TOPIC_KEYS = list(TOPICS)
_TOPICS = compile_matcher(
    (index, [k.strip() for k in keywords.split(",")])
    for index, (_label, keywords) in enumerate(TOPICS.values())
)

PARTS_OF_DAY = (  # (first hour, label)
    (0, _("Early morning")),
    (6, _("Morning")),
    (12, _("Afternoon")),
    (19, _("Evening")),
)
WEEKDAYS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))


def _part_of_day(hour: int) -> int:
    return max(index for index, (start, _label) in enumerate(PARTS_OF_DAY) if hour >= start)


def _shares(counts: Counter[int], labels: Any, total: int) -> list[dict[str, Any]]:
    return [
        {
            "label": label,
            "count": counts[index],
            "percent": round(100 * counts[index] / total) if total else 0,
        }
        for index, label in enumerate(labels)
    ]


@dataclass(frozen=True)
class Interest:
    category: Category
    strength: float  # now, decayed since last seen
    mentions: int
    last_seen_at: datetime

    @property
    def percent(self) -> int:
        return round(100 * self.strength)


def habits(contact: Contact, now: datetime | None = None) -> dict[str, Any]:
    """The summary shown on the contact page; keys: messages, last_at, per_month, interests,
    topics, parts_of_day, weekdays, usual_part, usual_day."""
    account = contact.account
    now = now or timezone.now()
    zone = ZoneInfo(account.time_zone)
    rows = list(
        Message.objects.for_account(account)
        .filter(conversation__contact=contact, direction="in")
        .annotate(at=Coalesce("sent_at", "created_at"))
        .order_by("-at", "-id")
        .values_list("text", "at")[:MAX_MESSAGES]
    )
    topics: Counter[int] = Counter()
    parts: Counter[int] = Counter()
    days: Counter[int] = Counter()
    recent = 0
    for text, at in rows:
        topics.update(_TOPICS.keys(text))
        local = at.astimezone(zone)
        parts[_part_of_day(local.hour)] += 1
        days[local.weekday()] += 1
        recent += at >= now - WINDOW
    interests = sorted(
        (
            Interest(row.category, current_strength(row, now), row.mentions, row.last_seen_at)
            for row in ContactInterest.objects.for_account(account)
            .filter(contact=contact)
            .select_related("category__parent")
        ),
        key=lambda interest: (-interest.strength, interest.category.name),
    )
    first_recent = min((at for _text, at in rows if at >= now - WINDOW), default=None)
    months = max((now - first_recent).days / 30.44, 1.0) if first_recent else 1.0
    total = len(rows)
    return {
        "messages": total,
        "last_at": rows[0][1] if rows else None,
        "per_month": round(recent / months, 1),
        "interests": interests[:TOP_INTERESTS],
        "topics": [
            {"key": _TOPIC_KEYS[index], "label": TOPICS[_TOPIC_KEYS[index]][0], "count": count}
            for index, count in sorted(topics.items(), key=lambda pair: (-pair[1], pair[0]))
        ],
        "parts_of_day": _shares(parts, [label for _start, label in PARTS_OF_DAY], total),
        "weekdays": _shares(days, WEEKDAYS, total),
        "usual_part": PARTS_OF_DAY[parts.most_common(1)[0][0]][1] if parts else None,
        "usual_day": WEEKDAYS[min(days, key=lambda d: (-days[d], d))] if days else None,
    }
