"""The inbox app's models, split by subject: the message core (lines, conversations, messages)
and the team's work on them (assignment, notes, reminders, scheduled messages, quick replies)."""

from inbox.models.core import *  # noqa: F403
from inbox.models.team import *  # noqa: F403
