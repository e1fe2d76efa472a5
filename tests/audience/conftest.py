"""The audience's tests read messages in English: the acme account speaks it (the default is es-AR)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(request: pytest.FixtureRequest) -> None:
    if "acme" in request.fixturenames:
        account = request.getfixturevalue("acme").account
        account.language = "en"
        account.save(update_fields=["language"])
