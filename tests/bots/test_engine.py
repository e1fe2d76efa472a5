"""The questionnaire bot's state machine (BOT-1), rule by rule: pure, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bots.definition import HttpStep, Level, Option
from bots.engine import (
    DEFAULT_INVALID_CLOSE,
    PENDING_TAG,
    Action,
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

SETTINGS = Settings(
    error_message="No entendí tu respuesta.",
    back_command="volver",
    back_message="Volvemos al menú anterior.",
)
LOOKUP = HttpStep(url="http://127.0.0.1:9/orders", reply="Tu pedido está {{status}}")
# root -> ventas (deeper: planes -> pymes / empresas) | soporte (HTTP) | asesor (assign, leaf)
EMPRESAS = Option("o-emp", "Empresas", tags=(7,), assign=(11, 12), closing="Un asesor te escribe pronto.")
PYMES = Option("o-pym", "Pymes", closing="Te enviamos el catálogo.")
PLANES = Level("l-planes", "¿Qué tamaño tiene tu empresa?", (PYMES, EMPRESAS))
VENTAS = Level("l-ventas", "¿Qué buscas?", (Option("o-planes", "Planes", tags=(3,), level=PLANES),))
TREE = Level(
    "l-root",
    "Hola, soy Sofía. ¿En qué te ayudo?",
    (
        Option("o-ventas", "Ventas", tags=(1, 2), level=VENTAS),
        Option("o-soporte", "Estado de pedido", http=LOOKUP),
        Option("o-asesor", "Hablar con un asesor", assign=(11,), closing="Te comunico con un asesor."),
    ),
)


def play(
    *answers: Answer | str, tree: Level = TREE, settings: Settings = SETTINGS
) -> tuple[State, list[Action]]:
    """Start the bot and give it the answers; the final state and the last answer's actions."""
    state, actions = start(tree)
    for answer in answers:
        state, actions = step(settings, tree, state, Answer(answer) if isinstance(answer, str) else answer)
    return state, actions


def test_start_sends_the_first_menu() -> None:
    state, actions = start(TREE)
    assert state == State(path=("l-root",))
    assert actions == [SendMenu(TREE)]
    assert not state.done


@pytest.mark.parametrize(
    "answer",
    [
        Answer("Ventas", reply_id="o-ventas"),
        Answer("", reply_id="o-ventas"),
        Answer("1"),
        Answer("1."),
        Answer("1)"),
        Answer(" 1 "),
        Answer("1-"),
        Answer("ventas"),
        Answer("  VENTAS  "),
        Answer("Véntás!"),
        Answer("¿ventas?"),
    ],
)
def test_an_answer_picks_by_tapped_id_number_or_label(answer: Answer) -> None:
    state, actions = play(answer)
    assert state.path == ("l-root", "l-ventas")
    assert actions == [AddTags(tag_ids=(1, 2)), SendMenu(VENTAS)]


@pytest.mark.parametrize("text", ["estado de pedido", "ESTADO  DE   PEDIDO", "2", "2)"])
def test_labels_ignore_case_accents_and_spaces(text: str) -> None:
    state, actions = play(text)
    assert state.waiting_http == "o-soporte"
    assert actions == [CallHttp(TREE.options[1])]


def test_accents_in_the_answer_match_a_plain_label_and_back() -> None:
    tree = Level("r", "?", (Option("a", "Credito"), Option("b", "Atención al cliente")))
    assert play("crédito", tree=tree)[0].option == "a"
    assert play("ATENCION AL CLIENTE", tree=tree)[0].option == "b"


def test_a_tapped_id_from_another_menu_falls_back_to_the_text() -> None:
    state, _ = play(Answer("Hablar con un asesor", reply_id="o-emp"))
    assert state.option == "o-asesor"


def test_numbers_out_of_range_and_other_text_pick_nothing() -> None:
    for text in ["0", "4", "12", "1 2", "ventas y soporte", "", "🙂"]:
        state, actions = play(text)
        assert state == State(path=("l-root",), invalid=1), text
        assert actions == [SendMenu(TREE)], text


