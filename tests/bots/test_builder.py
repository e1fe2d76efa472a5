"""The builder's services (BOT-6): every tree operation, and what they refuse."""

from __future__ import annotations

from typing import Any

import pytest

from audience.tags import get_or_create_tag
from bots import definition
from bots.builder import (
    BotSettings,
    BuilderError,
    OptionFields,
    create_bot,
    delete_bot,
    edit_tree,
    save_settings,
)
from bots.models import Bot
from tests.conftest import Team


def labels(level: dict[str, Any]) -> list[str]:
    return [option["label"] for option in level["options"]]


@pytest.fixture
def bot(acme: Team) -> Bot:
    bot = create_bot(acme.account, BotSettings(name="Atención", back_command="volver"))
    edit_tree(bot, "rename", bot.tree["id"], text="¿En qué podemos ayudarle?")
    for label in ("Ventas", "Soporte", "Facturación"):
        edit_tree(bot, "add_option", bot.tree["id"], label=label)
    return bot


def option_id(bot: Bot, label: str) -> str:
    for level in definition.walk(definition.parse(bot.tree)):
        for option in level.options:
            if option.label == label:
                return option.id
    raise AssertionError(label)


def test_create_and_settings(acme: Team) -> None:
    bot = create_bot(acme.account, BotSettings(name="  Ventas  ", error_message="Ups"))
    assert (bot.name, bot.error_message) == ("Ventas", "Ups")
    assert bot.invalid_close_message.startswith("Usted no seleccionó")  # the default, when left empty
    with pytest.raises(BuilderError, match="already called"):
        create_bot(acme.account, BotSettings(name="VENTAS"))
    with pytest.raises(BuilderError, match="identifier"):
        save_settings(bot, BotSettings(name="  "))
    assert Bot.objects.for_account(acme.account).count() == 1


def test_same_name_in_another_account(acme: Team, globex: Team) -> None:
    create_bot(acme.account, BotSettings(name="Ventas"))
    create_bot(globex.account, BotSettings(name="Ventas"))


def test_add_rename_and_reorder(bot: Bot) -> None:
    bot.refresh_from_db()
    assert bot.tree["question"] == "¿En qué podemos ayudarle?"
    assert labels(bot.tree) == ["Ventas", "Soporte", "Facturación"]
    edit_tree(bot, "move_up", option_id(bot, "Facturación"))
    assert labels(bot.tree) == ["Ventas", "Facturación", "Soporte"]
    edit_tree(bot, "move_down", option_id(bot, "Ventas"))
    edit_tree(bot, "move_up", option_id(bot, "Facturación"))  # already first: nothing moves
    assert labels(bot.tree) == ["Facturación", "Ventas", "Soporte"]
    edit_tree(bot, "rename", option_id(bot, "Soporte"), text="Soporte técnico")
    bot.refresh_from_db()  # saved, not only in memory
    assert labels(bot.tree) == ["Facturación", "Ventas", "Soporte técnico"]


def test_deeper_levels_and_delete(bot: Bot) -> None:
    sales = option_id(bot, "Ventas")
    edit_tree(bot, "add_level", sales, question="¿Qué producto?")
    level = bot.tree["options"][0]["level"]
    edit_tree(bot, "add_option", level["id"], label="Autos")
    edit_tree(bot, "add_option", level["id"], label="Motos")
    tree = definition.parse(bot.tree)
    assert definition.depth(tree) == 2
    with pytest.raises(BuilderError, match="already opens"):
        edit_tree(bot, "add_level", sales, question="otra")
    edit_tree(bot, "delete", option_id(bot, "Motos"))
    assert labels(bot.tree["options"][0]["level"]) == ["Autos"]
    edit_tree(bot, "delete", level["id"])  # the whole level, its options with it
    assert "level" not in bot.tree["options"][0]
    edit_tree(bot, "delete", sales)
    assert labels(bot.tree) == ["Soporte", "Facturación"]
    with pytest.raises(BuilderError, match="first level"):
        edit_tree(bot, "delete", bot.tree["id"])


