"""The demo account's EMPATY (``manage.py demo``): the retail taxonomy and two weeks of customer
conversations, analysed, so the dashboards, alerts, interests and profile suggestions have
something to show before anyone writes from the simulator. Safe to run twice."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from audience.models import Tag
from empaty import analysis, hooks, taxonomy
from inbox.conversations import current_conversation, find_or_create_contact
from inbox.models import Direction, Initiator, Line, Message, MessageStatus
from spoter.accounts.models import Account, Membership

# (wa_id, WhatsApp name, tag, [(days ago, hour, text)]): replies from the operator are not kept.
HISTORY = [
    ("5491160000001", "Camila", "VIP", [
        (13, 10, "Hola! Me llamo Camila, quería saber si tienen zapatillas de running talle 38"),
        (13, 10, "Genial, muchas gracias!! Las encargo ya 😍"),
        (6, 18, "Me encantaron las zapatillas, son comodísimas. Gracias por todo!"),
    ]),
    ("5491160000002", "Martín", "", [
        (11, 9, "Buen día, ¿hacen envíos a Córdoba? Vivo en Córdoba capital"),
        (1, 15, "Hola? sigo esperando el pedido 4471, ya pasaron 5 días"),
        (0, 8, "Es una vergüenza, nadie me responde y el pedido no llega 😡"),
        (0, 8, "Quiero la devolución de mi plata YA, voy a hacer la denuncia"),
        (0, 8, "No puedo creer que me traten así, pésima atención"),
    ]),
    ("5491160000003", "Lucía", "VIP", [
        (10, 20, "Hola, soy docente y estoy buscando una mochila para mi hijo"),
        (10, 20, "¿Cuánto sale la mochila azul? ¿Se puede pagar en cuotas?"),
        (3, 17, "Qué sorpresa! Llegó antes de lo que esperaba 😮 gracias"),
    ]),
    ("5491160000004", "Jorge", "", [
        (7, 14, "La campera vino con una mancha y olor a humedad, qué asco 🤢"),
        (7, 14, "Me da miedo que me pase lo mismo con el cambio, ¿es seguro?"),
        (2, 10, "Bueno, gracias por la paciencia, quedó todo bien"),
    ]),
    ("5491160000005", "Sofi", "", [
        (5, 19, "holaa tenes stock del celular que publicaron? xq lo quiero para el finde"),
        (5, 19, "uh me re bajoneó que no haya 😢 era para el cumple de mi vieja"),
        (1, 9, "jajaja bueno, me llevo los auriculares entonces 😂"),
    ]),
    ("5491160000006", "Ramiro", "", [
        (4, 16, "¿Tienen sillas de oficina? Trabajo desde casa y necesito una"),
        (4, 16, "Perfecto, ¿cuál es el horario del local?"),
        (0, 11, "Pagué por transferencia, ¿les llegó el comprobante?"),
    ]),
]  # fmt: skip


def add_empaty(account: Account, line: Line) -> None:
    taxonomy.load_defaults(account, "retail")
    if Message.objects.for_account(account).filter(wamid__startswith="demo.empaty.").exists():
        return
    operators = list(Membership.objects.for_account(account).filter(role="operator").order_by("id"))
    tags = {tag.name: tag for tag in Tag.objects.for_account(account)}
    now = timezone.now().astimezone(ZoneInfo(account.time_zone))  # the hours are the account's
    for number, (wa_id, name, tag, said) in enumerate(HISTORY):
        contact = find_or_create_contact(account, wa_id=wa_id, profile_name=name)
        if tag in tags:
            contact.tags.add(tags[tag])
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
        conversation.assignee = operators[number % len(operators)] if operators else None
        for index, (days, hour, text) in enumerate(said):
            at = (now - timedelta(days=days)).replace(hour=hour, minute=5 * index, second=0, microsecond=0)
            at = min(at, now)
            Message.objects.create(
                account=account,
                conversation=conversation,
                line=line,
                direction=Direction.INBOUND,
                wamid=f"demo.empaty.{wa_id}.{index}",
                text=text,
                status=MessageStatus.RECEIVED,
                sent_at=at,
                created_at=at,
            )
            conversation.last_inbound_at = conversation.last_message_at = at
            conversation.preview = text[:200]
        conversation.save()
        contact.last_seen_at = conversation.last_inbound_at
        contact.save(update_fields=["last_seen_at"])
    while batch := analysis.pending(account):
        hooks.process(account, batch)