def test_the_back_command_returns_one_level_with_its_message() -> None:
    state, actions = play("1", "1", "Volver")
    assert state.path == ("l-root", "l-ventas")
    assert actions == [SendText("Volvemos al menú anterior."), SendMenu(VENTAS)]
    state, actions = step(SETTINGS, TREE, state, Answer("volver"))
    assert state.path == ("l-root",)
    assert actions == [SendText("Volvemos al menú anterior."), SendMenu(TREE)]


def test_the_back_command_at_the_first_level_shows_the_first_menu_again() -> None:
    state, actions = play("VOLVER")
    assert state == State(path=("l-root",))
    assert actions == [SendText("Volvemos al menú anterior."), SendMenu(TREE)]


def test_the_back_command_without_a_message_only_sends_the_menu() -> None:
    state, actions = play("1", "volver", settings=replace(SETTINGS, back_message=""))
    assert state.path == ("l-root",)
    assert actions == [SendMenu(TREE)]


def test_the_back_command_resets_the_invalid_count() -> None:
    state, _ = play("x", "y", "volver")
    assert state.invalid == 0
    state, actions = step(SETTINGS, TREE, state, Answer("z"))
    assert (state.invalid, actions) == (1, [SendMenu(TREE)])


def test_without_a_back_command_the_word_is_an_invalid_answer() -> None:
    state, actions = play("1", "volver", settings=replace(SETTINGS, back_command=""))
    assert state.path == ("l-root", "l-ventas")
    assert (state.invalid, actions) == (1, [SendMenu(VENTAS)])


def test_a_back_command_of_punctuation_never_matches_a_tap_or_an_empty_text() -> None:
    settings = replace(SETTINGS, back_command="?")
    state, actions = play(Answer("", reply_id="o-ventas"), settings=settings)
    assert state.path == ("l-root", "l-ventas")
    state, actions = play(Answer(""), settings=settings)
    assert (state.invalid, actions) == (1, [SendMenu(TREE)])


def test_a_numeric_back_command_works_like_a_word() -> None:
    state, actions = play("1", "0", settings=replace(SETTINGS, back_command="0"))
    assert state.path == ("l-root",)
    assert actions[-1] == SendMenu(TREE)


def test_a_tapped_option_wins_over_a_back_command_with_its_title() -> None:
    tree = Level("r", "?", (Option("v", "Volver"), Option("w", "Otra")))
    state, _ = play(Answer("Volver", reply_id="v"), tree=tree)
    assert state.option == "v"


def test_two_invalid_answers_resend_the_menu_and_the_third_hands_over() -> None:
    state, actions = play("1", "nada")
    assert (state.invalid, actions) == (1, [SendMenu(VENTAS)])
    state, actions = step(SETTINGS, TREE, state, Answer("tampoco"))
    assert (state.invalid, actions) == (2, [SendMenu(VENTAS)])
    state, actions = step(SETTINGS, TREE, state, Answer("otra vez no"))
    assert actions == [
        SendText("No entendí tu respuesta."),
        SendText(DEFAULT_INVALID_CLOSE),
        AddTags(names=(PENDING_TAG,)),
        HandOver("invalid_answers"),
    ]
    assert state.outcome == Outcome.ESCALATED
    assert state.done
    assert state.invalid == 3


def test_the_default_closing_words_are_pips() -> None:
    assert DEFAULT_INVALID_CLOSE == (
        "Usted no seleccionó ninguna respuesta válida. Un asesor se pondrá en contacto con usted"
    )
    assert PENDING_TAG == "Pendiente de atención"
    assert Settings().invalid_close_message == DEFAULT_INVALID_CLOSE


def test_the_closing_message_is_editable_and_the_error_message_optional() -> None:
    settings = Settings(invalid_close_message="Te atiende una persona.")
    _, actions = play("a", "b", "c", settings=settings)
    assert actions == [
        SendText("Te atiende una persona."),
        AddTags(names=(PENDING_TAG,)),
        HandOver("invalid_answers"),
    ]
    _state, actions = play("a", "b", "c", settings=Settings(invalid_close_message=""))
    assert actions[0] == SendText(DEFAULT_INVALID_CLOSE)


def test_a_valid_answer_resets_the_invalid_count() -> None:
    state, _ = play("x", "y", "1")
    assert state.invalid == 0
    assert state.path == ("l-root", "l-ventas")
    state, actions = play("x", "y", "1", "z", "w")
    assert (state.invalid, state.done, actions) == (2, False, [SendMenu(VENTAS)])