def test_set_option(acme: Team, bot: Bot) -> None:
    tag = get_or_create_tag(acme.account, "Ventas")
    edit_tree(
        bot,
        "set_option",
        option_id(bot, "Ventas"),
        fields=OptionFields(
            label="Ventas y precios",
            tags=(tag.id,),
            assign=(acme.operator.id, acme.admin.id),
            closing="¡Gracias!",
        ),
    )
    bot.refresh_from_db()
    option = definition.parse(bot.tree).options[0]
    assert (option.label, option.tags, option.assign, option.closing) == (
        "Ventas y precios",
        (tag.id,),
        (acme.operator.id, acme.admin.id),
        "¡Gracias!",
    )


def test_refuses_another_accounts_tags_and_members(acme: Team, globex: Team, bot: Bot) -> None:
    theirs = get_or_create_tag(globex.account, "Ventas")
    sales = option_id(bot, "Ventas")
    before = Bot.objects.for_account(acme.account).get(id=bot.id).tree
    with pytest.raises(BuilderError, match="tags of this account"):
        edit_tree(bot, "set_option", sales, fields=OptionFields(label="Ventas", tags=(theirs.id,)))
    with pytest.raises(BuilderError, match="active members"):
        edit_tree(bot, "set_option", sales, fields=OptionFields(label="Ventas", assign=(globex.operator.id,)))
    acme.operator.is_active = False
    acme.operator.save(update_fields=["is_active"])
    with pytest.raises(BuilderError, match="active members"):
        edit_tree(bot, "set_option", sales, fields=OptionFields(label="Ventas", assign=(acme.operator.id,)))
    assert Bot.objects.for_account(acme.account).get(id=bot.id).tree == before  # nothing half-written


def test_refuses_empty_labels_and_unknown_nodes(bot: Bot) -> None:
    before = dict(bot.tree)
    with pytest.raises(BuilderError, match="needs a label"):
        edit_tree(bot, "add_option", bot.tree["id"], label="   ")
    with pytest.raises(BuilderError, match="needs a label"):
        edit_tree(bot, "rename", option_id(bot, "Ventas"), text="")
    with pytest.raises(BuilderError, match="at most 100"):
        edit_tree(bot, "add_option", bot.tree["id"], label="x" * 101)
    with pytest.raises(BuilderError, match="no longer in the bot"):
        edit_tree(bot, "add_option", "nope", label="Otra")
    with pytest.raises(BuilderError, match="no longer in the bot"):
        edit_tree(bot, "move_up", "nope")
    with pytest.raises(BuilderError, match="Unknown"):
        edit_tree(bot, "explode", bot.tree["id"])
    bot.refresh_from_db()
    assert bot.tree == before


def test_limits(bot: Bot) -> None:
    for number in range(definition.MAX_OPTIONS - 3):
        edit_tree(bot, "add_option", bot.tree["id"], label=f"Opción {number}")
    with pytest.raises(BuilderError, match="at most 30 options"):
        edit_tree(bot, "add_option", bot.tree["id"], label="Una más")
    parent = option_id(bot, "Ventas")
    for depth in range(definition.MAX_DEPTH - 1):
        edit_tree(bot, "add_level", parent, question=f"Nivel {depth + 2}")
        question = f"Nivel {depth + 2}"
        level_id = next(
            lv.id for lv in definition.walk(definition.parse(bot.tree)) if lv.question == question
        )
        edit_tree(bot, "add_option", level_id, label="Más")
        parent = (
            next(lv for lv in definition.walk(definition.parse(bot.tree)) if lv.id == level_id).options[0].id
        )
    with pytest.raises(BuilderError, match="at most 12 levels"):
        edit_tree(bot, "add_level", parent, question="Demasiado")


def test_delete_bot(acme: Team, bot: Bot) -> None:
    delete_bot(bot)
    assert not Bot.objects.for_account(acme.account).exists()
