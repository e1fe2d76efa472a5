"""HTTP steps (BOT-5): a bot option calls an external API and answers the customer with values
picked from its JSON answer.

``run(session, option)`` builds the request from ``option.http``: the URL, headers and body may
hold ``{{secret.<name>}}`` (the account's BotSecret, stored encrypted) and the contact's
``{{variables}}`` (URL-encoded in the URL, JSON-escaped in the body). It never follows a redirect
to another host, reads at most ``MAX_RESPONSE`` bytes, and in production refuses private,
loopback and link-local addresses (SSRF; ``BOT_HTTP_ALLOW_PRIVATE`` or DEBUG allows them, for
tests and development). ``pick`` maps a name to a dotted path in the JSON answer (``a.b.0.c``);
the step's ``reply`` is filled with those names and the contact's variables. The outcome goes to
``engine.http_done`` and its actions through ``bots.sessions.apply``: on any error (network,
timeout, a status of 400 or more, too big, not JSON) the step's error message, or ``DEFAULT_ERROR``,
and the chat goes to a person.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from bots import engine
from bots.definition import HttpStep, Option
from bots.models import BotSecret, BotSession
from bots.rules import contact_variables
from bots.sessions import apply, tree_of
from spoter.outbound import UnsafeURLError, public_host

log = logging.getLogger(__name__)

MAX_RESPONSE = 100 * 1024
MAX_REDIRECTS = 3
DEFAULT_ERROR = "No pudimos consultar esa información ahora. Un asesor se pondrá en contacto con usted."
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class StepError(Exception):
    """The call failed; the message is for the logs and the chat's system line, not the customer."""


def run(session: BotSession, option: Option) -> None:
    """Call the option's HTTP step and hand the outcome to the session."""
    tree = tree_of(session.bot)
    if tree is None:
        return
    state = engine.State.from_json(session.state)
    step = option.http
    try:
        if step is None:
            raise StepError("the option has no HTTP step")
        reply = call(session, step)
    except StepError as error:
        log.info("bot session %s: HTTP step failed: %s", session.id, error)
        message = (step.error_message if step else "") or DEFAULT_ERROR
        apply(session, *engine.http_done(tree, state, ok=False, reply="", error_message=message))
        return
    apply(session, *engine.http_done(tree, state, ok=True, reply=reply, error_message=""))


def call(session: BotSession, step: HttpStep) -> str:
    """The step's reply filled with the picked values; StepError on any failure."""
    account = session.account
    secrets = {secret.name: secret.value for secret in BotSecret.objects.for_account(account)}
    variables = contact_variables(session.conversation)
    method = step.method.upper()
    if method not in METHODS:
        raise StepError(f"method {method} not allowed")
    url = fill(step.url, secrets, variables, quote_with=lambda value: quote(value, safe=""))
    headers = {name: fill(value, secrets, variables) for name, value in step.headers.items()}
    body = fill(step.body, secrets, variables, quote_with=lambda value: json.dumps(value)[1:-1])
    if body.strip():
        try:
            json.loads(body)
        except ValueError as error:
            raise StepError(f"the body is not JSON once filled: {error}") from error
        headers.setdefault("Content-Type", "application/json")
    data = _fetch(method, url, headers, body.encode() if body.strip() else None, step.timeout)
    try:
        answer = json.loads(data)
    except ValueError as error:
        raise StepError("the answer is not JSON") from error
    picked = {name.lower(): _text(pick(answer, path)) for name, path in step.pick.items()}
    return fill(step.reply, {}, {**variables, **picked})


def fill(
    text: str,
    secrets: Mapping[str, str],
    variables: Mapping[str, str],
    *,
    quote_with: Callable[[str], str] = str,
) -> str:
    """Replace {{secret.x}} and {{variable}}; an unknown one becomes empty."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key.lower().startswith("secret."):
            return quote_with(secrets.get(key[len("secret.") :], ""))
        return quote_with(variables.get(key.lower(), ""))

    return PLACEHOLDER.sub(value, text)


def pick(data: Any, path: str) -> Any:
    """The value at a dotted path (``a.b.0.c``: keys and list indexes); None when missing."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.lstrip("-").isdigit() and -len(data) <= int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "sí" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _fetch(method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float) -> bytes:
    host = _check_url(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            for _hop in range(MAX_REDIRECTS + 1):
                with client.stream(method, url, headers=headers, content=body) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        if _check_url(url) != host:
                            raise StepError("a redirect to another host")
                        continue
                    if response.status_code >= 400:
                        raise StepError(f"status {response.status_code}")
                    return _read(response)
    except httpx.TimeoutException as error:
        raise StepError("timeout") from error
    except httpx.HTTPError as error:
        raise StepError(f"network error: {error}") from error
    raise StepError("too many redirects")


def _read(response: httpx.Response) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_RESPONSE:
        raise StepError("the answer is too big")
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > MAX_RESPONSE:
            raise StepError("the answer is too big")
    return data


def _check_url(url: str) -> str:
    try:
        return public_host(url)
    except UnsafeURLError as error:
        raise StepError(str(error)) from error
