"""How a bot level looks on WhatsApp (BOT-1): reply buttons when they fit (at most 3, titles of
at most 20 characters), else a list when it fits (at most 10 rows, titles of at most 24), else a
numbered text menu. The customer may always answer by number or by the option's text too
(engine.choose)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from bots.definition import Level
from inbox.content import Buttons, Content, ListMenu, Row, Section, Text

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_BODY = 1024
MAX_ID = 200  # a button's or row's id


def render(level: Level) -> Content:
    """The level as a message, in the active language (the runtime activates the account's)."""
    question = level.question[:MAX_BODY] if level.question.strip() else "…"
    if not level.options:
        return Text(question)
    if _fits(level, MAX_BUTTONS, MAX_BUTTON_TITLE):
        return Buttons(body=question, buttons=[(option.id, option.label) for option in level.options])
    if _fits(level, MAX_ROWS, MAX_ROW_TITLE):
        rows = [Row(id=option.id, title=option.label) for option in level.options]
        return ListMenu(
            body=question, button=_("See the options")[:MAX_BUTTON_TITLE], sections=[Section("", rows)]
        )
    return Text(numbered(level))


def _fits(level: Level, count: int, title: int) -> bool:
    """Whether WhatsApp takes the options as buttons or rows (inbox/drafts.py checks the same):
    few enough, titles not blank nor too long, ids distinct and at most 200 characters."""
    ids = [option.id for option in level.options]
    return (
        len(level.options) <= count
        and all(option.label.strip() and len(option.label) <= title for option in level.options)
        and all(option_id.strip() and len(option_id) <= MAX_ID for option_id in ids)
        and len(set(ids)) == len(ids)
    )


def numbered(level: Level) -> str:
    """The question and its options as "1. label" lines: the text fallback, and what the test
    console and the builder's preview show."""
    lines = [level.question, ""] if level.question else []
    lines += [f"{number}. {option.label}" for number, option in enumerate(level.options, start=1)]
    lines.append(_("Answer with the number of an option."))
    return "\n".join(lines)[:4096]


def kind(level: Level) -> str:
    """ "buttons", "list" or "text": what ``render`` sends (the builder's preview says it)."""
    content = render(level)
    return "buttons" if isinstance(content, Buttons) else "list" if isinstance(content, ListMenu) else "text"
