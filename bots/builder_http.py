"""An option's HTTP step in the builder (BOT-5, BOT-6): the supervisor's form fields checked and
turned into the JSON ``definition.HttpStep`` reads, and the stored step written back as form text.

The form holds plain text: headers as ``Name: value`` lines, picks as ``variable = dotted.path``
lines. ``step_json`` refuses, with a message for the supervisor (HttpFieldError), a method the
runner does not call, a URL that is not absolute http(s) (its host written out, not a
``{{variable}}``), a ``{{secret.name}}`` the account has no BotSecret for, a body that is not JSON
once each ``{{variable}}`` is a string, a timeout outside 0.5-30 s, a malformed pick and a secret
in the customer's reply. Nothing is cut silently: a text past the tree's limit is refused too.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from bots import definition
from bots.models import BotSecret
from spoter.accounts.models import Account

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # what bots/http_steps.py calls
MIN_TIMEOUT, MAX_TIMEOUT, DEFAULT_TIMEOUT = 0.5, 30.0, 5.0
MAX_BODY = 10_000
MAX_LINES = 20  # headers, picks
PLACEHOLDER = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")  # as bots/http_steps.py fills them
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # an RFC 9110 token
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PATH = re.compile(r"^[^\s.]+(\.[^\s.]+)*$")


class HttpFieldError(ValueError):
    """A field of the HTTP step form is refused; str(error) is for the supervisor."""


@dataclass(frozen=True)
class HttpFields:
    """The form as typed (builder.edit_tree's ``set_http`` takes ``fields=HttpFields(...)``)."""

    method: str = "GET"
    url: str = ""
    headers: str = ""  # "Name: value" lines
    body: str = ""
    timeout: str | float = DEFAULT_TIMEOUT
    pick: str = ""  # "variable = dotted.path" lines
    reply: str = ""
    error_message: str = ""


def step_json(account: Account, fields: HttpFields) -> dict[str, Any]:
    """The step as stored on an option's ``http``; HttpFieldError when a field is refused."""
    url = _url(fields.url)
    headers = _headers(fields.headers)
    body = _body(fields.body)
    _check_secrets(account, [url, body, *headers.values()])
    reply = _limited(fields.reply, _("The reply"))
    if any(key.lower().startswith("secret.") for key in PLACEHOLDER.findall(reply)):
        raise HttpFieldError(_("The reply goes to the customer: it cannot show a secret."))
    return {
        "method": _method(fields.method),
        "url": url,
        "headers": headers,
        "body": body,
        "timeout": _timeout(fields.timeout),
        "pick": _picks(fields.pick),
        "reply": reply,
        "error_message": _limited(fields.error_message, _("The error message")),
    }


def headers_text(step: definition.HttpStep) -> str:
    return "\n".join(f"{name}: {value}" for name, value in step.headers.items())


def pick_text(step: definition.HttpStep) -> str:
    return "\n".join(f"{name} = {path}" for name, path in step.pick.items())


def host(step: definition.HttpStep) -> str:
    try:
        return urlsplit(step.url).hostname or step.url
    except ValueError:
        return step.url


# --- Fields -------------------------------------------------------------------------------------


def _method(value: str) -> str:
    method = str(value or "").strip().upper()
    if method not in METHODS:
        raise HttpFieldError(_("Choose the method: %(methods)s.") % {"methods": ", ".join(METHODS)})
    return method


def _url(value: str) -> str:
    url = _limited(value, _("The URL"))
    if not url:
        raise HttpFieldError(_("Write the URL to call."))
    if any(char.isspace() for char in url) or not _absolute(url):
        raise HttpFieldError(_("The URL must be absolute (http:// or https://), its host written out."))
    return url


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(PLACEHOLDER.sub("x", url))
        parts.port  # noqa: B018  # raises ValueError on a bad port
        written = urlsplit(url).netloc
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "{" not in written


def _headers(text: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in _lines(text, _("headers")):
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not HEADER_NAME.match(name) or not value:
            raise HttpFieldError(
                _('Write each header as "Name: value" on its own line: %(line)s') % {"line": line}
            )
        if name.lower() in {known.lower() for known in headers}:
            raise HttpFieldError(_("The header %(name)s is written twice.") % {"name": name})
        headers[name] = _limited(value, name)
    return headers


def _body(value: str) -> str:
    body = str(value or "").strip()
    if len(body) > MAX_BODY:
        raise HttpFieldError(_("The body has at most %(count)d characters.") % {"count": MAX_BODY})
    if body:
        try:
            json.loads(PLACEHOLDER.sub("placeholder", body))
        except ValueError as error:
            raise HttpFieldError(
                _("The body must be JSON, with each {{variable}} inside quotes: %(why)s") % {"why": error}
            ) from error
    return body


def _timeout(value: str | float) -> float:
    text = str(value).strip().replace(",", ".")
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:  # NaN fails too
        raise HttpFieldError(
            _("The timeout is between %(low)s and %(high)s seconds.")
            % {"low": MIN_TIMEOUT, "high": int(MAX_TIMEOUT)}
        )
    return seconds


def _picks(text: str) -> dict[str, str]:
    picks: dict[str, str] = {}
    for line in _lines(text, _("values to pick")):
        name, equals, path = line.partition("=")
        name, path = name.strip(), path.strip()
        if not equals or not VARIABLE.match(name) or not PATH.match(path):
            raise HttpFieldError(
                _('Write each value to pick as "variable = dotted.path" on its own line: %(line)s')
                % {"line": line}
            )
        if name.lower() in {known.lower() for known in picks}:
            raise HttpFieldError(_("The variable %(name)s is picked twice.") % {"name": name})
        picks[name] = path
    return picks


def _check_secrets(account: Account, texts: Iterable[str]) -> None:
    names = {
        key[len("secret.") :]
        for text in texts
        for key in PLACEHOLDER.findall(text)
        if key.lower().startswith("secret.")
    }
    if not names:
        return
    known = set(BotSecret.objects.for_account(account).filter(name__in=names).values_list("name", flat=True))
    missing = sorted(names - known)
    if missing:
        raise HttpFieldError(
            _("There is no secret called %(name)s; add it under Secrets first.") % {"name": missing[0]}
        )


# --- Text ---------------------------------------------------------------------------------------


def _lines(text: str, what: str) -> list[str]:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise HttpFieldError(_("At most %(count)d lines of %(what)s.") % {"count": MAX_LINES, "what": what})
    return lines


def _limited(value: str, what: str) -> str:
    text = str(value or "").strip()
    if len(text) > definition.MAX_TEXT:
        raise HttpFieldError(
            _("%(what)s has at most %(count)d characters.") % {"what": what, "count": definition.MAX_TEXT}
        )
    return text
