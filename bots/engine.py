"""The questionnaire bot's state machine (BOT-1): pure, no database or network inside.

``start`` and ``step`` take the bot's settings and tree, a session state and the customer's
answer, and return the new state and the actions for the services to apply (bots/runtime.py):
send a menu or a text, tag, assign, call an HTTP step, finish. Rules (the Pip! guide's, made
precise):
- An answer picks an option by the tapped button or row (its id), by its number ("2", "2.",
  "2)") or by its label, accents, case and spaces ignored.
- The back command returns one level (the back message, then that level's menu); at the first
  level it shows the first menu again.
- An answer that picks nothing shows the menu again; the third in a row sends the error message,
  then the closing message ("Usted no seleccionó ninguna respuesta válida...", editable), tags the
  chat "Pendiente de atención" and hands it to the humans.
- An option tags and assigns as configured; then its HTTP step runs (the services call
  ``http_done`` with the outcome), then its deeper level opens, or, at a leaf, its closing
  message is sent and the session finishes, handing the chat to the humans when that option
  assigns someone (an assignment on the way keeps the bot going to the leaf).
- A session whose level no longer exists (the tree was edited) hands the chat over.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from bots.definition import Level, Option

MAX_INVALID = 3
PENDING_TAG = "Pendiente de atención"
# The words our users' customers know (the Pip! guide), kept as the editable default.
DEFAULT_INVALID_CLOSE = (
    "Usted no seleccionó ninguna respuesta válida. Un asesor se pondrá en contacto con usted"
)
NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)-]?\s*$")


@dataclass(frozen=True)
class Settings:
    error_message: str = ""
    back_command: str = ""  # e.g. "volver" or "0"; empty: no back command
    back_message: str = ""
    invalid_close_message: str = DEFAULT_INVALID_CLOSE


class Outcome:
    RUNNING = ""
    COMPLETED = "completed"  # ended at a leaf option (its closing message)
    ESCALATED = "escalated"  # handed to a person on a failure: invalid answers, HTTP error, edited tree


@dataclass(frozen=True)
class State:
    path: tuple[str, ...] = ()  # level ids from the first level to the current one
    invalid: int = 0  # answers in a row that picked nothing
    waiting_http: str = ""  # the option whose HTTP step is running
    outcome: str = Outcome.RUNNING
    option: str = ""  # the option the session ended at, for analytics

    @property
    def done(self) -> bool:
        return self.outcome != Outcome.RUNNING

    def to_json(self) -> dict[str, Any]:
        return {
            "path": list(self.path),
            "invalid": self.invalid,
            "waiting_http": self.waiting_http,
            "outcome": self.outcome,
            "option": self.option,
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        data = data if isinstance(data, dict) else {}
        path = data.get("path") or []
        try:
            invalid = min(max(int(data.get("invalid") or 0), 0), MAX_INVALID)
        except (TypeError, ValueError, OverflowError):  # garbage in the stored JSON
            invalid = 0
        return cls(
            path=tuple(str(item) for item in path) if isinstance(path, list) else (),
            invalid=invalid,
            waiting_http=str(data.get("waiting_http") or ""),
            outcome=str(data.get("outcome") or ""),
            option=str(data.get("option") or ""),
        )


# --- Actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendMenu:
    level: Level


@dataclass(frozen=True)
class SendText:
    text: str


@dataclass(frozen=True)
class AddTags:
    tag_ids: tuple[int, ...] = ()
    names: tuple[str, ...] = ()  # created when missing (PENDING_TAG)


@dataclass(frozen=True)
class Assign:
    member_ids: tuple[int, ...]  # one, or a pool: the next available one in turn


@dataclass(frozen=True)
class CallHttp:
    option: Option


@dataclass(frozen=True)
class HandOver:
    reason: str  # "assigned", "invalid_answers", "http_error", "bot_changed"


Action = SendMenu | SendText | AddTags | Assign | CallHttp | HandOver
Result = tuple[State, list[Action]]


@dataclass(frozen=True)
class Answer:
    text: str = ""
    reply_id: str = ""  # the id of the tapped button or list row


# --- The machine --------------------------------------------------------------------------------


def start(tree: Level) -> Result:
    return State(path=(tree.id,)), [SendMenu(tree)]


def step(settings: Settings, tree: Level, state: State, answer: Answer) -> Result:
    if state.done:
        return state, []
    levels = _levels(tree, state.path)
    if levels is None:
        return _hand_over(state, "bot_changed")
    level = levels[-1]
    if state.waiting_http:  # an HTTP step is answering: nothing to do, unless it left the tree
        return (state, []) if level.find(state.waiting_http) else _hand_over(state, "bot_changed")
    tapped = level.find(answer.reply_id) if answer.reply_id else None
    if tapped is not None:  # a tap on this menu wins over a back command typed as its title
        return _chosen(replace(state, invalid=0), tapped)
    back = normalize(settings.back_command)
    if back and normalize(answer.text) == back:  # a command of only punctuation never matches
        parent = levels[-2] if len(levels) > 1 else level
        actions: list[Action] = [SendText(settings.back_message)] if settings.back_message else []
        return replace(state, path=state.path[:-1] or state.path, invalid=0), [*actions, SendMenu(parent)]
    option = choose(level, answer)
    if option is None:
        return _invalid(settings, state, level)
    return _chosen(replace(state, invalid=0), option)


def http_done(tree: Level, state: State, *, ok: bool, reply: str, error_message: str) -> Result:
    """The outcome of the HTTP step the state waits for: its reply (ok), or its error message
    and a person. A late or repeated outcome (nothing waited for) changes nothing."""
    if state.done or not state.waiting_http:
        return state, []
    levels = _levels(tree, state.path)
    option = levels[-1].find(state.waiting_http) if levels else None
    state = replace(state, waiting_http="")
    if option is None:
        return _hand_over(state, "bot_changed")
    if not ok:
        actions: list[Action] = [SendText(error_message)] if error_message else []
        state, more = _hand_over(state, "http_error", option)
        return state, actions + more
    state, more = _after(state, option)
    return state, ([SendText(reply)] if reply else []) + more


def choose(level: Level, answer: Answer) -> Option | None:
    if answer.reply_id:
        found = level.find(answer.reply_id)
        if found is not None:
            return found
    number = NUMBER.match(answer.text or "")
    if number and 1 <= int(number.group(1)) <= len(level.options):
        return level.options[int(number.group(1)) - 1]
    wanted = normalize(answer.text)
    return next((option for option in level.options if wanted and normalize(option.label) == wanted), None)


def normalize(text: str) -> str:
    """Case, accents, surrounding punctuation and repeated spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split()).strip(" .,;:!?¡¿")


