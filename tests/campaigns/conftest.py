"""Campaign tests read messages in English and start with an empty sandbox provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inbox.providers.sandbox.transport import Sandbox


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """tests/conftest.py's ``english``, for every test here."""


@pytest.fixture(autouse=True)
def _sandbox() -> Iterator[None]:
    Sandbox.reset()
    yield
    Sandbox.reset()