def test_options_tag_and_assign_on_the_way_down_at_any_depth() -> None:
    state, actions = play("ventas", "planes")
    assert state.path == ("l-root", "l-ventas", "l-planes")
    assert actions == [AddTags(tag_ids=(3,)), SendMenu(PLANES)]
    state, actions = step(SETTINGS, TREE, state, Answer("Empresas"))
    assert actions == [
        AddTags(tag_ids=(7,)),
        Assign((11, 12)),
        SendText("Un asesor te escribe pronto."),
        HandOver("assigned"),
    ]
    assert state.outcome == Outcome.COMPLETED
    assert state.option == "o-emp"


def test_a_leaf_without_assignees_closes_with_its_message_and_no_hand_over() -> None:
    state, actions = play("1", "1", "1")
    assert actions == [SendText("Te enviamos el catálogo.")]
    assert (state.outcome, state.option, state.path) == (
        Outcome.COMPLETED,
        "o-pym",
        ("l-root", "l-ventas", "l-planes"),
    )


def test_a_leaf_without_a_closing_message_ends_silently() -> None:
    tree = Level("r", "?", (Option("a", "Sí"),))
    state, actions = play("si", tree=tree)
    assert (state.outcome, state.option, actions) == (Outcome.COMPLETED, "a", [])


def test_assigning_at_a_leaf_hands_over() -> None:
    state, actions = play("3")
    assert actions == [Assign((11,)), SendText("Te comunico con un asesor."), HandOver("assigned")]
    assert state.done
    assert state.option == "o-asesor"


def test_an_option_that_assigns_and_goes_deeper_keeps_the_bot_running() -> None:
    deeper = Level("d", "¿Cuál?", (Option("x", "X"),))
    tree = Level("r", "?", (Option("a", "A", assign=(5,), level=deeper),))
    state, actions = play("a", tree=tree)
    assert actions == [Assign((5,)), SendMenu(deeper)]
    assert not state.done
    assert state.path == ("r", "d")


def test_deep_trees_work_at_every_depth() -> None:
    depth = 10
    level = Level(f"l{depth}", "fin", (Option(f"o{depth}", "Último", closing="Listo"),))
    for index in range(depth - 1, 0, -1):
        level = Level(
            f"l{index}", f"p{index}", (Option("x", "Otro"), Option(f"o{index}", "Seguir", level=level))
        )
    state, actions = start(level)
    for index in range(1, depth):
        state, actions = step(SETTINGS, level, state, Answer("seguir"))
        assert len(state.path) == index + 1
    state, actions = step(SETTINGS, level, state, Answer("volver"))
    assert len(state.path) == depth - 1
    state, actions = play(*["2"] * (depth - 1), "1", tree=level)
    assert actions == [SendText("Listo")]
    assert state.outcome == Outcome.COMPLETED


def test_an_http_step_waits_and_ignores_answers_meanwhile() -> None:
    state, actions = play("2")
    assert actions == [CallHttp(TREE.options[1])]
    for text in ["1", "volver", "hola"]:
        assert step(SETTINGS, TREE, state, Answer(text)) == (state, [])


def test_http_done_ok_answers_and_finishes() -> None:
    state, _ = play("2")
    state, actions = http_done(TREE, state, ok=True, reply="Tu pedido está en camino", error_message="")
    assert actions == [SendText("Tu pedido está en camino")]
    assert (state.outcome, state.option, state.waiting_http) == (Outcome.COMPLETED, "o-soporte", "")


def test_http_done_error_sends_its_message_and_hands_over() -> None:
    state, _ = play("2")
    state, actions = http_done(TREE, state, ok=False, reply="", error_message="No pudimos consultar.")
    assert actions == [SendText("No pudimos consultar."), HandOver("http_error")]
    assert (state.outcome, state.option, state.waiting_http) == (Outcome.ESCALATED, "o-soporte", "")
    state, _ = play("2")
    assert http_done(TREE, state, ok=False, reply="", error_message="")[1] == [HandOver("http_error")]


