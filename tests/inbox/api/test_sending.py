"""Sending through the API: 201 with the queued message, 409 when WhatsApp's rules refuse it now,
400 for bad input, and nothing written when refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from audience.models import Contact
from inbox.models import Conversation, Line, Message, MessageStatus, OutboxEntry, Template, TemplateStatus
from tests.conftest import Team
from tests.inbox.api.helpers import add_message, api_client, key_for, make_conversation, make_line

PHONE = "+5491155550001"


@pytest.fixture
def client(acme: Team) -> Client:
    return api_client(key_for(acme.account))


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme.account)


@pytest.fixture
def welcome(line: Line) -> Template:
    return Template.objects.for_account(line.account).create(
        account=line.account,
        waba_id=line.waba_id,
        name="bienvenida",
        language="es_AR",
        category="UTILITY",
        status=TemplateStatus.APPROVED,
        components=[{"type": "BODY", "text": "Hola {{1}}, gracias por escribirnos."}],
    )


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def messages_url(conversation: Conversation) -> str:
    return f"/api/v1/conversations/{conversation.number}/messages/"


def test_a_text_in_the_window_is_queued(acme: Team, client: Client, line: Line) -> None:
    conversation = make_conversation(line, PHONE)
    response = post(
        client, messages_url(conversation), {"type": "text", "text": {"body": "*Hola*, ¿cómo va?"}}
    )
    assert response.status_code == 201
    body = response.json()
    message = Message.objects.for_account(acme.account).get(id=body["id"])
    assert (body["status"], body["direction"], body["conversation"]) == ("queued", "out", conversation.number)
    assert message.text == "*Hola*, ¿cómo va?"
    assert message.automated
    assert OutboxEntry.objects.for_account(acme.account).filter(message=message).exists()


def test_buttons_lists_and_quotes(acme: Team, client: Client, line: Line) -> None:
    conversation = make_conversation(line, PHONE)
    url = messages_url(conversation)
    buttons = {"body": "¿Te ayudo?", "buttons": [{"id": "si", "title": "Sí"}, {"id": "no", "title": "No"}]}
    assert post(client, url, {"type": "buttons", "buttons": buttons}).status_code == 201
    menu = {
        "body": "Elegí",
        "button": "Ver opciones",
        "sections": [
            {"title": "Horarios", "rows": [{"id": "am", "title": "Mañana", "description": "9 a 12"}]}
        ],
    }
    assert post(client, url, {"type": "list", "list": menu}).status_code == 201
    quoted = add_message(conversation, "¿Tienen stock?", wamid="wamid.quoted")
    response = post(client, url, {"type": "text", "text": {"body": "Sí"}, "reply_to": quoted.id})
    assert response.status_code == 201
    assert response.json()["reply_to_wamid"] == "wamid.quoted"
    sent = Message.objects.for_account(acme.account).filter(direction="out").order_by("id")
    assert [message.type for message in sent] == ["interactive", "interactive", "text"]


def test_outside_the_window_text_gets_409_and_a_template_goes_out(
    acme: Team, client: Client, line: Line, welcome: Template
) -> None:
    conversation = make_conversation(line, PHONE, window_open=False)
    conversation.contact.registered = True  # the account knows them: only the window is in the way
    conversation.contact.save(update_fields=["registered"])
    refused = post(client, messages_url(conversation), {"type": "text", "text": {"body": "Hola"}})
    assert refused.status_code == 409
    assert refused.json()["error"] == "window_closed"
    assert refused.json()["detail"]
    assert not Message.objects.for_account(acme.account).exists()
    template = {"name": "bienvenida", "language": "es_AR", "parameters": {"body": ["Ana"]}}
    response = post(client, messages_url(conversation), {"type": "template", "template": template})
    assert response.status_code == 201
    assert response.json()["text"] == "Hola Ana, gracias por escribirnos."


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid"),
        ({"type": "text"}, "invalid"),
        ({"type": "fax", "fax": {}}, "invalid"),
        ({"type": "text", "text": {"body": "x" * 4097}}, "text_too_long"),
        (
            {
                "type": "buttons",
                "buttons": {"body": "?", "buttons": [{"id": str(n), "title": "b"} for n in range(4)]},
            },
            "too_many_buttons",
        ),
        ({"type": "template", "template": {"name": "nope", "language": "es_AR"}}, "template_not_found"),
        ({"type": "template", "template": {"name": "bienvenida", "language": "es_AR"}}, "template_params"),
        (
            {
                "type": "template",
                "template": {"name": "bienvenida", "language": "es_AR", "parameters": {"body": [1]}},
            },
            "invalid",
        ),
        ({"type": "text", "text": {"body": "Hola"}, "reply_to": 999999}, "invalid_reply"),
    ],
)
def test_bad_input_gets_400_and_writes_nothing(
    acme: Team, client: Client, line: Line, welcome: Template, data: dict[str, Any], error: str
) -> None:
    conversation = make_conversation(line, PHONE)
    response = post(client, messages_url(conversation), data)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not Message.objects.for_account(acme.account).exists()


def test_a_template_to_a_new_phone_registers_the_contact(
    acme: Team, client: Client, line: Line, welcome: Template
) -> None:
    template = {"name": "bienvenida", "language": "es_AR", "parameters": {"body": ["Ana"]}}
    data = {"line": line.id, "to": "+54 9 11 5555-0001", "type": "template", "template": template}
    response = post(client, "/api/v1/messages/", data)
    assert response.status_code == 201
    contact = Contact.objects.for_account(acme.account).get()
    assert (contact.phone, contact.registered) == (PHONE, True)
    conversation = Conversation.objects.for_account(acme.account).get()
    assert response.json()["conversation"] == conversation.number
    assert response.json()["status"] == MessageStatus.QUEUED


def test_free_text_to_a_new_phone_gets_409(acme: Team, client: Client, line: Line) -> None:
    data = {"line": line.id, "to": PHONE, "type": "text", "text": {"body": "Hola"}}
    response = post(client, "/api/v1/messages/", data)
    assert response.status_code == 409
    assert response.json()["error"] == "window_closed"
    assert not Message.objects.for_account(acme.account).exists()


@pytest.mark.parametrize("to", ["011 5555 0001", "+54 abc", "1234", ""])
def test_a_bad_phone_gets_400(client: Client, line: Line, to: str) -> None:
    data = {"line": line.id, "to": to, "type": "text", "text": {"body": "Hola"}}
    response = post(client, "/api/v1/messages/", data)
    assert response.status_code == 400
    assert "to" in response.json()["detail"]


def test_it_checks_ownership(acme: Team, globex: Team, client: Client) -> None:
    theirs = make_conversation(make_line(globex.account), PHONE)
    text = {"type": "text", "text": {"body": "Hola"}}
    assert post(client, messages_url(theirs), text).status_code == 404
    assert post(client, "/api/v1/messages/", {**text, "line": theirs.line_id, "to": PHONE}).status_code == 404
    assert not Message.objects.for_account(globex.account).exists()
    assert not Contact.objects.for_account(acme.account).exists()
