"""How a bot level goes out on WhatsApp (BOT-1): buttons when they fit (<= 3, titles <= 20),
a list when it fits (<= 10 rows, titles <= 24), else a numbered text menu."""

from __future__ import annotations

import pytest
from django.utils import translation

from bots.definition import Level, Option
from bots.engine import Answer, choose
from bots.menus import kind, numbered, render
from inbox.content import Buttons, ListMenu, Row, Section, Text


def level(*labels: str, question: str = "¿En qué te ayudo?") -> Level:
    return Level("l", question, tuple(Option(f"o{n}", label) for n, label in enumerate(labels, start=1)))


def test_up_to_three_short_options_are_buttons() -> None:
    menu = level("Ventas", "Soporte", "Asesor")
    assert render(menu) == Buttons(
        body="¿En qué te ayudo?", buttons=[("o1", "Ventas"), ("o2", "Soporte"), ("o3", "Asesor")]
    )
    assert kind(menu) == "buttons"
    assert kind(level("Uno")) == "buttons"


def test_four_options_are_a_list() -> None:
    menu = level("Ventas", "Soporte", "Asesor", "Horarios")
    with translation.override("en"):
        content = render(menu)
    assert content == ListMenu(
        body="¿En qué te ayudo?",
        button="See the options",
        sections=[
            Section(
                "",
                [
                    Row("o1", "Ventas"),
                    Row("o2", "Soporte"),
                    Row("o3", "Asesor"),
                    Row("o4", "Horarios"),
                ],
            )
        ],
    )
    assert kind(menu) == "list"


def test_the_list_button_fits_whatsapp_in_every_language() -> None:
    for language in ("en", "es-ar"):
        with translation.override(language):
            content = render(level(*"abcd"))
        assert isinstance(content, ListMenu)
        assert 0 < len(content.button) <= 20


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["x" * 20, "b", "c"], "buttons"),
        (["x" * 21, "b", "c"], "list"),
        (["x" * 21], "list"),
        (["x" * 24, "b", "c", "d"], "list"),
        (["x" * 25, "b", "c", "d"], "text"),
        (["x" * 25], "text"),
        ([f"Opción {n}" for n in range(10)], "list"),
        ([f"Opción {n}" for n in range(11)], "text"),
        (["ñandú acentuado áéíó"], "buttons"),  # 20 characters, more bytes
    ],
)
def test_boundaries(labels: list[str], expected: str) -> None:
    assert kind(level(*labels)) == expected


def test_numbered_text_menu() -> None:
    menu = level(*[f"Opción {n}" for n in range(1, 12)])
    with translation.override("en"):
        content = render(menu)
        text = numbered(menu)
    assert content == Text(text)
    lines = text.splitlines()
    assert lines[0] == "¿En qué te ayudo?"
    assert lines[1] == ""
    assert lines[2] == "1. Opción 1"
    assert lines[12] == "11. Opción 11"
    assert lines[-1] == "Answer with the number of an option."


def test_the_numbers_shown_are_the_numbers_understood() -> None:
    menu = level(*[f"Opción {n}" for n in range(1, 12)])
    for line in numbered(menu).splitlines()[2:-1]:
        number, label = line.split(". ", 1)
        chosen = choose(menu, Answer(number))
        assert chosen is not None
        assert chosen.label == label
        assert choose(menu, Answer(label)) == chosen


def test_a_level_without_a_question_or_options() -> None:
    assert render(level()) == Text("¿En qué te ayudo?")
    assert render(level(question="")) == Text("…")
    assert render(level(question="   ")) == Text("…")
    blank = render(level("Sí", "No", question=" \n"))
    assert isinstance(blank, Buttons)
    assert blank.body == "…"
    assert numbered(level("Sí", question="")).splitlines()[0] == "1. Sí"


def test_long_questions_are_cut_to_whatsapps_body() -> None:
    content = render(level("Sí", question="p" * 2000))
    assert isinstance(content, Buttons)
    assert len(content.body) == 1024


def test_blank_labels_fall_back_to_the_numbered_text() -> None:
    # WhatsApp refuses a button or row without a title (inbox/drafts.py)
    assert kind(level("Sí", "  ")) == "text"
    assert kind(level("a", "b", "c", "")) == "text"


def test_ids_that_whatsapp_would_refuse_fall_back_to_the_numbered_text() -> None:
    twice = Level("l", "?", (Option("same", "Uno"), Option("same", "Dos")))
    long_id = Level("l", "?", (Option("x" * 201, "Uno"),))
    blank_id = Level("l", "?", (Option(" ", "Uno"),))
    assert kind(twice) == kind(long_id) == kind(blank_id) == "text"
    assert kind(Level("l", "?", (Option("x" * 200, "Uno"),))) == "buttons"
