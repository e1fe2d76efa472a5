"""An option's HTTP step in the builder (BOT-5, BOT-6): set_http / clear_http, every field's
refusal (nothing saved), secrets of this account only, and the form in the tree editor."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from django.urls import reverse

from bots import definition
from bots.builder import BotSettings, BuilderError, create_bot, edit_tree
from bots.builder_http import HttpFields
from bots.models import Bot, BotSecret
from tests.conftest import Team, client_for

HTMX = {"HX-Request": "true"}

GOOD = HttpFields(
    method="post",
    url="https://api.example.com/clientes/{{dni}}?src=bot",
    headers="Authorization: Bearer {{secret.token}}\n\nX-Origen: spoter",
    body='{"dni": "{{dni}}", "nombre": "{{nombre}}", "tags": ["bot"]}',
    timeout="2,5",
    pick="estado = pedido.items.0.estado\ndias=pedido.eta",
    reply="{{nombre}}, su pedido está {{estado}} (llega en {{dias}} días)",
    error_message="No pudimos consultar su pedido.",
)


@pytest.fixture
def bot(acme: Team) -> Bot:
    BotSecret.objects.for_account(acme.account).create(account=acme.account, name="token", value="s3cr3t")
    bot = create_bot(acme.account, BotSettings(name="Pedidos"))
    edit_tree(bot, "add_option", bot.tree["id"], label="Mi pedido")
    return bot


def option_of(bot: Bot) -> str:
    bot.refresh_from_db()
    option_id: str = bot.tree["options"][0]["id"]
    return option_id


def test_set_http_round_trips_through_the_definition(acme: Team, bot: Bot) -> None:
    edit_tree(bot, "set_http", option_of(bot), fields=GOOD)
    bot.refresh_from_db()
    step = definition.parse(bot.tree).options[0].http
    assert step == definition.HttpStep(
        method="POST",
        url="https://api.example.com/clientes/{{dni}}?src=bot",
        headers={"Authorization": "Bearer {{secret.token}}", "X-Origen": "spoter"},
        body='{"dni": "{{dni}}", "nombre": "{{nombre}}", "tags": ["bot"]}',
        timeout=2.5,
        pick={"estado": "pedido.items.0.estado", "dias": "pedido.eta"},
        reply="{{nombre}}, su pedido está {{estado}} (llega en {{dias}} días)",
        error_message="No pudimos consultar su pedido.",
    )
    assert definition.dump(definition.parse(bot.tree)) == bot.tree  # stored as the definition writes it
    edit_tree(
        bot, "set_http", option_of(bot), fields=HttpFields(url="http://api.example.com/ping", timeout="")
    )
    again = definition.parse(bot.tree).options[0].http
    assert again == definition.HttpStep(method="GET", url="http://api.example.com/ping", timeout=5.0)
    edit_tree(bot, "clear_http", option_of(bot))
    bot.refresh_from_db()
    assert "http" not in bot.tree["options"][0]
    assert definition.parse(bot.tree).options[0].http is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"method": "TRACE"}, "Choose the method: GET, POST, PUT, PATCH, DELETE."),
        ({"method": ""}, "Choose the method"),
        ({"url": ""}, "Write the URL to call."),
        ({"url": "ftp://api.example.com/x"}, "must be absolute"),
        ({"url": "/clientes/{{dni}}"}, "must be absolute"),
        ({"url": "https://{{host}}/clientes"}, "its host written out"),
        ({"url": "https://api.example.com/a b"}, "must be absolute"),
        ({"url": "https://api.example.com:99999/"}, "must be absolute"),
        ({"url": "https://api.example.com/" + "x" * 1100}, "The URL has at most 1024 characters."),
        ({"headers": "Authorization Bearer x"}, 'Write each header as "Name: value"'),
        ({"headers": "Bad Name: x"}, 'Write each header as "Name: value"'),
        ({"headers": "X-Empty:"}, 'Write each header as "Name: value"'),
        ({"headers": "X-A: 1\nx-a: 2"}, "The header x-a is written twice."),
        ({"headers": "\n".join(f"X-{n}: 1" for n in range(21))}, "At most 20 lines of headers."),
        ({"headers": "X-Key: {{secret.nope}}"}, "There is no secret called nope"),
        ({"url": "https://api.example.com/?k={{secret.nope}}"}, "There is no secret called nope"),
        ({"body": '{"dni": "{{secret.nope}}"}'}, "There is no secret called nope"),
        ({"body": '{"dni": "{{dni}}"'}, "The body must be JSON"),
        ({"body": '{"dni": {{dni}}}'}, "with each {{variable}} inside quotes"),
        ({"body": "hola"}, "The body must be JSON"),
        ({"body": '{"a": "' + "x" * 10_001 + '"}'}, "The body has at most 10000 characters."),
        ({"timeout": "0.4"}, "The timeout is between 0.5 and 30 seconds."),
        ({"timeout": "31"}, "The timeout is between 0.5 and 30 seconds."),
        ({"timeout": "nan"}, "The timeout is between"),
        ({"timeout": "inf"}, "The timeout is between"),
        ({"timeout": "pronto"}, "The timeout is between"),
        ({"pick": "estado pedido.estado"}, 'Write each value to pick as "variable = dotted.path"'),
        ({"pick": "mi estado = pedido.estado"}, "variable = dotted.path"),
        ({"pick": "estado = pedido..estado"}, "variable = dotted.path"),
        ({"pick": "estado = "}, "variable = dotted.path"),
        ({"pick": "estado = a\nESTADO = b"}, "The variable ESTADO is picked twice."),
        ({"reply": "Su clave: {{secret.token}}"}, "it cannot show a secret"),
        ({"reply": "x" * 1025}, "The reply has at most 1024 characters."),
        ({"error_message": "x" * 1025}, "The error message has at most 1024 characters."),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(bot: Bot, change: dict[str, str], message: str) -> None:
    option = option_of(bot)
    edit_tree(bot, "set_http", option, fields=GOOD)
    bot.refresh_from_db()
    before = bot.tree
    with pytest.raises(BuilderError) as refused:
        edit_tree(bot, "set_http", option, fields=replace(GOOD, **change))
    assert message in str(refused.value)
    bot.refresh_from_db()
    assert bot.tree == before


def test_a_secret_of_another_account_is_refused(acme: Team, globex: Team, bot: Bot) -> None:
    BotSecret.objects.for_account(globex.account).create(account=globex.account, name="theirs", value="x")
    theirs = replace(GOOD, headers="X-Key: {{secret.theirs}}")
    with pytest.raises(BuilderError, match="There is no secret called theirs"):
        edit_tree(bot, "set_http", option_of(bot), fields=theirs)
    bot.refresh_from_db()
    assert "http" not in bot.tree["options"][0]


def test_unknown_option_and_missing_fields(bot: Bot) -> None:
    with pytest.raises(BuilderError, match="no longer in the bot"):
        edit_tree(bot, "set_http", "nope", fields=GOOD)
    with pytest.raises(BuilderError, match="Unknown editing operation"):
        edit_tree(bot, "set_http", option_of(bot))
    with pytest.raises(BuilderError, match="no longer in the bot"):
        edit_tree(bot, "clear_http", "nope")


def form(option: str, **change: str) -> dict[str, str]:
    data = {field.name: str(getattr(GOOD, field.name)) for field in fields(HttpFields)}
    return {"op": "set_http", "node": option, **data, **change}


def test_the_tree_editor_saves_shows_and_removes_a_step(acme: Team, bot: Bot) -> None:
    client = client_for(acme.supervisor)
    url = reverse("bots_tree", args=[acme.account.slug, bot.id])
    option = option_of(bot)
    page = client.get(reverse("bots_edit", args=[acme.account.slug, bot.id])).content.decode()
    assert f'data-testid="http-form-{option}"' in page
    assert f'data-testid="http-badge-{option}"' not in page

    html = client.post(url, form(option), headers=HTMX).content.decode()
    assert f'<span class="badge warn" data-testid="http-badge-{option}">POST api.example.com</span>' in html
    assert "Authorization: Bearer {{secret.token}}\nX-Origen: spoter</textarea>" in html  # prefilled
    assert "estado = pedido.items.0.estado\ndias = pedido.eta</textarea>" in html
    assert 'value="2.5"' in html
    assert "<option selected>POST</option>" in html
    assert "Remove HTTP step" in html
    bot.refresh_from_db()
    assert bot.tree["options"][0]["http"]["method"] == "POST"

    refused = client.post(url, form(option, body="{roto", url="https://api.example.com/v2"), headers=HTMX)
    html = refused.content.decode()
    assert "The body must be JSON" in html
    assert "{roto</textarea>" in html  # the typed draft, not the stored step
    assert 'value="https://api.example.com/v2"' in html
    bot.refresh_from_db()
    assert bot.tree["options"][0]["http"]["body"] == GOOD.body

    response = client.post(url, {"op": "clear_http", "node": option}, follow=True)  # without htmx
    assert response.status_code == 200
    bot.refresh_from_db()
    assert "http" not in bot.tree["options"][0]
    response = client.post(url, form(option, timeout="99"), follow=True)
    assert "The timeout is between 0.5 and 30 seconds." in response.content.decode()


def test_the_console_says_which_call_would_run(acme: Team, bot: Bot) -> None:
    edit_tree(bot, "set_http", option_of(bot), fields=GOOD)
    client = client_for(acme.supervisor)
    url = reverse("bots_console", args=[acme.account.slug, bot.id])
    client.post(url, {"reset": "1"})
    html = client.post(url, {"text": "1"}, headers=HTMX).content.decode()
    assert "https://api.example.com/clientes/{{dni}}?src=bot" in html


def test_operators_and_other_accounts_cannot_set_a_step(acme: Team, globex: Team, bot: Bot) -> None:
    url = reverse("bots_tree", args=[acme.account.slug, bot.id])
    option = option_of(bot)
    assert client_for(acme.operator).post(url, form(option)).status_code == 403
    assert client_for(globex.supervisor).post(url, form(option)).status_code == 404
    bot.refresh_from_db()
    assert "http" not in bot.tree["options"][0]
