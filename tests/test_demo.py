"""`manage.py demo`: the demo account with its four people, its WhatsApp line wired to the
simulator and its presets (quick replies, tags, round robin), idempotent, with a JSON form that
adds the line's details and a fresh API key."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from audience.models import Contact, CustomField, Segment, Tag
from audience.segments import segment_filter
from bots import definition
from bots.models import Bot, BotSchedule
from inbox.api.keys import authenticate
from inbox.models import Line, QuickReply, RoundRobin, Template, TemplateStatus
from inbox.quick_replies import render_quick_reply
from inbox.simulator.models import SimNumber, SimTemplate
from spoter.accounts.models import Account, Membership, Role, User


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_is_idempotent_and_its_people_can_log_in(db: None) -> None:
    first = json.loads(run_demo("--json"))
    second = json.loads(run_demo("--json"))
    first_key, second_key = first.pop("api_key"), second.pop("api_key")
    assert first == second
    assert Account.objects.count() == 1
    assert User.objects.count() == 4
    roles = sorted(person["role"] for person in first["users"])
    assert roles == ["admin", "operator", "operator", "supervisor"]
    for person in first["users"]:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": person["email"], "password": person["password"]}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/a/demo/inbox/", person
    # Each run shows a new key once and revokes the one before.
    assert first_key != second_key
    assert authenticate(first_key) is None
    live = authenticate(second_key)
    assert live is not None
    assert live.account.slug == "demo"
    assert "admin@demo.spoter.local" in run_demo()


def test_the_demo_line_is_wired_to_the_simulator(db: None) -> None:
    details = json.loads(run_demo("--json"))["line"]
    account = Account.objects.get(slug="demo")
    line = Line.objects.for_account(account).get()
    assert details["id"] == line.id
    assert details["uuid"] == str(line.uuid)
    assert details["app_secret"] == line.app_secret != ""
    assert details["verify_token"] == line.verify_token
    assert line.provider == "whatsapp_cloud"
    assert line.graph_url == "http://127.0.0.1:8000/simulator/graph"
    number = SimNumber.objects.get(phone_number_id=line.phone_number_id)
    assert (
        details["webhook_url"]
        == number.webhook_url
        == f"http://127.0.0.1:8000/webhooks/whatsapp/{line.uuid}/"
    )
    assert (number.waba_id, number.access_token, number.app_secret) == (
        line.waba_id,
        line.access_token,
        line.app_secret,
    )
    templates = Template.objects.for_account(account).filter(waba_id=line.waba_id)
    assert templates.count() == SimTemplate.objects.filter(waba_id=line.waba_id).count() == 3
    assert set(templates.values_list("status", flat=True)) == {TemplateStatus.APPROVED}
    assert {t.provider_id for t in templates} == set(
        SimTemplate.objects.values_list("template_id", flat=True)
    )
    greeting = templates.get(name="bienvenida")
    assert "{{1}}" in json.dumps(greeting.components)


def test_the_demo_has_quick_replies_tags_and_round_robin_once(db: None) -> None:
    run_demo()
    account = Account.objects.get(slug="demo")
    operator = Membership.objects.for_account(account).get(user__email="operador1@demo.spoter.local")
    operator.available = False  # switched off in the inbox during a demo
    operator.save(update_fields=["available"])
    QuickReply.objects.for_account(account).filter(shortcut="hola").update(text="editado")
    run_demo()  # a second run creates nothing twice and brings the presets back
    assert QuickReply.objects.for_account(account).count() == 3
    assert Tag.objects.for_account(account).count() == 3
    assert RoundRobin.objects.for_account(account).count() == 1

    replies = {reply.shortcut: reply.text for reply in QuickReply.objects.for_account(account)}
    assert set(replies) == {"hola", "gracias", "horario"}
    contact = Contact(name="Ana Pérez", phone="+5491100000000")
    assert (
        render_quick_reply(replies["hola"], contact, operator)
        == "¡Hola Ana! Soy Olga Operadora, ¿en qué te ayudo?"
    )
    tags = {tag.name: tag.color for tag in Tag.objects.for_account(account)}
    assert tags == {"Ventas": "#16a34a", "Reclamo": "#dc2626", "VIP": "#d97706"}

    # The audience presets: fields used by the contacts, and a segment that finds the VIP Premium ones.
    assert list(CustomField.objects.for_account(account).values_list("key", flat=True)) == [
        "empresa",
        "cumpleanos",
        "plan",
    ]
    # The bot answers every day, with buttons; a complaint goes to the operators in turn.
    bot = Bot.objects.for_account(account).get(name="Sofía")
    tree = definition.parse(bot.tree)
    assert [option.label for option in tree.options] == ["Comprar", "Un reclamo", "Horarios"]
    assert definition.depth(tree) == 2
    assert sorted(tree.options[1].assign) == sorted(
        Membership.objects.for_account(account).filter(role=Role.OPERATOR).values_list("id", flat=True)
    )
    slot = BotSchedule.objects.for_account(account).get()
    assert (slot.bot_id, slot.weekdays) == (bot.id, [0, 1, 2, 3, 4, 5, 6])
    segment = Segment.objects.for_account(account).get(name="VIP Premium")
    assert sorted(segment_filter(segment).apply(account).values_list("name", flat=True)) == [
        "Carla Ruiz",
        "Lucía Fernández",
    ]

    line = Line.objects.for_account(account).get()
    robin = RoundRobin.objects.for_account(account).get(line=line)
    assert robin.enabled
    assert sorted(
        member.user.email for member in robin.members.for_account(account).select_related("user")
    ) == [
        "operador1@demo.spoter.local",
        "operador2@demo.spoter.local",
    ]
    assert Membership.objects.for_account(account).get(id=operator.id).available
