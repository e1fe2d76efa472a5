"""Bot analytics (BOT-6), from BotSession: how many sessions started in a period, how they ended
(completed, per closing option; handed to a person; abandoned; stopped by an operator) and how
many are still running. The page draws them as bars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from bots import definition
from bots.models import Bot, BotSession, SessionOutcome


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # of the sessions started, for the bar's width
    kind: str  # css class: completed, escalated, abandoned, stopped, running, option


@dataclass(frozen=True)
class BotStats:
    days: int
    started: int
    outcomes: list[Bar]
    options: list[Bar]  # completed sessions per closing option


def bot_stats(bot: Bot, days: int = 30) -> BotStats:
    since = timezone.now() - timedelta(days=days)
    sessions = BotSession.objects.for_account(bot.account).filter(bot=bot, started_at__gte=since)
    by_outcome = dict(
        sessions.values_list("outcome").annotate(count=Count("id")).values_list("outcome", "count")
    )
    started = sum(by_outcome.values())
    outcomes = [
        _bar(str(SessionOutcome(outcome).label).capitalize(), by_outcome.get(outcome, 0), started, kind)
        for outcome, kind in (
            (SessionOutcome.COMPLETED, "completed"),
            (SessionOutcome.ESCALATED, "escalated"),
            (SessionOutcome.ABANDONED, "abandoned"),
            (SessionOutcome.STOPPED, "stopped"),
            (SessionOutcome.RUNNING, "running"),
        )
    ]
    per_option = (
        sessions.filter(outcome=SessionOutcome.COMPLETED)
        .values_list("option")
        .annotate(count=Count("id"))
        .order_by("-count", "option")
        .values_list("option", "count")
    )
    labels = _labels(bot)
    options = [
        _bar(labels.get(option_id) or _("(an option since deleted)"), count, started, "option")
        for option_id, count in per_option
    ]
    return BotStats(days=days, started=started, outcomes=outcomes, options=options)


def _bar(label: str, count: int, started: int, kind: str) -> Bar:
    return Bar(label=label, count=count, percent=round(100 * count / started) if started else 0, kind=kind)


def _labels(bot: Bot) -> dict[str, str]:
    """Option id -> "Level question → label" for the options of the current tree."""
    try:
        tree = definition.parse(bot.tree)
    except definition.DefinitionError:
        return {}
    return {
        option.id: f"{level.question} → {option.label}" if level.question else option.label
        for level in definition.walk(tree)
        for option in level.options
    }
