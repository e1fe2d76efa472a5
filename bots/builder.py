"""The bot builder's services (BOT-6): create, configure and delete bots, and edit their tree by
node id (add, rename, reorder and delete options and levels; an option's tags, assignees,
closing message and HTTP step, the latter checked in bots/builder_http.py).

Each edit loads the tree under a row lock, changes its JSON, checks it with definition.parse and
against the account (its tags, its active members), and saves it; a refused edit raises
BuilderError with a message for the supervisor and writes nothing. Sessions keep their place by
level id, so edits never break a running chat (engine.py hands over when a level vanished).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audience.models import Tag
from bots import builder_http, definition
from bots.models import Bot
from spoter.accounts.models import Account, Membership

Operation = Callable[[Account, dict[str, Any], str, dict[str, Any]], None]
MAX_LABEL = 100  # the console and the numbered menu show it whole; buttons and lists need shorter


class BuilderError(ValueError):
    """An edit the builder refuses; str(error) is for the supervisor."""


@dataclass(frozen=True)
class BotSettings:
    name: str
    error_message: str = ""
    back_command: str = ""
    back_message: str = ""
    invalid_close_message: str = ""


# --- Bots ---------------------------------------------------------------------------------------


def create_bot(account: Account, settings: BotSettings) -> Bot:
    bot = Bot(account=account)
    return save_settings(bot, settings)


def save_settings(bot: Bot, settings: BotSettings) -> Bot:
    name = settings.name.strip()
    if not name:
        raise BuilderError(_("Give the bot an identifier."))
    taken = Bot.objects.for_account(bot.account).filter(name__iexact=name).exclude(id=bot.id).exists()
    if taken:
        raise BuilderError(_("Another bot is already called %(name)s.") % {"name": name})
    bot.name = name
    bot.error_message = settings.error_message.strip()
    bot.back_command = settings.back_command.strip()
    bot.back_message = settings.back_message.strip()
    bot.invalid_close_message = (
        settings.invalid_close_message.strip() or Bot._meta.get_field("invalid_close_message").get_default()
    )
    bot.updated_at = timezone.now()
    try:
        with transaction.atomic():
            bot.save()
    except IntegrityError as error:  # the same name saved by someone else a moment ago
        raise BuilderError(_("Another bot is already called %(name)s.") % {"name": name}) from error
    return bot


def delete_bot(bot: Bot) -> None:
    """Its schedule slots and sessions go with it (cascade): a deleted bot never answers again."""
    bot.delete()


# --- The tree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionFields:
    label: str
    tags: tuple[int, ...] = ()
    assign: tuple[int, ...] = ()
    closing: str = ""


def edit_tree(bot: Bot, op: str, node_id: str, **values: Any) -> Bot:
    """Apply one builder operation to ``bot``'s tree and save it; BuilderError when refused.

    Operations: add_option (node: a level; label), add_level (node: an option; question: opens a
    deeper level under it), rename (node: a level -> its question, or an option -> its label;
    text), move_up / move_down (node: an option), delete (node: an option, or a deeper level),
    set_option (node: an option; fields: OptionFields), set_http (node: an option; fields:
    builder_http.HttpFields: its HTTP step) and clear_http (node: an option).
    """
    operation = OPERATIONS.get(op)
    if operation is None:
        raise BuilderError(_("Unknown editing operation."))
    with transaction.atomic():
        locked = Bot.objects.for_account(bot.account).select_for_update().get(id=bot.id)
        tree = _copy(locked.tree)
        operation(bot.account, tree, node_id, values)
        try:
            definition.parse(tree)
        except definition.DefinitionError as error:
            raise BuilderError(_("The bot cannot be saved like this: %(why)s.") % {"why": error}) from error
        locked.tree = tree
        locked.updated_at = timezone.now()
        locked.save(update_fields=["tree", "updated_at"])
    bot.tree, bot.updated_at = locked.tree, locked.updated_at
    return bot


def _add_option(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    level = _level(tree, node_id)
    if len(level["options"]) >= definition.MAX_OPTIONS:
        raise BuilderError(_("A level has at most %(count)d options.") % {"count": definition.MAX_OPTIONS})
    label = _label(values.get("label", ""))
    level["options"].append(
        {"id": definition.new_id(), "label": label, "tags": [], "assign": [], "closing": ""}
    )


def _add_level(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    option, _parent = _option(tree, node_id)
    if option.get("level"):
        raise BuilderError(_("This option already opens a deeper level."))
    if _depth_of(tree, node_id) >= definition.MAX_DEPTH:
        raise BuilderError(_("A bot has at most %(count)d levels.") % {"count": definition.MAX_DEPTH})
    question = str(values.get("question", "")).strip()[: definition.MAX_TEXT]
    option["level"] = {"id": definition.new_id(), "question": question, "options": []}


def _rename(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    text = str(values.get("text", ""))
    level = _find_level(tree, node_id)
    if level is not None:
        level["question"] = text.strip()[: definition.MAX_TEXT]
        return
    option, _parent = _option(tree, node_id)
    option["label"] = _label(text)


def _move(offset: int) -> Operation:
    def move(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
        option, parent = _option(tree, node_id)
        options = parent["options"]
        index = options.index(option)
        target = index + offset
        if 0 <= target < len(options):
            options[index], options[target] = options[target], options[index]

    return move


def _delete(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    if node_id == tree.get("id"):
        raise BuilderError(_("The first level cannot be deleted; delete its options instead."))
    level_owner = _level_owner(tree, node_id)
    if level_owner is not None:
        level_owner.pop("level", None)
        return
    option, parent = _option(tree, node_id)
    parent["options"].remove(option)


def _set_option(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    fields = values.get("fields")
    if not isinstance(fields, OptionFields):
        raise BuilderError(_("Unknown editing operation."))
    option, _parent = _option(tree, node_id)
    option["label"] = _label(fields.label)
    option["tags"] = check_tags(account, fields.tags)
    option["assign"] = check_members(account, fields.assign)
    option["closing"] = fields.closing.strip()[: definition.MAX_TEXT]


def _set_http(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    fields = values.get("fields")
    if not isinstance(fields, builder_http.HttpFields):
        raise BuilderError(_("Unknown editing operation."))
    option, _parent = _option(tree, node_id)
    try:
        option["http"] = builder_http.step_json(account, fields)
    except builder_http.HttpFieldError as error:
        raise BuilderError(str(error)) from error


def _clear_http(account: Account, tree: dict[str, Any], node_id: str, values: dict[str, Any]) -> None:
    option, _parent = _option(tree, node_id)
    option.pop("http", None)


OPERATIONS: dict[str, Operation] = {
    "add_option": _add_option,
    "add_level": _add_level,
    "rename": _rename,
    "move_up": _move(-1),
    "move_down": _move(+1),
    "delete": _delete,
    "set_option": _set_option,
    "set_http": _set_http,
    "clear_http": _clear_http,
}


def check_tags(account: Account, tag_ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(tag_ids))
    found = set(Tag.objects.for_account(account).filter(id__in=wanted).values_list("id", flat=True))
    if len(found) != len(wanted):
        raise BuilderError(_("Choose tags of this account."))
    return wanted


def check_members(account: Account, member_ids: Iterable[int]) -> list[int]:
    wanted = list(dict.fromkeys(member_ids))
    found = set(
        Membership.objects.for_account(account)
        .filter(id__in=wanted, is_active=True)
        .values_list("id", flat=True)
    )
    if len(found) != len(wanted):
        raise BuilderError(_("Choose active members of this account."))
    return wanted


# --- JSON helpers -------------------------------------------------------------------------------


def _copy(tree: Any) -> dict[str, Any]:
    try:
        return definition.dump(definition.parse(tree))  # a fresh, normalised copy
    except definition.DefinitionError as error:
        raise BuilderError(_("The stored bot is damaged: %(why)s.") % {"why": error}) from error


def _label(text: Any) -> str:
    label = str(text or "").strip()
    if not label:
        raise BuilderError(_("An option needs a label."))
    if len(label) > MAX_LABEL:
        raise BuilderError(_("An option's label has at most %(count)d characters.") % {"count": MAX_LABEL})
    return label


def _levels(tree: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield tree
    for option in tree["options"]:
        if option.get("level"):
            yield from _levels(option["level"])


def _find_level(tree: dict[str, Any], level_id: str) -> dict[str, Any] | None:
    return next((level for level in _levels(tree) if level["id"] == level_id), None)


def _level(tree: dict[str, Any], level_id: str) -> dict[str, Any]:
    level = _find_level(tree, level_id)
    if level is None:
        raise BuilderError(_("That level is no longer in the bot; reload the page."))
    return level


def _option(tree: dict[str, Any], option_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The option and the level that holds it."""
    for level in _levels(tree):
        for option in level["options"]:
            if option["id"] == option_id:
                return option, level
    raise BuilderError(_("That option is no longer in the bot; reload the page."))


def _level_owner(tree: dict[str, Any], level_id: str) -> dict[str, Any] | None:
    """The option that opens the level ``level_id``."""
    for level in _levels(tree):
        for option in level["options"]:
            if option.get("level") and option["level"]["id"] == level_id:
                found: dict[str, Any] = option
                return found
    return None


def _depth_of(tree: dict[str, Any], option_id: str, depth: int = 1) -> int:
    """The depth of the level holding the option (the first level is 1); 0 when absent."""
    for option in tree["options"]:
        if option["id"] == option_id:
            return depth
        if option.get("level"):
            found = _depth_of(option["level"], option_id, depth + 1)
            if found:
                return found
    return 0
