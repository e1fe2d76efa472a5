"""Strict parsers for settings read from the environment.

Every parser raises ``ImproperlyConfigured`` naming the variable and what was wrong, so a bad
value stops the process at start instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Env:
    """A view of environment variables with typed, strict getters."""

    values: Mapping[str, str]

    @classmethod
    def from_os(cls) -> Env:
        return cls(dict(os.environ))

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None or value == "" else value

    def get_bool(self, name: str, default: bool) -> bool:
        raw = self.values.get(name)
        if raw is None or not raw.strip():
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no, got {raw!r}.")

    def get_int(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
        if value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
        return value

    def get_list(self, name: str, default: list[str]) -> list[str]:
        raw = self.values.get(name)
        if raw is None:
            return default
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if not items:
            raise ImproperlyConfigured(f"{name} must list at least one comma-separated value.")
        return items

    def get_choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self.values.get(name)
        if raw is None or raw == "":
            return default
        if raw not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}.")
        return raw


def parse_database_url(name: str, url: str) -> dict[str, Any]:
    """Turn ``postgres://user:pass@host:port/db`` into a pooled Django DATABASES entry."""
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// URL (unset it for the embedded SQLite default), "
            f"got {url.split(':', 1)[0]!r}."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {error}") from None
    if not config.get("NAME") or not config.get("HOST"):
        raise ImproperlyConfigured(f"{name} must name a host and a database: postgres://host/db.")
    options = config.setdefault("OPTIONS", {})
    raw_max = str(options.pop("pool_max_size", "10"))
    if not raw_max.isdigit() or int(raw_max) < 1:
        raise ImproperlyConfigured(f"{name}: pool_max_size must be a positive whole number.")
    # Persistent connections under ASGI exhaust PostgreSQL; Django's pool is the fix (FACTS.md).
    options["pool"] = {"min_size": 1, "max_size": int(raw_max), "timeout": 10}
    config["CONN_MAX_AGE"] = 0
    return config


def parse_redis_url(name: str, url: str) -> str:
    parts = urlparse(url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must be a redis://host:port/db URL, got {url!r}.")
    try:
        parts.port  # noqa: B018 -- evaluated for its validation side effect
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    return url


def parse_email_url(name: str, url: str) -> dict[str, Any]:
    """``console://``, ``file:///path``, ``locmem://``, ``smtp://user:pass@host:587?tls=1``."""
    parts = urlparse(url)
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if parts.scheme in simple:
        return {"EMAIL_BACKEND": simple[parts.scheme]}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name}: file:// needs a folder, as file:///var/mail.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if parts.scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name the SMTP host: smtp://user:pass@host:587.")
        query = parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[-1] in TRUE_WORDS,
        }
    raise ImproperlyConfigured(
        f"{name} must start with console://, file://, locmem://, smtp:// or smtps://, got {url!r}."
    )
