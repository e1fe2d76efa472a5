"""A questionnaire bot's tree (BOT-1), as the engine reads it: levels of a question and options;
an option may tag, assign, close with a message, call an HTTP step and/or open a deeper level.

Stored as JSON on Bot.tree; ``parse`` checks the shape and gives immutable dataclasses, ``dump``
writes them back. Node ids are short stable strings, so a session can say where it is even after
the tree is edited (a session whose level disappeared hands the chat over, see engine.py). Ids
of tags and members are the account's; the services check them again when they act.
"""

from __future__ import annotations

import json
import math
import secrets
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 12  # far past the builder's warning (4): a guard against cycles and runaway JSON
MAX_OPTIONS = 30
MAX_TEXT = 1024  # WhatsApp's body limit for interactive messages


class DefinitionError(ValueError):
    """The stored tree is not a bot tree; the message says where."""


@dataclass(frozen=True)
class HttpStep:
    """An external HTTP call (BOT-5): executed by the services, never by the engine."""

    method: str = "GET"
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # values may name secrets: {{secret.x}}
    body: str = ""  # JSON with {{variables}}
    timeout: float = 5.0
    pick: dict[str, str] = field(default_factory=dict)  # variable -> dotted path in the JSON answer
    reply: str = ""  # the answer to the customer, with {{picked}} values
    error_message: str = ""  # on error or timeout, before the chat goes to a human


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    tags: tuple[int, ...] = ()
    assign: tuple[int, ...] = ()  # membership ids: one, or a pool served in turn
    closing: str = ""  # sent when the flow ends at this option
    http: HttpStep | None = None
    level: Level | None = None

    @property
    def is_leaf(self) -> bool:
        return self.level is None


@dataclass(frozen=True)
class Level:
    id: str
    question: str
    options: tuple[Option, ...] = ()

    def find(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


def new_id() -> str:
    return secrets.token_hex(4)


def parse(data: Any, depth: int = 1) -> Level:
    """The level in ``data`` (a dict as stored); DefinitionError when malformed."""
    if depth > MAX_DEPTH:
        raise DefinitionError(f"deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise DefinitionError("a level must be an object")
    options = data.get("options") or []
    if not isinstance(options, list) or len(options) > MAX_OPTIONS:
        raise DefinitionError(f"a level has a list of at most {MAX_OPTIONS} options")
    level = Level(
        id=_text(data, "id", required=True),
        question=_text(data, "question"),
        options=tuple(_option(raw, depth) for raw in options),
    )
    # A tapped id names one option, and a session's path one level: both unique in their level.
    option_ids = [option.id for option in level.options]
    level_ids = [option.level.id for option in level.options if option.level is not None]
    if len(set(option_ids)) != len(option_ids) or len(set(level_ids)) != len(level_ids):
        raise DefinitionError(f"the options of level {level.id} need distinct ids")
    return level


def dump(level: Level) -> dict[str, Any]:
    return {
        "id": level.id,
        "question": level.question,
        "options": [_dump_option(option) for option in level.options],
    }


def walk(level: Level) -> list[Level]:
    """Every level of the tree, depth first."""
    found = [level]
    for option in level.options:
        if option.level is not None:
            found += walk(option.level)
    return found


def depth(level: Level) -> int:
    deeper = [depth(option.level) for option in level.options if option.level is not None]
    return 1 + max(deeper, default=0)


def _option(raw: Any, depth_now: int) -> Option:
    if not isinstance(raw, dict):
        raise DefinitionError("an option must be an object")
    http = raw.get("http")
    level = raw.get("level")
    return Option(
        id=_text(raw, "id", required=True),
        label=_text(raw, "label"),
        tags=_ids(raw.get("tags")),
        assign=_ids(raw.get("assign")),
        closing=_text(raw, "closing"),
        http=_http(http) if http else None,
        level=parse(level, depth_now + 1) if level else None,
    )


def _http(raw: Any) -> HttpStep:
    if not isinstance(raw, dict):
        raise DefinitionError("an HTTP step must be an object")
    headers = raw.get("headers") or {}
    pick = raw.get("pick") or {}
    if not isinstance(headers, dict) or not isinstance(pick, dict):
        raise DefinitionError("an HTTP step's headers and picks are objects")
    try:
        timeout = float(raw.get("timeout") or 5.0)
    except (TypeError, ValueError, OverflowError) as error:
        raise DefinitionError("an HTTP step's timeout is a number of seconds") from error
    if math.isnan(timeout):
        raise DefinitionError("an HTTP step's timeout is a number of seconds")
    body = raw.get("body") or ""
    if isinstance(body, dict | list):  # a JSON body stored as an object: keep it JSON
        try:
            body = json.dumps(body, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            raise DefinitionError("an HTTP step's body is JSON") from error
    return HttpStep(
        method=str(raw.get("method") or "GET").upper(),
        url=_text(raw, "url"),
        headers={str(key): str(value) for key, value in headers.items()},
        body=str(body),
        timeout=min(max(timeout, 0.5), 30.0),
        pick={str(key): str(value) for key, value in pick.items()},
        reply=_text(raw, "reply"),
        error_message=_text(raw, "error_message"),
    )


def _dump_option(option: Option) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": option.id,
        "label": option.label,
        "tags": list(option.tags),
        "assign": list(option.assign),
        "closing": option.closing,
    }
    if option.http is not None:
        step = option.http
        data["http"] = {
            "method": step.method,
            "url": step.url,
            "headers": dict(step.headers),
            "body": step.body,
            "timeout": step.timeout,
            "pick": dict(step.pick),
            "reply": step.reply,
            "error_message": step.error_message,
        }
    if option.level is not None:
        data["level"] = dump(option.level)
    return data


def _text(data: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise DefinitionError(f"{key} must be {'a non-empty' if required else 'a'} string")
    return value[:MAX_TEXT]


def _ids(values: Any) -> tuple[int, ...]:
    if values in (None, ""):
        return ()
    if not isinstance(values, list) or not all(
        isinstance(value, int) and not isinstance(value, bool) and value > 0 for value in values
    ):
        raise DefinitionError("tags and assignees are lists of ids")
    return tuple(dict.fromkeys(values))
