"""Create (or bring back to its known state) the demo account, its people, its WhatsApp line wired
to the simulator and a few presets (quick replies, tags, round robin on the line between the two
operators, contact fields, a few registered contacts, a segment, a questionnaire bot answering
all week, a draft campaign to the segment, and EMPATY's retail taxonomy with two weeks of analysed
customer messages); --json adds the line's connection details and a
fresh API key."""

from __future__ import annotations

import json
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from audience.custom_fields import FieldInput, create_field
from audience.filters import ContactFilter
from audience.models import Contact, CustomField, Segment, Tag
from audience.segments import save_segment
from audience.services import ContactInput, create_contact
from audience.tags import get_or_create_tag
from billing.demo import add_billing
from bots import definition
from bots.builder import BotSettings, OptionFields, create_bot, edit_tree
from bots.models import Bot
from bots.schedule import save_schedule
from campaigns.drafts import save_draft
from campaigns.models import Campaign, ContentKind, TagMode
from empaty.demo import add_empaty
from inbox.api.keys import create_api_key, revoke_api_key
from inbox.assignment import configure_round_robin
from inbox.lines import webhook_url
from inbox.models import ApiKey, Line, QuickReply, Template
from inbox.quick_replies import save_quick_reply
from inbox.simulator.demo import wire_demo_line
from spoter.accounts.models import Account, InboxMode, Membership, Role, User

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "demo"
DEMO_PASSWORD = "spoter-demo-2026"  # noqa: S105 -- the demo's published password, in the README
PEOPLE = [
    ("admin@demo.spoter.local", "Ana", "Admin", Role.ADMIN, InboxMode.SHARED),
    ("supervisor@demo.spoter.local", "Sergio", "Supervisor", Role.SUPERVISOR, InboxMode.SHARED),
    ("operador1@demo.spoter.local", "Olga", "Operadora", Role.OPERATOR, InboxMode.SHARED),
    ("operador2@demo.spoter.local", "Omar", "Operador", Role.OPERATOR, InboxMode.PRIVATE),
]
QUICK_REPLIES = [
    ("hola", "¡Hola {{nombre}}! Soy {{operador}}, ¿en qué te ayudo?"),
    ("gracias", "¡Gracias por escribirnos, {{nombre}}! Cualquier otra consulta, acá estamos."),
    ("horario", "Atendemos de lunes a viernes de 9 a 18 h y los sábados de 9 a 13 h."),
]
TAGS = [("Ventas", "#16a34a"), ("Reclamo", "#dc2626"), ("VIP", "#d97706")]
FIELDS = [
    FieldInput(key="empresa", label="Empresa", kind="text", position=1),
    FieldInput(key="cumpleanos", label="Cumpleaños", kind="date", position=2),
    FieldInput(key="plan", label="Plan", kind="choice", choices=["Básico", "Premium"], position=3),
]
# Registered contacts (name, phone as people write it in Argentina, company, plan, tags).
CONTACTS = [
    ("Lucía Fernández", "+5491150001001", "Panadería La Espiga", "Premium", ["VIP"]),
    ("Martín Gómez", "+5493515550102", "Ferretería Gómez", "Básico", ["Ventas"]),
    ("Carla Ruiz", "+5492615550103", "", "Premium", ["VIP", "Reclamo"]),
]


# The demo bot: (label, tag names, assigns the operators, closing message, deeper level or None);
# a level is (question, options).
Level = tuple[str, list[tuple[str, list[str], bool, str, "Level | None"]]]
BOT: Level = (
    "¡Hola! Soy Sofía, la asistente virtual de Demo Spoter. ¿En qué te ayudo?",
    [
        (
            "Comprar",
            ["Ventas"],
            False,
            "",
            (
                "¿Qué te interesa?",
                [
                    ("Planes", [], True, "Te paso con un asesor de ventas, ya te escribe.", None),
                    ("Precios", [], False, "Los precios están en demo.spoter.local/precios.", None),
                ],
            ),
        ),
        ("Un reclamo", ["Reclamo"], True, "Un operador te atiende en un momento.", None),
        ("Horarios", [], False, QUICK_REPLIES[2][1], None),
    ],
)


class Command(BaseCommand):
    help = (
        "Create the demo account with an admin, a supervisor, two operators and a WhatsApp line wired "
        "to the simulator (idempotent)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        account, _created = Account.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": "Demo Spoter"})
        add_billing(account)  # PRO: the demo shows campaigns and EMPATY, which FREE does not include
        people = []
        for email, first, last, role, inbox_mode in PEOPLE:
            user, _created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            account.memberships.update_or_create(
                user=user,
                defaults={"role": role, "inbox_mode": inbox_mode, "is_active": True, "available": True},
            )
            people.append({"email": email, "password": DEMO_PASSWORD, "role": role.value})
        line, _number = wire_demo_line(account)
        add_presets(account, line)
        result = {"account": {"id": account.id, "slug": account.slug, "name": account.name}, "users": people}
        if options["json"]:
            # A key is shown only once, so every --json run makes a new one and revokes the last.
            for old in ApiKey.objects.for_account(account).filter(name=DEMO_KEY_NAME, revoked_at=None):
                revoke_api_key(old)
            _key, raw_key = create_api_key(account, DEMO_KEY_NAME, by=None)
            result |= {"line": line_details(line), "api_key": raw_key}
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"Demo account {account.name!r} at /a/{account.slug}/")
        for person in people:
            self.stdout.write(f"  {person['role']:<11} {person['email']:<32} {person['password']}")
        self.stdout.write(f"WhatsApp line {line.display_number}: play its customers at /simulator/")


