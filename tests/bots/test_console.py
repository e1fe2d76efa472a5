"""The builder's test console (BOT-6): the real engine, no WhatsApp, state in the session."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from audience.tags import get_or_create_tag
from bots import console
from bots.builder import BotSettings, create_bot
from bots.models import Bot, BotSession
from inbox.models import Message
from tests.conftest import Team, client_for


@pytest.fixture
def bot(acme: Team) -> Bot:
    """Three levels: Ventas -> Autos -> Nuevos / Usados, the last assigning the operator."""
    tag = get_or_create_tag(acme.account, "Autos")
    bot = create_bot(
        acme.account,
        BotSettings(
            name="Atención", error_message="No entendimos.", back_command="volver", back_message="Volvemos."
        ),
    )
    bot.tree = {
        "id": "l1",
        "question": "¿En qué podemos ayudarle?",
        "options": [
            {
                "id": "ventas",
                "label": "Ventas",
                "level": {
                    "id": "l2",
                    "question": "¿Qué busca?",
                    "options": [
                        {
                            "id": "autos",
                            "label": "Autos",
                            "tags": [tag.id],
                            "level": {
                                "id": "l3",
                                "question": "¿Nuevos o usados?",
                                "options": [
                                    {"id": "nuevos", "label": "Nuevos", "closing": "Le escribimos pronto."},
                                    {"id": "usados", "label": "Usados", "assign": [acme.operator.id]},
                                ],
                            },
                        },
                        {"id": "motos", "label": "Motos", "closing": "No vendemos motos."},
                    ],
                },
            },
            {"id": "soporte", "label": "Soporte técnico", "closing": "Escriba su consulta."},
        ],
    }
    bot.save()
    return bot


def texts(transcript: dict[str, Any]) -> list[tuple[str, str]]:
    return [(line["who"], line["text"]) for line in transcript["lines"]]


def test_walks_three_levels_with_back_command(acme: Team, bot: Bot) -> None:
    played = console.begin(bot)
    assert played["lines"][0]["kind"] == "buttons"
    played = console.answer(bot, played, reply_id="ventas")  # tapped
    played = console.answer(bot, played, text="1")  # by number: Autos
    played = console.answer(bot, played, text="VOLVER")
    played = console.answer(bot, played, text="autos")  # by text, case ignored
    played = console.answer(bot, played, text="usados")
    assert texts(played) == [
        ("bot", "¿En qué podemos ayudarle?"),
        ("customer", "Ventas"),
        ("bot", "¿Qué busca?"),
        ("customer", "1"),
        ("system", "Tags the chat: Autos"),
        ("bot", "¿Nuevos o usados?"),
        ("customer", "VOLVER"),
        ("bot", "Volvemos."),
        ("bot", "¿Qué busca?"),
        ("customer", "autos"),
        ("system", "Tags the chat: Autos"),
        ("bot", "¿Nuevos o usados?"),
        ("customer", "usados"),
        ("system", "Assigns the chat to operator@acme.test"),
        ("system", "Hands the chat to the operators (the option assigns an operator)."),
        ("system", "The bot finished: the customer completed it."),
    ]
    assert console.finished(played)
    # Nothing real happened: no session, no message.
    assert not BotSession.objects.for_account(acme.account).exists()
    assert not Message.objects.for_account(acme.account).exists()


def test_three_invalid_answers_go_to_a_person(bot: Bot) -> None:
    played = console.begin(bot)
    for answer in ("hola", "7", "???"):
        played = console.answer(bot, played, text=answer)
    assert texts(played)[1:] == [
        ("customer", "hola"),
        ("bot", "¿En qué podemos ayudarle?"),
        ("customer", "7"),
        ("bot", "¿En qué podemos ayudarle?"),
        ("customer", "???"),
        ("bot", "No entendimos."),
        ("bot", "Usted no seleccionó ninguna respuesta válida. Un asesor se pondrá en contacto con usted"),
        ("system", "Tags the chat: Pendiente de atención"),
        ("system", "Hands the chat to the operators (three invalid answers)."),
        ("system", "The bot finished: the chat went to a person."),
    ]
    assert console.finished(played)


def test_a_numbered_menu_when_options_do_not_fit_buttons(bot: Bot) -> None:
    bot.tree["options"].append({"id": "otro", "label": "Otra consulta"})
    bot.tree["options"].append({"id": "mas", "label": "Una opción con un texto bastante largo"})
    bot.save()
    line = console.begin(bot)["lines"][0]
    assert line["kind"] == "text"
    assert "4. Una opción con un texto bastante largo" in line["numbered"]


def test_the_page_keeps_the_state_in_the_session(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots_console", args=[acme.account.slug, bot.id])
    client.post(url, {"reset": "1"})
    client.post(url, {"reply": "soporte"})
    page = client.get(url).content.decode()
    assert "Escriba su consulta." in page
    assert "The bot finished: the customer completed it." in page
    partial = client.post(url, {"reset": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<section class="card bot-console"')
    assert "Escriba su consulta." not in partial


def test_it_checks_ownership(acme: Team, globex: Team, bot: Bot) -> None:
    url = reverse("bots_console", args=[acme.account.slug, bot.id])
    assert client_for(globex.supervisor).post(url, {"reset": "1"}).status_code == 404
    assert client_for(acme.operator).post(url, {"reset": "1"}).status_code == 403
