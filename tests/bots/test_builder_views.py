"""The builder's pages (BOT-6): create a bot, edit its tree with htmx or plain forms, delete it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audience.tags import get_or_create_tag
from bots.builder import BotSettings, create_bot
from bots.models import Bot
from tests.conftest import Team, client_for

HTMX = {"HX-Request": "true"}


@pytest.fixture
def bot(acme: Team) -> Bot:
    return create_bot(acme.account, BotSettings(name="Atención"))


def tree_url(team: Team, bot: Bot) -> str:
    return reverse("bots_tree", args=[team.account.slug, bot.id])


def test_create_a_bot(acme: Team) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots", args=[acme.account.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Ventas", "back_command": "volver", "invalid_close_message": ""})
    bot = Bot.objects.for_account(acme.account).get()
    assert response.url == reverse("bots_edit", args=[acme.account.slug, bot.id])  # type: ignore[attr-defined]
    assert bot.invalid_close_message.startswith("Usted no seleccionó")
    again = client.post(url, {"name": "ventas"})
    assert again.status_code == 400
    assert "Another bot is already called ventas." in again.content.decode()


def test_edit_page_shows_tree_preview_warnings_and_console(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    client.post(tree_url(acme, bot), {"op": "rename", "node": bot.tree["id"], "text": "¿Ayuda?"})
    client.post(tree_url(acme, bot), {"op": "add_option", "node": bot.tree["id"], "label": "Ventas"})
    html = client.get(reverse("bots_edit", args=[acme.account.slug, bot.id])).content.decode()
    assert "WhatsApp shows this level as reply buttons:" in html
    assert '<span class="badge">Ventas</span>' in html
    for number in range(4):  # no longer fits buttons nor a list: a numbered text menu
        label = f"Una opción con un texto bastante largo {number}"
        client.post(tree_url(acme, bot), {"op": "add_option", "node": bot.tree["id"], "label": label})
    html = client.get(reverse("bots_edit", args=[acme.account.slug, bot.id])).content.decode()
    assert "WhatsApp shows this level as a numbered text menu:" in html
    assert "5. Una opción con un texto bastante largo 3" in html
    assert "No option assigns an operator" in html
    assert 'data-testid="console"' in html


def test_htmx_edits_answer_the_tree(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    response = client.post(
        tree_url(acme, bot), {"op": "add_option", "node": bot.tree["id"], "label": "Ventas"}, headers=HTMX
    )
    html = response.content.decode()
    assert html.startswith('<section class="card bot-tree" id="builder"')
    assert "Ventas" in html
    refused = client.post(
        tree_url(acme, bot), {"op": "add_option", "node": bot.tree["id"], "label": ""}, headers=HTMX
    )
    assert "An option needs a label." in refused.content.decode()


def test_set_option_with_pickers(acme: Team, globex: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    client.post(tree_url(acme, bot), {"op": "add_option", "node": bot.tree["id"], "label": "Ventas"})
    bot.refresh_from_db()
    option = bot.tree["options"][0]["id"]
    tag = get_or_create_tag(acme.account, "Ventas")
    data = {
        "op": "set_option",
        "node": option,
        "label": "Ventas",
        "tags": [tag.id],
        "assign": [acme.operator.id],
    }
    client.post(tree_url(acme, bot), data)
    bot.refresh_from_db()
    assert (bot.tree["options"][0]["tags"], bot.tree["options"][0]["assign"]) == (
        [tag.id],
        [acme.operator.id],
    )
    theirs = get_or_create_tag(globex.account, "Ventas")
    response = client.post(tree_url(acme, bot), {**data, "tags": [theirs.id]}, follow=True)
    assert "Choose tags of this account." in response.content.decode()
    response = client.post(tree_url(acme, bot), {**data, "assign": ["x"]}, follow=True)
    assert "Choose from the lists." in response.content.decode()
    bot.refresh_from_db()
    assert bot.tree["options"][0]["tags"] == [tag.id]


def test_settings_and_delete(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots_edit", args=[acme.account.slug, bot.id])
    client.post(url, {"name": "Atención 24h", "back_command": "0", "error_message": "Ups"})
    bot.refresh_from_db()
    assert (bot.name, bot.back_command, bot.error_message) == ("Atención 24h", "0", "Ups")
    assert client.post(url, {"name": ""}).status_code == 400
    client.post(reverse("bots_delete", args=[acme.account.slug, bot.id]))
    assert not Bot.objects.for_account(acme.account).exists()


@pytest.mark.parametrize("name", ["bots_edit", "bots_tree", "bots_console", "bots_stats", "bots_delete"])
def test_it_checks_ownership(acme: Team, globex: Team, bot: Bot, name: str) -> None:
    url = reverse(name, args=[acme.account.slug, bot.id])
    outsider: Client = client_for(globex.supervisor)
    assert outsider.post(url, {"op": "delete", "node": "x"}).status_code == 404
    assert client_for(acme.operator).post(url, {"op": "delete", "node": "x"}).status_code == 403
    assert Bot.objects.for_account(acme.account).filter(id=bot.id).exists()


def test_a_tree_damaged_outside_the_builder_is_reported_not_a_500(acme: Team, bot: Bot) -> None:
    Bot.objects.for_account(acme.account).filter(id=bot.id).update(tree={"options": "nonsense"})
    client = client_for(acme.supervisor)
    page = client.get(reverse("bots_edit", args=[acme.account.slug, bot.id]))
    assert page.status_code == 200
    assert "questions cannot be read" in page.content.decode()
    played = client.post(reverse("bots_console", args=[acme.account.slug, bot.id]), {"reset": "1"})
    assert played.status_code == 400
