"""The bots tests read messages in English (the default is es-AR)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """tests/conftest.py's ``english``, for every test here."""
