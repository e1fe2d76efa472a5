"""The builder's test console (BOT-6): a supervisor plays the customer against a bot, with no
WhatsApp and no database writes. It runs the real engine on a state the view keeps in the
Django session, shows each menu as WhatsApp would (buttons, list or numbered text, menus.kind)
and each action as a readable line ("Tags the chat: Ventas"). HTTP steps are not called: the
console says so and goes on as if the API had answered.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audience.models import Tag
from bots import definition, engine, menus
from bots.models import Bot
from spoter.accounts.models import Membership

MAX_LINES = 200  # a long play keeps its last lines
REASONS = {
    "assigned": gettext_lazy("the option assigns an operator"),
    "invalid_answers": gettext_lazy("three invalid answers"),
    "http_error": gettext_lazy("the HTTP step failed"),
    "bot_changed": gettext_lazy("the bot was edited under this chat"),
}

Transcript = dict[str, Any]  # {"state": State JSON, "lines": [line, ...]}


def begin(bot: Bot) -> Transcript:
    tree = _tree(bot)
    state, actions = engine.start(tree)
    return _apply(bot, tree, {"state": {}, "lines": []}, state, actions)


def answer(bot: Bot, transcript: Transcript, text: str = "", reply_id: str = "") -> Transcript:
    """The customer's answer: by typing ``text`` or by tapping the button or row ``reply_id``."""
    tree = _tree(bot)
    state = engine.State.from_json(transcript.get("state"))
    if not state.path:
        return begin(bot)
    lines = list(transcript.get("lines") or [])
    tapped = tree and reply_id and _label(tree, reply_id)
    lines.append({"who": "customer", "text": tapped or text})
    new_state, actions = engine.step(_settings(bot), tree, state, engine.Answer(text, reply_id))
    return _apply(bot, tree, {"state": state.to_json(), "lines": lines}, new_state, actions)


def finished(transcript: Transcript) -> bool:
    return engine.State.from_json(transcript.get("state")).done


def _apply(
    bot: Bot, tree: definition.Level, transcript: Transcript, state: engine.State, actions: list[Any]
) -> Transcript:
    lines: list[dict[str, Any]] = list(transcript["lines"])
    for action in actions:
        if isinstance(action, engine.CallHttp):
            step = action.option.http or definition.HttpStep()  # CallHttp comes with a step
            lines.append(
                _system(
                    _("Calls %(method)s %(url)s (not called in the console; going on as if it answered).")
                    % {"method": step.method, "url": step.url or "…"}
                )
            )
            state, more = engine.http_done(tree, state, ok=True, reply=step.reply, error_message="")
            lines += [_line(bot, item) for item in more]
        else:
            lines.append(_line(bot, action))
    if state.done:
        lines.append(
            _system(
                _("The bot finished: the customer completed it.")
                if state.outcome == engine.Outcome.COMPLETED
                else _("The bot finished: the chat went to a person.")
            )
        )
    return {"state": state.to_json(), "lines": lines[-MAX_LINES:]}


def _line(bot: Bot, action: Any) -> dict[str, Any]:
    if isinstance(action, engine.SendMenu):
        level = action.level
        return {
            "who": "bot",
            "kind": menus.kind(level),
            "text": level.question,
            "numbered": menus.numbered(level),
            "options": [[option.id, option.label] for option in level.options],
        }
    if isinstance(action, engine.SendText):
        return {"who": "bot", "text": action.text}
    if isinstance(action, engine.AddTags):
        tags = Tag.objects.for_account(bot.account).filter(id__in=action.tag_ids)
        names = [tag.name for tag in tags] + list(action.names)
        return _system(_("Tags the chat: %(tags)s") % {"tags": ", ".join(names) or "—"})
    if isinstance(action, engine.Assign):
        members = (
            Membership.objects.for_account(bot.account)
            .filter(id__in=action.member_ids)
            .select_related("user")
        )
        emails = ", ".join(member.user.email for member in members) or "—"
        if len(action.member_ids) > 1:
            return _system(_("Assigns the chat to the next of: %(members)s") % {"members": emails})
        return _system(_("Assigns the chat to %(members)s") % {"members": emails})
    if isinstance(action, engine.HandOver):
        return _system(
            _("Hands the chat to the operators (%(reason)s).")
            % {"reason": REASONS.get(action.reason, action.reason)}
        )
    return _system(str(action))


def _system(text: str) -> dict[str, Any]:
    return {"who": "system", "text": text}


def _tree(bot: Bot) -> definition.Level:
    return definition.parse(bot.tree)


def _settings(bot: Bot) -> engine.Settings:
    return engine.Settings(
        error_message=bot.error_message,
        back_command=bot.back_command,
        back_message=bot.back_message,
        invalid_close_message=bot.invalid_close_message,
    )


def _label(tree: definition.Level, option_id: str) -> str:
    for level in definition.walk(tree):
        option = level.find(option_id)
        if option is not None:
            return option.label
    return ""
