"""EMPATY's tests: a line and a chat of acme's, and the live listener of the inbox's tests."""

from __future__ import annotations

import pytest

from inbox.models import Conversation, Line
from tests.conftest import Team
from tests.inbox.sending.conftest import make_conversation, make_line
from tests.inbox.team.conftest import listen  # noqa: F401 -- re-exported fixture


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme)


@pytest.fixture
def chat(line: Line) -> Conversation:
    return make_conversation(line)
