"""Interests (EMP-3): keywords matched against inbound messages, strength and last seen, no double
counting, recounting after the taxonomy changes, habits and the contact page's fragment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from empaty import interests
from empaty.habits import habits
from empaty.interests import advance, current_strength, observe, rematch
from empaty.models import Category, ContactInterest
from empaty.tasks import rematch_interests
from inbox.models import Line, Message
from tests.bots.test_rules import inbound
from tests.conftest import Team, client_for
from tests.inbox.webhooks.conftest import make_line

T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # a Monday, 12:00 in Buenos Aires


def line_of(team: Team) -> Line:
    found = team.account.lines.filter(phone_number_id=f"empaty-{team.account.id}").first()
    return found or make_line(team, phone_number_id=f"empaty-{team.account.id}", provider="sandbox")


def say(team: Team, text: str, *, who: int = 1, at: datetime = T0) -> Message:
    """An inbound message of contact number ``who`` of the team's account, written at ``at``."""
    return inbound(line_of(team), text, wa_id=f"54911{team.account.id:03d}{who:05d}", sent_at=at)


def category(team: Team, name: str, keywords: str, parent: Category | None = None) -> Category:
    return Category.objects.for_account(team.account).create(
        account=team.account, name=name, keywords=keywords, parent=parent
    )


@pytest.fixture
def shoes(acme: Team) -> Category:
    interests.forget(acme.account)
    clothes = category(acme, "Indumentaria", "ropa")
    return category(acme, "Calzado", "zapatillas, botas, pantuflas de peluche", clothes)


def interest_of(team: Team, message: Message, name: str) -> ContactInterest | None:
    return (
        ContactInterest.objects.for_account(team.account)
        .filter(contact=message.conversation.contact, category__name=name)
        .first()
    )


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Tenés ZAPATILLAS talle 40?", True),
        ("una zapatilla blanca", True),  # singular of a plural keyword
        ("¿Hay bótas?", True),  # accents ignored
        ("unas pantuflas de peluche rosas", True),  # a phrase
        ("zapatillasss", False),  # whole words only
        ("mezapatillas", False),
        ("hola, buen día", False),
    ],
)
def test_keywords_match_whole_words_without_accents_in_singular_or_plural(
    acme: Team, shoes: Category, text: str, matches: bool
) -> None:
    message = say(acme, text)
    assert observe(acme.account, [message]) == (2 if matches else 0)  # the secondary and its primary
    assert (interest_of(acme, message, "Calzado") is not None) is matches
    assert (interest_of(acme, message, "Indumentaria") is not None) is matches


def test_a_plural_in_the_text_matches_a_singular_keyword(acme: Team) -> None:
    interests.forget(acme.account)
    category(acme, "Celulares", "celular")
    message = say(acme, "Precio de los celulares samsung")
    observe(acme.account, [message])
    assert interest_of(acme, message, "Celulares") is not None


def test_strength_grows_with_mentions_and_last_seen_follows_the_messages(acme: Team, shoes: Category) -> None:
    first = say(acme, "zapatillas", at=T0)
    observe(acme.account, [first])
    one = interest_of(acme, first, "Calzado")
    assert one is not None
    assert one.mentions == 1
    assert one.last_seen_at == T0
    later = [
        say(acme, "botas", at=T0 + timedelta(days=1)),
        say(acme, "zapatillas", at=T0 + timedelta(days=2)),
    ]
    assert observe(acme.account, later) == 4
    more = interest_of(acme, first, "Calzado")
    assert more is not None
    assert more.mentions == 3
    assert more.last_seen_at == T0 + timedelta(days=2)
    assert 0 < one.strength < more.strength < 1
    # Time without mentions weakens it: half the load after HALF_LIFE_DAYS.
    assert current_strength(more, more.last_seen_at + timedelta(days=120)) < current_strength(
        more, more.last_seen_at
    )
    assert advance(0.0, None, [T0] * 50) < 1.0


