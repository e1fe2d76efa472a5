"""Campaign tests read messages in English and start with an empty sandbox provider."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from django.conf import settings

from inbox.providers.sandbox.transport import Sandbox


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """tests/conftest.py's ``english``, for every test here."""


@pytest.fixture(autouse=True)
def _sandbox() -> Iterator[None]:
    Sandbox.reset()
    yield
    Sandbox.reset()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The line throttle's state lives in Redis, which outlives each test's database."""
    client = redis.Redis.from_url(str(settings.REDIS_URL))
    for key in client.scan_iter("campaigns:throttle:*"):
        client.delete(key)
