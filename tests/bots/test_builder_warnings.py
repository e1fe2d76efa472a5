"""The builder's warnings (BOT-6)."""

from __future__ import annotations

from collections.abc import Mapping

from bots.definition import parse
from bots.warnings import warnings


def texts(tree: Mapping[str, object]) -> list[str]:
    return [warning.text for warning in warnings(parse(tree))]


def chain(depth: int) -> dict[str, object]:
    level: dict[str, object] = {
        "id": f"l{depth}",
        "question": "¿?",
        "options": [{"id": f"o{depth}", "label": "Sí", "assign": [1]}],
    }
    for number in range(depth - 1, 0, -1):
        level = {
            "id": f"l{number}",
            "question": "¿?",
            "options": [{"id": f"o{number}", "label": "Sí", "level": level}],
        }
    return level


def test_a_good_bot_has_no_warnings() -> None:
    assert texts(chain(4)) == []


def test_no_way_to_a_human() -> None:
    tree = {"id": "a", "question": "¿?", "options": [{"id": "b", "label": "Sí", "closing": "Chau"}]}
    assert texts(tree) == [
        "No option assigns an operator: customers can reach a person only by giving three invalid answers."
    ]


def test_deeper_than_four_levels() -> None:
    assert texts(chain(5)) == ["The bot is 5 levels deep; customers give up past 4."]


def test_closing_on_a_non_leaf_and_empty_texts() -> None:
    tree = {
        "id": "a",
        "question": "",
        "options": [
            {
                "id": "b",
                "label": "Ventas",
                "closing": "Nunca llega",
                "assign": [1],
                "level": {"id": "c", "question": "¿?"},
            },
            {"id": "d", "label": " "},
        ],
    }
    found = [(warning.node_id, warning.text) for warning in warnings(parse(tree))]
    assert found == [
        ("a", "A level has no question."),
        ("c", "The level “¿?” has no options."),
        ("b", "“Ventas” opens a deeper level, so its closing message is never sent."),
        ("d", "An option has no label."),
    ]