def _chosen(state: State, option: Option) -> Result:
    actions: list[Action] = []
    if option.tags:
        actions.append(AddTags(tag_ids=option.tags))
    if option.assign:
        actions.append(Assign(option.assign))
    if option.http is not None:
        return replace(state, waiting_http=option.id), [*actions, CallHttp(option)]
    state, more = _after(state, option)
    return state, actions + more


def _after(state: State, option: Option) -> Result:
    """Past the option's tags, assignment and HTTP step: deeper, or the end (with a person when
    the option assigned someone)."""
    if option.level is not None:
        return replace(state, path=(*state.path, option.level.id)), [SendMenu(option.level)]
    actions: list[Action] = [SendText(option.closing)] if option.closing else []
    if option.assign:
        actions.append(HandOver("assigned"))
    return replace(state, outcome=Outcome.COMPLETED, option=option.id), actions


def _invalid(settings: Settings, state: State, level: Level) -> Result:
    invalid = state.invalid + 1
    if invalid < MAX_INVALID:
        return replace(state, invalid=invalid), [SendMenu(level)]
    actions: list[Action] = [SendText(settings.error_message)] if settings.error_message else []
    actions += [
        SendText(settings.invalid_close_message or DEFAULT_INVALID_CLOSE),
        AddTags(names=(PENDING_TAG,)),
    ]
    state, more = _hand_over(replace(state, invalid=invalid), "invalid_answers")
    return state, actions + more


def _hand_over(state: State, reason: str, option: Option | None = None) -> Result:
    ended = replace(
        state, outcome=Outcome.ESCALATED, option=option.id if option else state.option, waiting_http=""
    )
    return ended, [HandOver(reason)]


def _levels(tree: Level, path: tuple[str, ...]) -> list[Level] | None:
    """The levels along ``path``, or None when one is gone."""
    if not path or path[0] != tree.id:
        return None
    levels = [tree]
    for level_id in path[1:]:
        deeper = next(
            (o.level for o in levels[-1].options if o.level is not None and o.level.id == level_id), None
        )
        if deeper is None:
            return None
        levels.append(deeper)
    return levels
