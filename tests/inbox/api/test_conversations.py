"""Reading conversations and their messages: filters, cursor pages, query counts, media."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from inbox.models import ConversationStatus, Direction, MediaFile, MessageStatus, MessageType
from tests.conftest import Team
from tests.inbox.api.helpers import add_message, api_client, key_for, make_conversation, make_line

URL = "/api/v1/conversations/"


@pytest.fixture
def client(acme: Team) -> Client:
    return api_client(key_for(acme.account))


def numbers(response: object) -> list[int]:
    return [row["number"] for row in response.json()["results"]]  # type: ignore[attr-defined]


def test_conversations_are_known_by_their_number(acme: Team, client: Client) -> None:
    line = make_line(acme.account)
    conversation = make_conversation(line, "+5491155550001", assignee=acme.operator)
    [row] = client.get(URL).json()["results"]
    assert "id" not in row
    assert row["number"] == conversation.number
    assert row["line"] == line.id
    assert row["contact"]["phone"] == "+5491155550001"
    assert row["assignee"] == {"id": acme.operator.id, "email": acme.operator.user.email}
    assert row["window_open"] is True
    assert client.get(f"{URL}{conversation.number}/").json()["number"] == conversation.number


def test_filters(acme: Team, client: Client) -> None:
    sales, support = make_line(acme.account, "Ventas"), make_line(acme.account, "Soporte")
    old = make_conversation(sales, "+5491155550001", status=ConversationStatus.CLOSED)
    old.updated_at = timezone.now() - timedelta(days=3)
    old.save(update_fields=["updated_at"])
    mine = make_conversation(sales, "+5491155550002", assignee=acme.operator)
    other_line = make_conversation(support, "+5491155550003")
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert numbers(client.get(URL, {"status": "closed"})) == [old.number]
    assert numbers(client.get(URL, {"line": support.id})) == [other_line.number]
    assert numbers(client.get(URL, {"assignee": acme.operator.id})) == [mine.number]
    assert set(numbers(client.get(URL, {"assignee": "none"}))) == {old.number, other_line.number}
    assert set(numbers(client.get(URL, {"updated_since": since}))) == {mine.number, other_line.number}
    assert numbers(client.get(URL, {"status": "open", "line": str(sales.id)})) == [mine.number]


@pytest.mark.parametrize(
    "query", [{"status": "archived"}, {"line": "x"}, {"assignee": "someone"}, {"updated_since": "yesterday"}]
)
def test_bad_filters_get_400(acme: Team, client: Client, query: dict[str, str]) -> None:
    response = client.get(URL, query)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert set(response.json()["detail"]) == set(query)


def test_cursor_pages_visit_every_conversation_once(acme: Team, client: Client) -> None:
    line = make_line(acme.account)
    made = [make_conversation(line, f"+54911555500{n:02d}").number for n in range(5)]
    seen: list[int] = []
    page = client.get(URL, {"page_size": 2}).json()
    while True:
        seen += [row["number"] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == sorted(made, reverse=True)


def test_listing_conversations_takes_fixed_queries(
    acme: Team, client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    line = make_line(acme.account)
    client.get(URL)  # the key's last use is written once a minute: keep it out of the count
    for n in range(4):
        make_conversation(line, f"+54911555500{n:02d}", assignee=acme.operator)
    with django_assert_num_queries(2):  # the key, the page
        assert len(client.get(URL).json()["results"]) == 4


def test_messages_newest_first_with_status_errors_and_media(
    acme: Team,
    client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    conversation = make_conversation(make_line(acme.account), "+5491155550001")
    first = add_message(conversation, "Hola")
    failed = add_message(
        conversation,
        "Gracias",
        direction=Direction.OUTBOUND,
        status=MessageStatus.FAILED,
        error_code=131047,
        error_title="Re-engagement message",
        error_details="More than 24 hours have passed",
    )
    media = MediaFile.objects.for_account(acme.account).create(
        account=acme.account, line=conversation.line, mime_type="image/jpeg", filename="foto.jpg"
    )
    media.file.save("foto.jpg", ContentFile(b"\xff\xd8\xff not really a jpeg"))
    media.state = MediaFile.State.READY
    media.save(update_fields=["state"])
    image = add_message(conversation, "", type=MessageType.IMAGE, media=media)
    client.get(URL)
    with django_assert_num_queries(3):  # the key, the conversation, the page
        rows = client.get(f"{URL}{conversation.number}/messages/").json()["results"]
    assert [row["id"] for row in rows] == [image.id, failed.id, first.id]
    assert rows[2]["direction"] == "in"
    assert (rows[2]["text"], rows[2]["media"], rows[2]["error"]) == ("Hola", None, None)
    assert rows[1]["status"] == "failed"
    assert rows[1]["error"] == {
        "code": 131047,
        "title": "Re-engagement message",
        "details": "More than 24 hours have passed",
    }
    assert rows[0]["media"]["mime_type"] == "image/jpeg"
    download = client.get(rows[0]["media"]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\xff\xd8\xff not really a jpeg"  # type: ignore[attr-defined]
    assert Client().get(rows[0]["media"]["url"]).status_code == 401


def test_it_checks_ownership(acme: Team, globex: Team, client: Client) -> None:
    theirs = make_conversation(make_line(globex.account), "+5491155550009")
    add_message(theirs, "secreto")
    media = MediaFile.objects.for_account(globex.account).create(
        account=globex.account, line=theirs.line, state=MediaFile.State.READY, file="x.jpg"
    )
    assert client.get(URL, {"line": theirs.line_id}).json()["results"] == []
    assert client.get(f"{URL}{theirs.number}/").status_code == 404
    assert client.get(f"{URL}{theirs.number}/messages/").status_code == 404
    assert client.get(f"/api/v1/media/{media.id}/").status_code == 404
