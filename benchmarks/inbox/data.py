"""The inbox benchmark's data: one big account beside smaller ones, built with bulk inserts.

The big account has 50 operators (a mix of shared and private inboxes), 3 lines, 10 tags,
100,000 contacts with one conversation each and 10 messages per conversation (1,000,000), spread
over 180 days; the other accounts add rows the big account's queries must skip.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from audience.models import Contact, Tag
from inbox.models import (
    AccountSequence,
    Conversation,
    ConversationStatus,
    Direction,
    Line,
    Message,
    MessageStatus,
)
from spoter.accounts.models import Account, InboxMode, Membership, Role, User

WORDS = [
    "hola",
    "buen",
    "día",
    "quería",
    "consultar",
    "por",
    "mi",
    "pedido",
    "envío",
    "factura",
    "dirección",
    "teléfono",
    "número",
    "gracias",
    "cuándo",
    "llega",
    "el",
    "paquete",
    "cambio",
    "devolución",
    "talle",
    "color",
    "precio",
    "oferta",
    "promoción",
    "tarjeta",
    "cuotas",
    "transferencia",
    "mercado",
    "pago",
    "sucursal",
    "horario",
    "atención",
    "reclamo",
    "garantía",
    "técnico",
    "instalación",
    "turno",
    "reserva",
    "confirmación",
    "cancelación",
    "código",
    "seguimiento",
    "demora",
]
NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Elena",
    "Facundo",
    "Gabriela",
    "Hernán",
    "Inés",
    "Joaquín",
    "Lucía",
    "Martín",
    "Nicolás",
    "Sofía",
]
SURNAMES = [
    "González",
    "Rodríguez",
    "Gómez",
    "Fernández",
    "López",
    "Díaz",
    "Martínez",
    "Pérez",
    "García",
    "Sánchez",
    "Romero",
]
STATUSES = [ConversationStatus.CLOSED] * 7 + [ConversationStatus.OPEN] * 2 + [ConversationStatus.PENDING]
BATCH = 5000


@dataclass
class Built:
    account: Account
    supervisor: Membership
    shared_operator: Membership
    private_operator: Membership
    conversation_numbers: list[int]
    tag_id: int
    line_id: int


def build(slug: str, *, conversations: int, messages_each: int, operators: int, seed: int = 1) -> Built:
    rng = random.Random(seed)
    account = Account.objects.create(name=slug.title(), slug=slug)
    members = [
        Membership.objects.create(
            account=account,
            user=User.objects.create(email=f"{slug}-{i}@bench.example", password="!"),  # unusable
            role=Role.SUPERVISOR if i == 0 else Role.OPERATOR,
            inbox_mode=InboxMode.PRIVATE if i % 5 == 4 else InboxMode.SHARED,
        )
        for i in range(operators)
    ]
    lines = [
        Line.objects.create(
            account=account,
            name=f"Línea {i}",
            display_number=f"+54911{seed:02d}{i:06d}",
            phone_number_id=f"{slug}-{i}",
            waba_id=f"{slug}-waba",
            access_token="unused",
            app_secret="unused",
        )
        for i in range(3)
    ]
    tags = Tag.objects.bulk_create(Tag(account=account, name=f"etiqueta {i}") for i in range(10))
    now = timezone.now()
    numbers: list[int] = []
    for start in range(0, conversations, BATCH):
        count = min(BATCH, conversations - start)
        contacts = Contact.objects.bulk_create(
            Contact(
                account=account,
                wa_id=f"549{seed:02d}{start + i:08d}",
                phone=f"+549{seed:02d}{start + i:08d}",
                name=f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                registered=True,
            )
            for i in range(count)
        )
        rows = []
        for i, contact in enumerate(contacts):
            last = now - timedelta(minutes=rng.randrange(180 * 24 * 60))
            status = rng.choice(STATUSES)
            rows.append(
                Conversation(
                    account=account,
                    number=start + i + 1,
                    line=lines[i % 3],
                    contact=contact,
                    status=status,
                    assignee=rng.choice(members) if rng.random() < 0.8 else None,
                    last_inbound_at=last,
                    last_message_at=last,
                    closed_at=last if status == ConversationStatus.CLOSED else None,
                    preview=" ".join(rng.choices(WORDS, k=8)),
                    unread_count=rng.randrange(1, 5) if rng.random() < 0.05 else 0,
                )
            )
        made = Conversation.objects.bulk_create(rows)
        numbers.extend(conversation.number for conversation in made)
        through = Conversation.tags.through
        through.objects.bulk_create(
            through(conversation_id=conversation.id, tag_id=rng.choice(tags).id)
            for conversation in made
            if rng.random() < 0.3
        )
        Message.objects.bulk_create(
            (
                _message(rng, account, conversation, j, messages_each)
                for conversation in made
                for j in range(messages_each)
            ),
            batch_size=BATCH,
        )
    AccountSequence.objects.create(account=account, name="conversation", value=conversations)
    return Built(
        account=account,
        supervisor=members[0],
        shared_operator=members[1],
        private_operator=members[4],
        conversation_numbers=numbers,
        tag_id=tags[0].id,
        line_id=lines[0].id,
    )


def _message(rng: random.Random, account: Account, conversation: Conversation, j: int, total: int) -> Message:
    at = conversation.last_message_at - timedelta(minutes=(total - j) * 7)
    inbound = j % 2 == 0
    return Message(
        account=account,
        conversation=conversation,
        line_id=conversation.line_id,
        direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
        wamid=f"wamid.{account.slug}.{conversation.number}.{j}",
        text=" ".join(rng.choices(WORDS, k=rng.randrange(4, 16))),
        status=MessageStatus.RECEIVED if inbound else MessageStatus.READ,
        sent_at=at,
        created_at=at,
        status_changed_at=at,
    )


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