def test_a_message_observed_twice_counts_once(acme: Team, shoes: Category) -> None:
    messages = [say(acme, "zapatillas"), say(acme, "botas y zapatillas", at=T0 + timedelta(hours=1))]
    assert observe(acme.account, messages) == 4
    assert observe(acme.account, messages) == 0
    assert observe(acme.account, messages[:1]) == 0
    found = interest_of(acme, messages[0], "Calzado")
    assert found is not None
    assert found.mentions == 2


def test_outbound_and_other_accounts_messages_are_ignored(acme: Team, globex: Team, shoes: Category) -> None:
    theirs = say(globex, "zapatillas")
    ours = say(acme, "zapatillas")
    Message.objects.for_account(acme.account).filter(id=ours.id).update(direction="out")
    ours.refresh_from_db()
    assert observe(acme.account, [theirs, ours]) == 0
    assert not ContactInterest.objects.unscoped().exists()  # test-only: nothing written anywhere


def test_another_accounts_categories_are_never_used(acme: Team, globex: Team, shoes: Category) -> None:
    interests.forget(globex.account)
    message = say(globex, "zapatillas")
    assert observe(globex.account, [message]) == 0
    rematch(globex.account)
    assert not ContactInterest.objects.for_account(globex.account).exists()


def test_rematch_recounts_everything_after_the_taxonomy_changes(acme: Team, shoes: Category) -> None:
    messages = [say(acme, "zapatillas"), say(acme, "quiero ojotas", at=T0 + timedelta(hours=1))]
    observe(acme.account, messages)
    shoes.keywords = "ojotas"
    shoes.save(update_fields=["keywords"])
    assert rematch_interests(acme.account.id) == 2
    found = interest_of(acme, messages[0], "Calzado")
    assert found is not None
    assert found.mentions == 1
    assert found.last_seen_at == T0 + timedelta(hours=1)
    assert observe(acme.account, messages) == 0  # what rematch counted is not counted again


def test_habits_summarise_what_when_and_how_often(acme: Team, shoes: Category, english: None) -> None:
    monday_noon = T0
    messages = [
        say(acme, "Cuánto sale las zapatillas?", at=monday_noon),
        say(acme, "hacen envíos a Córdoba?", at=monday_noon + timedelta(days=7)),
        say(acme, "y el precio con cuotas?", at=monday_noon + timedelta(days=14, hours=8)),  # 20:00
    ]
    observe(acme.account, messages)
    summary = habits(messages[0].conversation.contact, now=monday_noon + timedelta(days=30))
    assert summary["messages"] == 3
    assert [item.category.name for item in summary["interests"]] == ["Calzado", "Indumentaria"]
    topics = {topic["key"]: topic["count"] for topic in summary["topics"]}
    assert topics == {"price": 2, "shipping": 1, "payment": 1}
    assert str(summary["usual_day"]) == "Monday"
    assert str(summary["usual_part"]) == "Afternoon"
    assert summary["last_at"] == monday_noon + timedelta(days=14, hours=8)
    assert summary["per_month"] == 3.0


def test_the_contact_page_shows_interests_to_whoever_sees_the_contact(
    acme: Team, shoes: Category, english: None
) -> None:
    message = say(acme, "zapatillas y botas")
    observe(acme.account, [message])
    contact = message.conversation.contact
    url = reverse("empaty_contact_interests", args=[acme.account.slug, contact.id])
    response = client_for(acme.operator).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Calzado" in page
    assert "Indumentaria" in page
    assert 'data-testid="topic-' not in page  # asked about nothing in particular
    detail = client_for(acme.operator).get(reverse("contact_detail", args=[acme.account.slug, contact.id]))
    assert url in detail.content.decode()


def test_it_checks_ownership(acme: Team, globex: Team, shoes: Category) -> None:
    contact_id = say(acme, "zapatillas").conversation.contact_id
    url = reverse("empaty_contact_interests", args=[globex.account.slug, contact_id])
    assert client_for(globex.admin).get(url).status_code == 404
