"""EMP-1 in the chat: an analysed inbound message carries a small badge (emoji, emotion, colour of
its polarity, probabilities on hover), at no query per message; the badge reaches open chats live;
the contact page has a "Sentiment" card."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from empaty import hooks
from empaty.models import MessageAnalysis
from inbox.models import Conversation, Message
from spoter.accounts.models import InboxMode, Membership
from tests.conftest import Team, client_for
from tests.empaty.test_dashboard_queries import analysed
from tests.inbox.page.conftest import add_message, query_counts
from tests.inbox.sending.conftest import make_conversation, make_line
from tests.inbox.team.conftest import Inbox

PROBABILITIES = {
    "polarity": {"positive": 0.05, "neutral": 0.1, "negative": 0.85},
    "emotion": {
        "joy": 0.01,
        "sadness": 0.1,
        "anger": 0.7,
        "fear": 0.04,
        "surprise": 0.05,
        "disgust": 0.05,
        "others": 0.05,
    },
}


def angry(
    chat: Conversation,
    text: str = "Es una vergüenza, nadie me responde",
    *,
    corrected_polarity: str = "",
    corrected_emotion: str = "",
) -> MessageAnalysis:
    at = timezone.now() - timedelta(minutes=5)
    row = analysed(
        chat,
        at,
        "negative",
        "anger",
        -0.8,
        text=text,
        corrected_polarity=corrected_polarity,
        corrected_emotion=corrected_emotion,
    )
    row.probabilities = PROBABILITIES
    row.save(update_fields=["probabilities"])
    return row


def chat_page(client: Client, chat: Conversation) -> str:
    url = reverse("inbox_conversation", kwargs={"account_slug": chat.account.slug, "number": chat.number})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def message_html(page: str, message_id: int) -> str:
    found = re.search(rf'<div id="msg-{message_id}".*?<div class="meta">', page, re.S)
    assert found, f"message {message_id} is not on the page"
    return found.group(0)


def private(membership: Membership) -> Membership:
    membership.inbox_mode = InboxMode.PRIVATE
    membership.save(update_fields=["inbox_mode"])
    return membership


def test_an_analysed_message_shows_its_badge(acme: Team, chat: Conversation, english: None) -> None:
    row = angry(chat)
    waiting = add_message(chat, "¿Hola?")  # not analysed yet
    ours = add_message(chat, "Ya lo revisamos", direction="out")
    page = chat_page(client_for(acme.operator), chat)
    badge = message_html(page, row.message_id)
    assert 'data-testid="emotion-badge"' in badge
    assert "pol-negative" in badge
    assert 'data-emotion="anger"' in badge
    assert "😠" in badge
    assert ">anger<" in badge
    assert "negative" in badge
    title = re.search(r'title="([^"]*)"', badge)
    assert title
    assert "anger 70%" in title.group(1)
    assert "negative 85%" in title.group(1)
    assert 'aria-label="Emotion: anger; polarity: negative. Correct it"' in badge
    assert "corrected" not in badge
    assert "emotion-badge" not in message_html(page, waiting.id)
    assert "emotion-badge" not in message_html(page, ours.id)


def test_no_emotion_has_no_emoji_and_a_neutral_grey(acme: Team, chat: Conversation, english: None) -> None:
    row = analysed(chat, timezone.now(), "neutral", "others")
    badge = message_html(chat_page(client_for(acme.operator), chat), row.message_id)
    assert "pol-neutral" in badge
    assert ">no emotion<" in badge
    assert 'aria-hidden="true"' not in badge  # no emoji


def test_a_corrected_analysis_shows_the_operators_labels(
    acme: Team, chat: Conversation, english: None
) -> None:
    row = angry(chat, corrected_polarity="neutral", corrected_emotion="sadness")
    badge = message_html(chat_page(client_for(acme.operator), chat), row.message_id)
    assert 'data-emotion="sadness"' in badge
    assert "pol-neutral" in badge
    assert "😢" in badge
    assert 'data-testid="badge-corrected"' in badge
    assert "the model said negative, anger" in badge


def test_the_chat_costs_the_same_queries_with_many_analysed_messages(
    acme: Team, chat: Conversation, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client = client_for(acme.operator)

    def grow(count: int) -> None:
        for _ in range(count):
            angry(chat)
            add_message(chat, "sin analizar")

    few, many, page = query_counts(
        client,
        reverse("inbox_conversation", kwargs={"account_slug": acme.account.slug, "number": chat.number}),
        grow,
        2,
        20,
    )
    assert page.count('data-testid="emotion-badge"') == 22
    assert many == few
    with django_assert_max_num_queries(few):
        chat_page(client, chat)


def test_the_message_fragment_shows_the_badge(acme: Team, chat: Conversation) -> None:
    """What the live update fetches (static/inbox/live.js refreshMessage)."""
    row = angry(chat)
    url = reverse(
        "inbox_message",
        kwargs={"account_slug": acme.account.slug, "number": chat.number, "message_id": row.message_id},
    )
    assert 'data-testid="emotion-badge"' in client_for(acme.operator).get(url).content.decode()


def test_the_badge_fragment(acme: Team, chat: Conversation) -> None:
    row = angry(chat)
    waiting = add_message(chat, "¿Hola?")
    client = client_for(acme.operator)

    def badge(message_id: int) -> str:
        kwargs = {"account_slug": acme.account.slug, "number": chat.number, "message_id": message_id}
        response = client.get(reverse("empaty_analysis_badge", kwargs=kwargs))
        assert response.status_code == 200
        return response.content.decode()

    assert f'id="emp-badge-{row.message_id}"' in badge(row.message_id)
    assert badge(waiting.id).strip() == ""


def test_it_checks_ownership(acme: Team, globex: Team, chat: Conversation) -> None:
    row = angry(chat)
    kwargs = {"account_slug": acme.account.slug, "number": chat.number, "message_id": row.message_id}
    url = reverse("empaty_analysis_badge", kwargs=kwargs)
    assert client_for(globex.admin).get(url).status_code == 404
    # Another account's message id in one's own conversation.
    theirs = make_conversation(make_line(globex))
    foreign = angry(theirs)
    mine = {**kwargs, "message_id": foreign.message_id}
    assert client_for(acme.admin).get(reverse("empaty_analysis_badge", kwargs=mine)).status_code == 404
    # A private operator and a chat that is not theirs.
    assert client_for(private(acme.operator)).get(url).status_code == 404


# Live ----------------------------------------------------------------------------------------


def test_the_analysis_reaches_the_chats_viewers_live(
    acme: Team,
    globex: Team,
    chat: Conversation,
    listen: Callable[[Membership], Inbox],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    other = make_conversation(chat.line, "Beto")
    rows = [angry(chat), angry(chat), angry(other)]
    admin, hidden, outsider = listen(acme.admin), listen(private(acme.operator)), listen(globex.admin)
    messages = list(Message.objects.for_account(acme.account).filter(id__in=[row.message_id for row in rows]))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hooks.after_analysis(acme.account, messages, rows)
    assert callbacks
    events = sorted(admin.events(), key=lambda event: event["conversation"])
    for event in events:
        event.pop("seq")
    assert events == [
        {
            "type": "message.analysed",
            "account_id": acme.account.id,
            "conversation": chat.number,
            "messages": [rows[0].message_id, rows[1].message_id],
        },
        {
            "type": "message.analysed",
            "account_id": acme.account.id,
            "conversation": other.number,
            "messages": [rows[2].message_id],
        },
    ]
    assert hidden.events() == []
    assert outsider.events() == []


# The contact's card --------------------------------------------------------------------------


def card(client: Client, team: Team, contact_id: int) -> tuple[int, str]:
    url = reverse(
        "empaty_analysis_contact", kwargs={"account_slug": team.account.slug, "contact_id": contact_id}
    )
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_contact_card_shows_the_mix_mean_mood_and_negative_messages(
    acme: Team, globex: Team, chat: Conversation, english: None
) -> None:
    now = timezone.now()
    analysed(chat, now - timedelta(days=120), "negative", "anger", text="viejo y enojado")  # outside 90 days
    analysed(chat, now - timedelta(days=3), "positive", "joy", 0.6, text="gracias!")
    angry(chat, text="nadie me contesta")
    analysed(chat, now - timedelta(minutes=1), "negative", "fear", -0.6, corrected_polarity="neutral")
    status, html = card(client_for(acme.operator), acme, chat.contact_id)
    assert status == 200
    assert 'data-testid="contact-sentiment"' in html
    assert "3 messages in the last 90 days." in html
    assert re.search(r'data-key="positive"><i class="emp-k-positive"></i>positive: 1 \(33%\)', html)
    assert re.search(r'data-key="neutral"><i class="emp-k-neutral"></i>neutral: 1 \(33%\)', html)
    assert re.search(r'<tr data-key="joy"><th scope="row">joy</th>.*?<td class="count">1</td>', html)
    # (0.6 - 0.8 + 0, the corrected polarity's score) / 3
    assert re.search(r'data-testid="sentiment-mean"[^>]*>-0.07<', html)
    assert 'data-testid="sentiment-latest" data-emotion="fear" data-polarity="neutral"' in html
    negative = re.search(r'data-testid="sentiment-negative">(.*?)</ul>', html, re.S)
    assert negative
    assert "nadie me contesta" in negative.group(1)
    assert "viejo" not in negative.group(1)
    assert f"/inbox/c/{chat.number}/?message=" in negative.group(1)
    assert card(client_for(globex.admin), acme, chat.contact_id)[0] == 404


def test_a_private_operator_sees_only_their_chats_in_the_card(acme: Team, chat: Conversation) -> None:
    angry(chat, text="nadie me contesta")
    status, html = card(client_for(private(acme.operator)), acme, chat.contact_id)
    assert status == 200
    assert 'data-testid="sentiment-empty"' in html
    assert "nadie me contesta" not in html
    chat.assignee = acme.operator
    chat.save(update_fields=["assignee"])
    assert "nadie me contesta" in card(client_for(acme.operator), acme, chat.contact_id)[1]


def test_the_contact_page_loads_the_card(acme: Team, chat: Conversation) -> None:
    url = reverse("contact_detail", kwargs={"account_slug": acme.account.slug, "contact_id": chat.contact_id})
    page = client_for(acme.operator).get(url).content.decode()
    assert f'hx-get="/a/acme/empaty/contacts/{chat.contact_id}/sentiment/"' in page
