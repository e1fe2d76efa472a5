"""Settings from the environment: bad values stop the process at start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from spoter.env import Env, parse_database_url, parse_email_url, parse_redis_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be one of true/false"),
        ("INVITATION_DAYS", "seven", "INVITATION_DAYS must be a whole number"),
        ("INVITATION_DAYS", "0", "INVITATION_DAYS must be at least 1"),
        ("ALLOWED_HOSTS", " , ", "ALLOWED_HOSTS must list at least one"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of text, json"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, raw: str, message: str) -> None:
    env = Env({name: raw})
    getters = {
        "DEBUG": lambda: env.get_bool(name, False),
        "INVITATION_DAYS": lambda: env.get_int(name, 7, minimum=1),
        "ALLOWED_HOSTS": lambda: env.get_list(name, ["localhost"]),
        "LOG_FORMAT": lambda: env.get_choice(name, "text", ("text", "json")),
    }
    with pytest.raises(ImproperlyConfigured, match=message):
        getters[name]()


def test_good_values_are_parsed() -> None:
    env = Env({"DEBUG": "yes", "N": "12", "HOSTS": "a.example, b.example", "EMPTY": ""})
    assert env.get_bool("DEBUG", False) is True
    assert env.get_bool("MISSING", True) is True
    assert env.get_int("N", 1) == 12
    assert env.get_list("HOSTS", []) == ["a.example", "b.example"]
    assert env.get_str("EMPTY", "fallback") == "fallback"


def test_database_url_becomes_a_pooled_postgres_connection() -> None:
    config = parse_database_url(
        "DATABASE_URL", "postgres://spoter:s%40cret@db.internal:6543/spoter?pool_max_size=4"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 6543, "spoter")
    assert config["PASSWORD"] == "s@cret"
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["pool"]["max_size"] == 4


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/spoter", "must be a postgres:// URL"),
        ("postgres://localhost", "must name a host and a database"),
        ("postgres://localhost/db?pool_max_size=lots", "pool_max_size"),
    ],
)
def test_bad_database_urls(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url("DATABASE_URL", url)


@pytest.mark.parametrize("url", ["localhost:6379", "http://redis:6379", "redis://redis:port/0"])
def test_bad_redis_urls(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        parse_redis_url("REDIS_URL", url)


def test_email_urls() -> None:
    assert parse_email_url("EMAIL_URL", "console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert parse_email_url("EMAIL_URL", "file:///srv/mail")["EMAIL_FILE_PATH"] == "/srv/mail"
    smtp = parse_email_url("EMAIL_URL", "smtp://user:p%2Fw@mail.example:587?tls=1")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == ("mail.example", 587, True)
    assert smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    for bad in ("mailgun://key", "smtp://", "file://"):
        with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
            parse_email_url("EMAIL_URL", bad)


def _start(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "spoter.settings", **overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "x" * 40},
            "DATABASE_URL must be a postgres:// URL",
        ),
        ({"DATABASE_URL": "postgres://localhost/spoter", "SECRET_KEY": ""}, "SECRET_KEY is required"),
        (
            {
                "DATABASE_URL": "postgres://localhost/spoter",
                "SECRET_KEY": "x" * 40,
                "FIELD_ENCRYPTION_KEY": "",
            },
            "FIELD_ENCRYPTION_KEY is required",
        ),
        ({"DEBUG": "sometimes"}, "DEBUG must be one of"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must be a redis://"),
        ({"EMAIL_URL": "pigeon://coop"}, "EMAIL_URL must start with"),
    ],
)
def test_the_process_refuses_to_start_with_a_clear_message(tmp_path: Path, overrides, message: str) -> None:
    result = _start(SPOTER_VAR_DIR=str(tmp_path), **overrides)
    assert result.returncode != 0
    assert message in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_the_embedded_default_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    assert _start(SPOTER_VAR_DIR=str(tmp_path), SECRET_KEY="").returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert _start(SPOTER_VAR_DIR=str(tmp_path), SECRET_KEY="").returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_embedded_default_generates_and_keeps_a_field_encryption_key(tmp_path: Path) -> None:
    assert _start(SPOTER_VAR_DIR=str(tmp_path), FIELD_ENCRYPTION_KEY="").returncode == 0
    key = (tmp_path / "field_encryption_key").read_text()
    assert _start(SPOTER_VAR_DIR=str(tmp_path), FIELD_ENCRYPTION_KEY="").returncode == 0
    assert (tmp_path / "field_encryption_key").read_text() == key
    assert (tmp_path / "field_encryption_key").stat().st_mode & 0o077 == 0


def test_an_empty_boolean_means_its_default() -> None:
    assert Env({"SECURE_COOKIES": ""}).get_bool("SECURE_COOKIES", True) is True
    assert Env({"SECURE_COOKIES": "  "}).get_bool("SECURE_COOKIES", False) is False
