"""EMP-1's corrections from the chat: an operator sets a message's polarity and/or emotion from its
badge; the correction is shown at once, reaches the other open chats, queues the account's
retraining and teaches that account (and no other) the right label."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from empaty import adjustment, analysis
from empaty.classifier import model
from empaty.models import MessageAnalysis
from inbox.models import Conversation, Message
from spoter.accounts.models import Membership
from tests.conftest import Team, client_for
from tests.empaty.test_badges import angry, private
from tests.inbox.page.conftest import add_message
from tests.inbox.sending.conftest import make_conversation, make_line
from tests.inbox.team.conftest import Inbox

Capture = Callable[..., Any]


def correct_url(chat: Conversation, message_id: int) -> str:
    kwargs = {"account_slug": chat.account.slug, "number": chat.number, "message_id": message_id}
    return reverse("empaty_analysis_correct", kwargs=kwargs)


def htmx(membership: Membership) -> Client:
    client = client_for(membership)
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


def labels(row: MessageAnalysis) -> tuple[str, str, int | None]:
    row.refresh_from_db()
    return row.corrected_polarity, row.corrected_emotion, row.corrected_by_id


def test_the_badge_opens_a_form_with_translated_choices(
    acme: Team, chat: Conversation, english: None
) -> None:
    row = angry(chat)
    response = htmx(acme.operator).get(correct_url(chat, row.message_id))
    assert response.status_code == 200
    form = response.content.decode()
    assert 'data-testid="emotion-correct"' in form
    assert '<option value="" selected>As detected (anger)</option>' in form
    assert '<option value="joy">joy</option>' in form
    assert '<option value="others">no emotion</option>' in form
    assert '<option value="" selected>As detected (negative)</option>' in form


def test_a_correction_is_saved_shown_published_and_queues_retraining(
    acme: Team,
    chat: Conversation,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    row = angry(chat)
    supervisor = Inbox(acme.supervisor)  # the supervisor's open chat
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = htmx(acme.operator).post(
                correct_url(chat, row.message_id), {"polarity": "positive", "emotion": "joy"}
            )
        [event] = supervisor.events()
    finally:
        supervisor.close()
    assert response.status_code == 200
    badge = response.content.decode()
    assert 'data-emotion="joy"' in badge
    assert "pol-positive" in badge
    assert 'data-testid="badge-corrected"' in badge
    assert labels(row) == ("positive", "joy", acme.operator.id)
    assert row.final_polarity == "positive"
    assert row.polarity == "negative"
    assert cache.get(adjustment.QUEUED_KEY.format(account_id=acme.account.id)) == 1  # retraining queued
    assert (event["type"], event["conversation"], event["messages"]) == (
        "message.analysed",
        chat.number,
        [row.message_id],
    )


def test_only_the_emotion_can_be_corrected(acme: Team, chat: Conversation) -> None:
    row = angry(chat)
    response = htmx(acme.operator).post(correct_url(chat, row.message_id), {"emotion": "sadness"})
    assert response.status_code == 200
    assert labels(row) == ("", "sadness", acme.operator.id)
    assert row.final_polarity == "negative"
    assert row.final_emotion == "sadness"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"polarity": "furious"}, "Select a valid choice"),
        ({"emotion": "boredom", "polarity": "positive"}, "Select a valid choice"),
        ({}, "Choose a polarity or an emotion."),
        ({"polarity": "", "emotion": ""}, "Choose a polarity or an emotion."),
    ],
)
def test_bad_values_are_a_400_and_save_nothing(
    acme: Team,
    chat: Conversation,
    data: dict[str, str],
    error: str,
    english: None,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    row = angry(chat)
    with django_capture_on_commit_callbacks() as callbacks:
        response = htmx(acme.operator).post(correct_url(chat, row.message_id), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="correct-error"' in page
    assert error in page
    assert 'data-testid="emotion-correct"' in page  # the form again, for htmx to swap in
    assert labels(row) == ("", "", None)
    assert not callbacks  # no retraining, no event


def test_a_message_not_analysed_yet_cannot_be_corrected(
    acme: Team, chat: Conversation, english: None
) -> None:
    waiting = add_message(chat, "¿Hola?")
    response = htmx(acme.operator).post(correct_url(chat, waiting.id), {"polarity": "positive"})
    assert response.status_code == 400
    assert "not been analysed yet" in response.content.decode()


def test_it_checks_ownership(acme: Team, globex: Team, chat: Conversation) -> None:
    row = angry(chat)
    theirs = make_conversation(make_line(globex))
    foreign = angry(theirs)
    attempts = [
        (globex.admin, correct_url(chat, row.message_id)),  # another account's member
        (acme.admin, correct_url(chat, foreign.message_id)),  # another account's message id
        (private(acme.operator), correct_url(chat, row.message_id)),  # a chat not theirs
    ]
    for member, url in attempts:
        assert htmx(member).post(url, {"polarity": "positive"}).status_code == 404
        assert htmx(member).get(url).status_code == 404
    assert labels(row) == ("", "", None)
    assert labels(foreign) == ("", "", None)
    # Once the chat is theirs, the private operator may correct it.
    chat.assignee = acme.operator
    chat.save(update_fields=["assignee"])
    assert (
        htmx(acme.operator).post(correct_url(chat, row.message_id), {"polarity": "positive"}).status_code
        == 200
    )


def _analyse(chat: Conversation, text: str) -> MessageAnalysis:
    message = add_message(chat, text)
    [row] = analysis.analyse(
        chat.account,
        [Message.objects.for_account(chat.account).select_related("conversation").get(id=message.id)],
    )
    return row


def test_a_correction_teaches_its_account_and_no_other(acme: Team, globex: Team, chat: Conversation) -> None:
    """The real classifier, the real retraining (empaty.adjustment.train)."""
    text = "Bueno, mañana paso a buscar el pedido por el local"
    said = model().predict([text])[0]
    wanted_polarity = "negative" if said.polarity != "negative" else "positive"
    wanted_emotion = "anger" if said.emotion != "anger" else "joy"
    first = _analyse(chat, text)
    assert (first.polarity, first.emotion) == (said.polarity, said.emotion)
    response = htmx(acme.operator).post(
        correct_url(chat, first.message_id), {"polarity": wanted_polarity, "emotion": wanted_emotion}
    )
    assert response.status_code == 200
    assert adjustment.train(acme.account).corrections == 1
    again = _analyse(make_conversation(chat.line, "Otra persona"), text)
    assert (again.polarity, again.emotion, again.adjusted) == (wanted_polarity, wanted_emotion, True)
    elsewhere = _analyse(make_conversation(make_line(globex)), text)
    assert (elsewhere.polarity, elsewhere.emotion, elsewhere.adjusted) == (said.polarity, said.emotion, False)