def test_an_http_step_tags_and_assigns_first_and_opens_its_level_after() -> None:
    deeper = Level("d", "¿Algo más?", (Option("n", "No"),))
    http_option = Option("h", "Consultar", tags=(4,), assign=(9,), http=LOOKUP, level=deeper)
    tree = Level("r", "?", (http_option,))
    state, actions = play("consultar", tree=tree)
    assert actions == [AddTags(tag_ids=(4,)), Assign((9,)), CallHttp(http_option)]
    state, actions = http_done(tree, state, ok=True, reply="", error_message="")
    assert actions == [SendMenu(deeper)]
    assert state.path == ("r", "d")
    assert not state.done


def test_a_session_waiting_for_an_option_that_left_the_tree_hands_over() -> None:
    state, _ = play("2")
    edited = replace(TREE, options=TREE.options[:1])
    state, actions = step(SETTINGS, edited, state, Answer("hola"))
    assert actions == [HandOver("bot_changed")]
    assert (state.outcome, state.waiting_http) == (Outcome.ESCALATED, "")


def test_a_late_http_outcome_changes_nothing() -> None:
    state, _ = play("2")
    state, _ = http_done(TREE, state, ok=True, reply="ok", error_message="")
    assert http_done(TREE, state, ok=False, reply="", error_message="x") == (state, [])
    running = State(path=("l-root",))
    assert http_done(TREE, running, ok=True, reply="ok", error_message="") == (running, [])


def test_http_done_after_the_tree_lost_the_option_hands_over() -> None:
    state, _ = play("2")
    edited = replace(TREE, options=TREE.options[:1])
    state, actions = http_done(edited, state, ok=True, reply="ok", error_message="")
    assert actions == [HandOver("bot_changed")]
    assert state.outcome == Outcome.ESCALATED


def test_an_edited_tree_without_the_level_hands_over() -> None:
    state, _ = play("1", "1")
    edited = replace(TREE, options=(replace(TREE.options[0], level=None), *TREE.options[1:]))
    state, actions = step(SETTINGS, edited, state, Answer("1"))
    assert actions == [HandOver("bot_changed")]
    assert state.outcome == Outcome.ESCALATED
    renamed = replace(TREE, id="otro")
    assert step(SETTINGS, renamed, State(path=("l-root",)), Answer("1"))[1] == [HandOver("bot_changed")]
    assert step(SETTINGS, TREE, State(), Answer("1"))[1] == [HandOver("bot_changed")]


def test_an_edited_tree_keeps_a_session_whose_level_survived() -> None:
    state, _ = play("1")
    edited = replace(TREE, question="Nueva pregunta")
    state, _actions = step(SETTINGS, edited, state, Answer("planes"))
    assert state.path == ("l-root", "l-ventas", "l-planes")


def test_a_finished_session_ignores_everything() -> None:
    for answers in (["3"], ["a", "b", "c"]):
        state, _ = play(*answers)
        assert state.done
        for text in ["1", "volver", "hola", ""]:
            assert step(SETTINGS, TREE, state, Answer(text)) == (state, [])


def test_the_state_round_trips_through_json() -> None:
    state, _ = play("1", "x")
    assert State.from_json(state.to_json()) == state
    state, _ = play("2")
    assert State.from_json(state.to_json()) == state
    state, _ = play("3")
    assert State.from_json(state.to_json()) == state


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "texto",
        [],
        [1, 2],
        42,
        {},
        {"path": "l-root"},
        {"path": [1, None], "invalid": "mucho"},
        {"invalid": [1]},
        {"invalid": {"a": 1}},
        {"invalid": float("inf")},
        {"invalid": float("nan")},
        {"invalid": -5},
        {"invalid": 99, "waiting_http": None, "outcome": None, "option": 3},
    ],
)
def test_a_state_from_garbage_is_a_state(garbage: object) -> None:
    state = State.from_json(garbage)
    assert 0 <= state.invalid <= 3
    assert all(isinstance(item, str) for item in state.path)
    # and the engine copes with it: it never raises
    step(SETTINGS, TREE, state, Answer("1"))
    http_done(TREE, state, ok=True, reply="", error_message="")


def test_a_state_from_an_older_tree_resumes_where_it_was() -> None:
    state = State.from_json({"path": ["l-root", "l-ventas"], "invalid": 2})
    state, actions = step(SETTINGS, TREE, state, Answer("otra cosa"))
    assert actions[-1] == HandOver("invalid_answers")
