"""Bot analytics (BOT-6): counts per outcome and per closing option, in a period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bots.builder import BotSettings, create_bot
from bots.models import Bot, BotSession, SessionOutcome
from bots.stats import bot_stats
from inbox.conversations import current_conversation
from inbox.models import Initiator
from tests.conftest import Team, client_for


@pytest.fixture
def bot(acme: Team) -> Bot:
    bot = create_bot(acme.account, BotSettings(name="Atención"))
    bot.tree = {
        "id": "l1",
        "question": "¿Ayuda?",
        "options": [{"id": "ventas", "label": "Ventas"}, {"id": "soporte", "label": "Soporte"}],
    }
    bot.save()
    return bot


def sessions(team: Team, bot: Bot, *rows: tuple[str, str, int]) -> None:
    """Sessions (outcome, option, days ago), each in its own conversation."""
    for number, (outcome, option, days_ago) in enumerate(rows):
        contact = team.account.contacts.create(wa_id=f"54911{number:08d}", name=f"C{number}")
        line = team.account.lines.first() or team.account.lines.create(
            name="L", provider="sandbox", display_number="+5491100000000"
        )
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
        started = timezone.now() - timedelta(days=days_ago)
        BotSession.objects.for_account(team.account).create(
            account=team.account,
            conversation=conversation,
            bot=bot,
            outcome=outcome,
            option=option,
            started_at=started,
            ended_at=None if outcome == SessionOutcome.RUNNING else started,
        )


def test_counts(acme: Team, globex: Team, bot: Bot) -> None:
    sessions(
        acme,
        bot,
        (SessionOutcome.COMPLETED, "ventas", 1),
        (SessionOutcome.COMPLETED, "ventas", 2),
        (SessionOutcome.COMPLETED, "soporte", 3),
        (SessionOutcome.COMPLETED, "borrada", 3),
        (SessionOutcome.ESCALATED, "", 1),
        (SessionOutcome.ABANDONED, "", 1),
        (SessionOutcome.STOPPED, "", 1),
        (SessionOutcome.RUNNING, "", 0),
        (SessionOutcome.COMPLETED, "ventas", 40),  # before the period
    )
    other = create_bot(globex.account, BotSettings(name="Otro"))
    sessions(globex, other, (SessionOutcome.COMPLETED, "ventas", 1))

    stats = bot_stats(bot, days=30)
    assert stats.started == 8
    assert [(bar.kind, bar.count, bar.percent) for bar in stats.outcomes] == [
        ("completed", 4, 50),
        ("escalated", 1, 12),
        ("abandoned", 1, 12),
        ("stopped", 1, 12),
        ("running", 1, 12),
    ]
    assert [(bar.label, bar.count) for bar in stats.options] == [
        ("¿Ayuda? → Ventas", 2),
        ("(an option since deleted)", 1),
        ("¿Ayuda? → Soporte", 1),
    ]
    assert bot_stats(bot, days=90).started == 9


def test_no_sessions(bot: Bot) -> None:
    stats = bot_stats(bot)
    assert stats.started == 0
    assert all(bar.percent == 0 for bar in stats.outcomes)


def test_the_page(acme: Team, bot: Bot) -> None:
    sessions(acme, bot, (SessionOutcome.COMPLETED, "ventas", 1), (SessionOutcome.ESCALATED, "", 1))
    page = client_for(acme.supervisor).get(reverse("bots_stats", args=[acme.account.slug, bot.id]))
    html = page.content.decode()
    assert "2 sessions started" in html
    assert 'class="bar completed" style="width: 50%"' in html


def test_it_checks_ownership(acme: Team, globex: Team, bot: Bot) -> None:
    url = reverse("bots_stats", args=[acme.account.slug, bot.id])
    assert client_for(globex.supervisor).get(url).status_code == 404
    assert client_for(acme.operator).get(url).status_code == 403