def add_presets(account: Account, line: Line) -> None:
    """Quick replies, coloured tags and the line's round robin between the operators, through the
    services a supervisor's clicks use; a second run creates nothing twice and puts back a quick
    reply someone edited."""
    members = Membership.objects.for_account(account).select_related("user")
    admin = members.get(user__email=PEOPLE[0][0])
    for shortcut, text in QUICK_REPLIES:
        existing = QuickReply.objects.for_account(account).filter(shortcut__iexact=shortcut).first()
        if existing is None or existing.text != text:
            save_quick_reply(existing or QuickReply(account=account), shortcut=shortcut, text=text, by=admin)
    for name, color in TAGS:
        get_or_create_tag(account, name, color)
    add_audience(account, admin)
    operator_emails = [email for email, *_rest, role, _mode in PEOPLE if role == Role.OPERATOR]
    operators = list(members.filter(user__email__in=operator_emails).order_by("id"))
    add_bot(account, operators)
    configure_round_robin(line, operators, enabled=True, by=admin)
    add_campaign(account, line, admin)
    add_empaty(account, line)


def add_campaign(account: Account, line: Line, admin: Membership) -> None:
    """The draft "Promo del mes" to the segment "VIP Premium", with the marketing template and
    a fallback for contacts without a name (CAM-1); ready to preview and start."""
    if Campaign.objects.for_account(account).filter(name="Promo del mes").exists():
        return
    template = Template.objects.for_account(account).get(waba_id=line.waba_id, name="promo_mensual")
    data = {
        "name": "Promo del mes",
        "line": line,
        "tag_mode": TagMode.ANY,
        "kind": ContentKind.TEMPLATE,
        "template": template,
        "template_values": {"body_1": "{{nombre|cliente}}", "body_2": "20%"},
        "text": "",
        "opt_out_footer": False,
        "start_at": None,
        "quiet_from": None,
        "quiet_until": None,
        "segments": Segment.objects.for_account(account).filter(name="VIP Premium"),
        "tags": [],
    }
    save_draft(account, None, data, by=admin)


def add_audience(account: Account, admin: Membership) -> None:
    """Contact fields, three registered contacts using them and the segment "VIP Premium"."""
    for field in FIELDS:
        if not CustomField.objects.for_account(account).filter(key=field.key).exists():
            create_field(account, field)
    tags = {tag.name: tag for tag in Tag.objects.for_account(account)}
    for name, phone, company, plan, tag_names in CONTACTS:
        if not Contact.objects.for_account(account).filter(phone=phone).exists():
            data = ContactInput(
                name=name,
                phone=phone,
                custom_fields={"empresa": company or None, "plan": plan},
                tags=[tags[tag] for tag in tag_names],
            )
            create_contact(account, data, by=admin.user)
    if not Segment.objects.for_account(account).filter(name="VIP Premium").exists():
        vip = ContactFilter.from_query({"tag_any": [str(tags["VIP"].id)], "cond": ["field:plan|eq|Premium"]})
        save_segment(Segment(account=account), name="VIP Premium", contact_filter=vip, by=admin)


def add_bot(account: Account, operators: list[Membership]) -> None:
    """The bot "Sofía" through the builder's operations, answering every day (BOT-1, BOT-2)."""
    if Bot.objects.for_account(account).filter(name="Sofía").exists():
        return
    settings = BotSettings(
        name="Sofía",
        error_message="No entendí tu respuesta.",
        back_command="volver",
        back_message="Volvemos al menú anterior.",
    )
    bot = create_bot(account, settings)
    tags = {tag.name: tag.id for tag in Tag.objects.for_account(account)}
    _fill_level(bot, bot.tree["id"], BOT, tags, tuple(member.id for member in operators))
    every_day = {"bot": bot, "weekdays": list(range(7)), "start": "00:00", "end": "23:59"}
    save_schedule(account, None, every_day)


def _fill_level(
    bot: Bot, level_id: str, level: Level, tags: dict[str, int], operators: tuple[int, ...]
) -> None:
    question, options = level
    edit_tree(bot, "rename", level_id, text=question)
    for label, tag_names, assigns, closing, deeper in options:
        edit_tree(bot, "add_option", level_id, label=label)
        option = _found_level(bot, level_id).options[-1]
        fields = OptionFields(
            label=label,
            tags=tuple(tags[name] for name in tag_names),
            assign=operators if assigns else (),
            closing=closing,
        )
        edit_tree(bot, "set_option", option.id, fields=fields)
        if deeper is not None:
            edit_tree(bot, "add_level", option.id, question=deeper[0])
            _fill_level(bot, _opened_level(bot, level_id, option.id).id, deeper, tags, operators)


def _opened_level(bot: Bot, level_id: str, option_id: str) -> definition.Level:
    option = _found_level(bot, level_id).find(option_id)
    if option is None or option.level is None:
        raise RuntimeError("the level just added is missing")
    return option.level


def _found_level(bot: Bot, level_id: str) -> definition.Level:
    return next(level for level in definition.walk(definition.parse(bot.tree)) if level.id == level_id)


def line_details(line: Line) -> dict[str, object]:
    return {
        "id": line.id,
        "uuid": str(line.uuid),
        "name": line.name,
        "display_number": line.display_number,
        "phone_number_id": line.phone_number_id,
        "waba_id": line.waba_id,
        "webhook_url": webhook_url(line),
        "verify_token": line.verify_token,
        "app_secret": line.app_secret,
    }
