"""Line secrets are encrypted at rest and readable after a key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from inbox.models import Line
from tests.conftest import Team


def _raw_columns(line: Line) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, app_secret FROM inbox_line WHERE id = %s", [line.id])
        row: tuple[str, str] = cursor.fetchone()
        return row


def test_secrets_are_stored_encrypted_and_read_back(acme: Team) -> None:
    line = Line.objects.create(
        account=acme.account,
        name="Ventas",
        display_number="+5491150000000",
        access_token="EAAG-token",
        app_secret="s3cret",
    )
    token, secret = _raw_columns(line)
    assert "EAAG-token" not in token
    assert "s3cret" not in secret
    stored = Line.objects.for_account(acme.account).get(id=line.id)
    assert (stored.access_token, stored.app_secret) == ("EAAG-token", "s3cret")


def test_a_rotated_key_still_reads_old_values(acme: Team, settings: pytest.FixtureRequest) -> None:
    line = Line.objects.create(
        account=acme.account, name="Ventas", display_number="+5491150000000", access_token="old-token"
    )
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]  # type: ignore[attr-defined]  # pytest-django settings
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode(), old_key]):
        assert Line.objects.for_account(acme.account).get(id=line.id).access_token == "old-token"
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY"),
    ):
        Line.objects.for_account(acme.account).get(id=line.id)
