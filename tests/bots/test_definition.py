"""The bot tree as stored JSON (BOT-1): parse, dump, walk, depth; malformed input is refused
with DefinitionError and nothing else."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bots.definition import (
    MAX_DEPTH,
    MAX_OPTIONS,
    MAX_TEXT,
    DefinitionError,
    HttpStep,
    Level,
    Option,
    depth,
    dump,
    new_id,
    parse,
    walk,
)

STORED: dict[str, Any] = {
    "id": "root",
    "question": "Hola, ¿en qué te ayudo?",
    "options": [
        {
            "id": "a",
            "label": "Ventas",
            "tags": [1, 2],
            "assign": [],
            "closing": "",
            "level": {
                "id": "ventas",
                "question": "¿Qué buscas?",
                "options": [
                    {"id": "a1", "label": "Planes", "tags": [], "assign": [5, 6], "closing": "Gracias"},
                ],
            },
        },
        {
            "id": "b",
            "label": "Pedido",
            "tags": [],
            "assign": [],
            "closing": "",
            "http": {
                "method": "POST",
                "url": "https://api.example.test/orders",
                "headers": {"Authorization": "Bearer {{secret.erp}}"},
                "body": '{"phone": "{{contact.phone}}"}',
                "timeout": 3.0,
                "pick": {"status": "order.status"},
                "reply": "Tu pedido está {{status}}",
                "error_message": "No pudimos consultar",
            },
        },
    ],
}


def chain(levels: int) -> dict[str, Any]:
    """A tree of ``levels`` levels, one option each."""
    data: dict[str, Any] = {"id": f"l{levels}", "question": "?", "options": []}
    for index in range(levels - 1, 0, -1):
        data = {"id": f"l{index}", "question": "?", "options": [{"id": "o", "label": "x", "level": data}]}
    return data


def test_parse_gives_the_tree() -> None:
    tree = parse(STORED)
    assert tree.id == "root"
    assert tree.question == "Hola, ¿en qué te ayudo?"
    ventas, pedido = tree.options
    assert ventas.tags == (1, 2)
    assert not ventas.is_leaf
    assert ventas.level is not None
    assert ventas.level.options[0] == Option("a1", "Planes", assign=(5, 6), closing="Gracias")
    assert pedido.is_leaf
    assert pedido.http == HttpStep(
        method="POST",
        url="https://api.example.test/orders",
        headers={"Authorization": "Bearer {{secret.erp}}"},
        body='{"phone": "{{contact.phone}}"}',
        timeout=3.0,
        pick={"status": "order.status"},
        reply="Tu pedido está {{status}}",
        error_message="No pudimos consultar",
    )
    assert tree.find("b") is pedido
    assert tree.find("zz") is None


def test_dump_and_parse_round_trip() -> None:
    assert dump(parse(STORED)) == STORED
    tree = parse(STORED)
    assert parse(json.loads(json.dumps(dump(tree)))) == tree


def test_parse_fills_defaults_and_normalises() -> None:
    tree = parse(
        {
            "id": "r",
            "options": [
                {"id": "a", "tags": [3, 3, 4], "assign": None, "http": {"method": "post", "timeout": 99}},
                {"id": "b", "label": "x" * (MAX_TEXT + 10), "tags": "", "level": None},
            ],
        }
    )
    first, second = tree.options
    assert tree.question == ""
    assert first.label == ""
    assert first.tags == (3, 4)
    assert first.assign == ()
    assert first.http is not None
    assert first.http.method == "POST"
    assert first.http.timeout == 30.0
    assert len(second.label) == MAX_TEXT
    assert second.tags == ()
    assert second.level is None
    short = parse({"id": "r", "options": [{"id": "a", "http": {"timeout": 0.01}}]}).options[0].http
    assert short is not None
    assert short.timeout == 0.5


def test_a_json_body_stored_as_an_object_stays_json() -> None:
    tree = parse(
        {"id": "r", "options": [{"id": "a", "http": {"body": {"telefono": "{{contact.phone}}", "ñ": 1}}}]}
    )
    step = tree.options[0].http
    assert step is not None
    assert json.loads(step.body) == {"telefono": "{{contact.phone}}", "ñ": 1}


def test_walk_and_depth() -> None:
    tree = parse(STORED)
    assert [level.id for level in walk(tree)] == ["root", "ventas"]
    assert depth(tree) == 2
    assert depth(Level("x", "?")) == 1
    assert walk(Level("x", "?")) == [Level("x", "?")]
    deep = parse(chain(7))
    assert depth(deep) == 7
    assert [level.id for level in walk(deep)] == [f"l{i}" for i in range(1, 8)]


def test_depth_guard() -> None:
    assert depth(parse(chain(MAX_DEPTH))) == MAX_DEPTH
    with pytest.raises(DefinitionError, match="deeper"):
        parse(chain(MAX_DEPTH + 1))


def test_a_cycle_is_refused_by_the_depth_guard() -> None:
    data: dict[str, Any] = {"id": "r", "question": "?", "options": []}
    data["options"].append({"id": "o", "label": "again", "level": data})
    with pytest.raises(DefinitionError):
        parse(data)


def test_new_ids_are_short_and_distinct() -> None:
    ids = {new_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(value) == 8 for value in ids)


def with_option(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(STORED)
    data["options"][0].update(changes)
    return data


MALFORMED: list[Any] = [
    None,
    "root",
    42,
    [],
    [STORED],
    {},
    {"id": ""},
    {"id": 5},
    {"id": "r", "question": 3},
    {"id": "r", "options": "a,b"},
    {"id": "r", "options": {"id": "a"}},
    {"id": "r", "options": [{"id": f"o{n}"} for n in range(MAX_OPTIONS + 1)]},
    {"id": "r", "options": ["a"]},
    {"id": "r", "options": [None]},
    {"id": "r", "options": [{"label": "sin id"}]},
    {"id": "r", "options": [{"id": "a"}, {"id": "a"}]},
    {
        "id": "r",
        "options": [
            {"id": "a", "level": {"id": "same", "options": []}},
            {"id": "b", "level": {"id": "same", "options": []}},
        ],
    },
    with_option(label=["Ventas"]),
    with_option(closing=None),
    with_option(tags=[1, "2"]),
    with_option(tags={"1": 1}),
    with_option(tags=[True]),
    with_option(tags=[0]),
    with_option(assign=[-3]),
    with_option(assign=[1.5]),
    with_option(assign="5"),
    with_option(level="ventas"),
    with_option(level=[1]),
    with_option(level={"question": "sin id"}),
    with_option(http="GET https://x"),
    with_option(http={"headers": ["a"]}),
    with_option(http={"pick": "a.b"}),
    with_option(http={"timeout": "pronto"}),
    with_option(http={"timeout": [1]}),
    with_option(http={"timeout": float("nan")}),
    with_option(http={"timeout": 10**400}),
    with_option(http={"url": 5}),
    with_option(http={"reply": {"a": 1}}),
    with_option(http={"body": {"a": {1, 2}}}),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_trees_raise_definition_error_only(data: Any) -> None:
    with pytest.raises(DefinitionError):
        parse(data)


def test_the_error_is_a_value_error_with_a_message() -> None:
    with pytest.raises(ValueError, match="distinct ids"):
        parse({"id": "r", "options": [{"id": "a"}, {"id": "a"}]})


def test_ids_need_only_be_distinct_within_their_level() -> None:
    tree = parse(
        {
            "id": "r",
            "options": [
                {"id": "1", "level": {"id": "x", "options": [{"id": "1"}]}},
                {"id": "2", "level": {"id": "y", "options": [{"id": "1"}]}},
            ],
        }
    )
    assert [level.id for level in walk(tree)] == ["r", "x", "y"]
