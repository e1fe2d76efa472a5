"""Property (BOT-1): no tree and no sequence of answers crashes the engine or leaves it in an
invalid state. Random trees (bounded), random answers: texts, numbers, tapped ids, the back
command, HTTP outcomes, and a tree edited under a running session."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bots.definition import HttpStep, Level, Option, dump, parse, walk
from bots.engine import (
    MAX_INVALID,
    AddTags,
    Answer,
    Assign,
    CallHttp,
    HandOver,
    Outcome,
    SendMenu,
    SendText,
    Settings,
    State,
    http_done,
    start,
    step,
)

IDS = st.sampled_from(["a", "b", "c", "d", "x1", "x2"])
LABELS = st.sampled_from(["Ventas", "véntas", "Soporte", "1", "2", "Volver", "", "Asesor humano", "¿Sí?"])
BACK = "volver"
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | IDS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def trees(draw: st.DrawFn, depth: int = 1) -> Level:
    """A level with up to 4 options; deeper levels down to 4; ids distinct among siblings (as
    parse requires) but repeated across levels."""
    option_ids = draw(st.lists(IDS, max_size=4, unique=True))
    level_ids = iter(draw(st.lists(IDS, min_size=len(option_ids), max_size=len(option_ids), unique=True)))
    options = []
    for option_id in option_ids:
        level_id = next(level_ids)
        deeper = depth < 4 and draw(st.booleans())
        options.append(
            Option(
                id=option_id,
                label=draw(LABELS),
                tags=tuple(draw(st.lists(st.integers(1, 5), max_size=2, unique=True))),
                assign=tuple(draw(st.lists(st.integers(1, 5), max_size=2, unique=True))),
                closing=draw(st.sampled_from(["", "Gracias"])),
                http=HttpStep(url="http://127.0.0.1:9/") if draw(st.integers(0, 4)) == 0 else None,
                level=replace(draw(trees(depth + 1)), id=level_id) if deeper else None,
            )
        )
    return Level(id=draw(IDS), question=draw(st.sampled_from(["", "¿Qué?"])), options=tuple(options))


ANSWERS = st.one_of(
    st.builds(Answer, text=LABELS),
    st.builds(Answer, text=st.sampled_from(["1", "2.", "3)", " 4 ", "5-", "0", "9", "99"])),
    st.builds(Answer, text=st.just(BACK)),
    st.builds(Answer, text=st.text(max_size=12)),
    st.builds(Answer, text=st.just(""), reply_id=IDS),
    st.builds(Answer, text=LABELS, reply_id=IDS),
)
EVENTS = st.one_of(
    ANSWERS,
    st.tuples(st.just("http"), st.booleans()),
    st.just("edit"),
)
SETTINGS = st.builds(
    Settings,
    error_message=st.sampled_from(["", "Error"]),
    back_command=st.sampled_from(["", BACK, "0", "?"]),
    back_message=st.sampled_from(["", "Volvemos"]),
    invalid_close_message=st.sampled_from(["", "Cierre"]),
)


def resolve(tree: Level, path: tuple[str, ...]) -> Level | None:
    if not path or path[0] != tree.id:
        return None
    level = tree
    for level_id in path[1:]:
        deeper = [o.level for o in level.options if o.level is not None and o.level.id == level_id]
        if len(deeper) != 1:
            return None
        level = deeper[0]
    return level


def check(tree: Level, state: State, actions: list[Any]) -> None:
    assert state.outcome in (Outcome.RUNNING, Outcome.COMPLETED, Outcome.ESCALATED)
    assert all(isinstance(a, SendMenu | SendText | AddTags | Assign | CallHttp | HandOver) for a in actions)
    assert sum(isinstance(action, HandOver) for action in actions) <= 1
    if any(isinstance(action, HandOver) for action in actions):
        assert state.done
    if state.done:
        assert not state.waiting_http
        assert not any(isinstance(action, SendMenu | CallHttp) for action in actions)
        return
    current = resolve(tree, state.path)
    assert current is not None, "a running session's path resolves in the tree"
    assert state.invalid < MAX_INVALID
    menus = [action.level for action in actions if isinstance(action, SendMenu)]
    assert menus in ([], [current]), "the menu sent is the level the session is at"
    if state.waiting_http:
        option = current.find(state.waiting_http)
        assert option is not None
        assert option.http is not None
        assert actions == [] or isinstance(actions[-1], CallHttp)
    assert State.from_json(state.to_json()) == state


def edited(tree: Level) -> Level:
    """The tree with its first deeper level removed (a supervisor's edit)."""
    options = list(tree.options)
    for index, option in enumerate(options):
        if option.level is not None:
            options[index] = replace(option, level=None)
            break
    return replace(tree, options=tuple(options))


@settings(max_examples=200, deadline=None)
@given(tree=trees(), bot=SETTINGS, events=st.lists(EVENTS, max_size=12))
def test_no_sequence_of_answers_crashes_or_leaves_an_invalid_state(
    tree: Level, bot: Settings, events: list[Any]
) -> None:
    assert parse(dump(tree)) == tree  # every generated tree is one the builder could store
    state, actions = start(tree)
    check(tree, state, actions)
    for event in events:
        if event == "edit":
            tree = edited(tree)
            continue
        if isinstance(event, Answer):
            before = state
            state, actions = step(bot, tree, state, event)
            if before.done or (before.waiting_http and state.waiting_http):
                assert (state, actions) == (before, []), "a finished or waiting session ignores answers"
        else:
            waiting = state.waiting_http
            state, actions = http_done(tree, state, ok=event[1], reply="Listo", error_message="Falló")
            if not waiting:
                assert actions == []
        check(tree, state, actions)


@settings(max_examples=100, deadline=None)
@given(
    tree=trees(),
    raw=st.dictionaries(
        st.sampled_from(["path", "invalid", "waiting_http", "outcome"]),
        JSON,
    ),
)
def test_any_stored_state_is_handled(tree: Level, raw: dict[str, Any]) -> None:
    state = State.from_json(raw)
    state, _ = step(Settings(back_command=BACK), tree, state, Answer("1"))
    assert state.done or resolve(tree, state.path) is not None
    state, _ = http_done(tree, state, ok=True, reply="", error_message="")
    assert state.done or resolve(tree, state.path) is not None


@settings(max_examples=5, deadline=None)
@given(tree=trees().filter(lambda tree: len(walk(tree)) >= 4))
def test_generated_trees_reach_some_depth(tree: Level) -> None:
    """The strategy is not degenerate: it builds trees of several levels (else hypothesis fails
    this test for want of examples)."""
    assert len(walk(tree)) >= 4
