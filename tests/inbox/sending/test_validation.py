"""What the send service refuses before anything is queued, and what it stores when it accepts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audience.models import Contact
from inbox.content import Buttons, ListMenu, Row, Section, TemplateMessage, Text
from inbox.models import AgentIdentity, Conversation, Initiator, Line, Message, MessageStatus, OutboxEntry
from inbox.sending import SendError, send, send_to_phone
from tests.conftest import Team
from tests.inbox.sending.conftest import make_conversation, make_template


def refused(conversation: Conversation, content: object, **kwargs: object) -> SendError:
    with pytest.raises(SendError) as caught:
        send(conversation, content, **kwargs)  # type: ignore[arg-type]
    assert not Message.objects.for_account(conversation.account).exists()
    assert not OutboxEntry.objects.for_account(conversation.account).exists()
    return caught.value


def test_text_is_queued_with_its_outbox_entry(conversation: Conversation) -> None:
    before = conversation.last_message_at
    message = send(conversation, Text("*Hola* _mundo_ ~no~ ```code```"))
    assert message.status == MessageStatus.QUEUED
    assert message.text == "*Hola* _mundo_ ~no~ ```code```"  # WhatsApp formatting kept as is
    assert OutboxEntry.objects.for_account(conversation.account).get().message == message
    conversation.refresh_from_db()
    assert conversation.last_message_at > before


def test_text_limit(conversation: Conversation) -> None:
    assert send(conversation, Text("a" * 4096)).text == "a" * 4096
    Message.objects.for_account(conversation.account).all().delete()
    assert refused(conversation, Text("a" * 4097)).code == "text_too_long"
    assert refused(conversation, Text("  ")).code == "empty"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (Buttons("Elegí", [(str(i), f"Opción {i}") for i in range(4)]), "too_many_buttons"),
        (Buttons("Elegí", []), "too_many_buttons"),
        (Buttons("Elegí", [("a", "x" * 21)]), "title_too_long"),
        (Buttons("x" * 1025, [("a", "Sí")]), "text_too_long"),
        (Buttons("Elegí", [("a", "Sí"), ("a", "No")]), "invalid_interactive"),
        (ListMenu("Menú", "x" * 21, [Section("", [Row("a", "Uno")])]), "title_too_long"),
        (
            ListMenu(
                "Menú",
                "Ver",
                [
                    Section("A", [Row(str(i), "r") for i in range(6)]),
                    Section("B", [Row(f"b{i}", "r") for i in range(5)]),
                ],
            ),
            "too_many_rows",
        ),
        (ListMenu("Menú", "Ver", [Section("", [Row("a", "x" * 25)])]), "title_too_long"),
        (ListMenu("Menú", "Ver", [Section("", [Row("a", "Uno", "x" * 73)])]), "description_too_long"),
        (ListMenu("Menú", "Ver", [Section("", [])]), "too_many_rows"),
    ],
)
def test_interactive_limits(conversation: Conversation, content: object, code: str) -> None:
    error = refused(conversation, content)
    assert (error.code, error.conflict) == (code, False)


def test_interactive_at_the_limits_goes_out_as_graph_objects(conversation: Conversation) -> None:
    buttons = send(conversation, Buttons("b" * 1024, [(str(i), "t" * 20) for i in range(3)], footer="pie"))
    assert buttons.payload["interactive"]["type"] == "button"
    assert buttons.payload["interactive"]["action"]["buttons"][2] == {
        "type": "reply",
        "reply": {"id": "2", "title": "t" * 20},
    }
    assert buttons.payload["interactive"]["footer"] == {"text": "pie"}
    rows = [Row(str(i), "r" * 24, "d" * 72) for i in range(10)]
    menu = send(conversation, ListMenu("Menú", "b" * 20, [Section("A", rows[:5]), Section("B", rows[5:])]))
    sections = menu.payload["interactive"]["action"]["sections"]
    assert [len(section["rows"]) for section in sections] == [5, 5]
    assert sections[1]["rows"][0] == {"id": "5", "title": "r" * 24, "description": "d" * 72}


def test_outside_the_window_only_approved_templates(line: Line) -> None:
    conversation = make_conversation(line, window_open=False)
    error = refused(conversation, Text("hola"))
    assert (error.code, error.conflict) == ("window_closed", True)
    pending = make_template(line, "pendiente", status="PENDING")
    assert (
        refused(conversation, TemplateMessage(pending, ["Ana"], ["42", "lunes"], ["abc"])).code
        == "template_not_approved"
    )
    approved = make_template(line)
    message = send(conversation, TemplateMessage(approved, ["Ana"], ["42", "lunes"], ["abc"]))
    assert message.type == "template"
    assert message.text == "Tu pedido 42 llega el lunes."
    assert message.payload["template"] == {
        "name": "pedido",
        "language": {"code": "es_AR"},
        "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "Ana"}]},
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "42"}, {"type": "text", "text": "lunes"}],
            },
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": "abc"}],
            },
        ],
    }


def test_a_template_of_another_waba_is_not_approved_for_the_line(
    acme: Team, line: Line, conversation: Conversation
) -> None:
    other = make_template(line, waba_id="another-waba")
    assert (
        refused(conversation, TemplateMessage(other, ["Ana"], ["42", "lunes"], ["abc"])).code
        == "template_not_approved"
    )


@pytest.mark.parametrize(
    ("header", "body", "buttons"),
    [
        (["Ana"], ["42"], ["abc"]),  # a body value missing
        ([], ["42", "lunes"], ["abc"]),  # the header's value missing
        (["Ana"], ["42", "lunes"], []),  # the button's value missing
        (["Ana"], ["42", " "], ["abc"]),  # empty value
        (["Ana"], {"1": "42", "2": "lunes", "3": "x"}, ["abc"]),  # a value the template has no place for
    ],
)
def test_template_parameters_must_match_the_components(
    conversation: Conversation, header: list[str], body: object, buttons: list[str]
) -> None:
    template = make_template(conversation.line)
    assert refused(conversation, TemplateMessage(template, header, body, buttons)).code == "template_params"  # type: ignore[arg-type]


def test_named_template_parameters_carry_their_name(conversation: Conversation) -> None:
    template = make_template(
        conversation.line,
        components=[{"type": "BODY", "text": "Hola {{first_name}}, tu turno es el {{day}}"}],
    )
    message = send(conversation, TemplateMessage(template, body={"day": "martes", "first_name": "Ana"}))
    assert message.payload["template"]["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Ana", "parameter_name": "first_name"},
                {"type": "text", "text": "martes", "parameter_name": "day"},
            ],
        }
    ]
    assert message.text == "Hola Ana, tu turno es el martes"


def test_blocked_contacts_get_nothing_but_the_blocked_answer(conversation: Conversation) -> None:
    contact = conversation.contact
    contact.blocked_at = timezone.now()
    contact.save(update_fields=["blocked_at"])
    error = refused(conversation, Text("hola"))
    assert (error.code, error.conflict) == ("contact_blocked", True)
    assert send(conversation, Text("No atendemos este número."), automated=True, to_blocked=True).automated


def test_operator_name_goes_before_the_text_when_the_line_names_operators(
    acme: Team, conversation: Conversation
) -> None:
    acme.operator.user.first_name = "Ana"
    acme.operator.user.save(update_fields=["first_name"])
    assert send(conversation, Text("hola"), sender=acme.operator).text == "hola"  # generic line
    line = conversation.line
    line.agent_identity = AgentIdentity.OPERATOR
    line.save(update_fields=["agent_identity"])
    assert send(conversation, Text("hola"), sender=acme.operator).text == "*Ana*:\nhola"
    assert send(conversation, Text("hola")).text == "hola"  # no sender: a bot or a campaign
    assert (
        send(conversation, Buttons("¿Seguimos?", [("s", "Sí")]), sender=acme.operator).text
        == "*Ana*:\n¿Seguimos?"
    )


def test_quotes_need_a_sent_message_of_the_conversation(line: Line, conversation: Conversation) -> None:
    first = send(conversation, Text("uno"))
    assert refused_keep(conversation, Text("dos"), reply_to=first).code == "invalid_reply"
    first.wamid = "wamid.uno"
    first.save(update_fields=["wamid"])
    assert send(conversation, Text("dos"), reply_to=first).reply_to_wamid == "wamid.uno"
    other = make_conversation(line, "+5491199998888")
    assert refused_keep(other, Text("tres"), reply_to=first).code == "invalid_reply"


def refused_keep(conversation: Conversation, content: object, **kwargs: object) -> SendError:
    with pytest.raises(SendError) as caught:
        send(conversation, content, **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_switched_off_lines_send_nothing(line: Line, conversation: Conversation) -> None:
    line.is_active = False
    line.save(update_fields=["is_active"])
    assert refused(conversation, Text("hola")).code == "line_inactive"


def test_company_initiated_chats_need_a_registered_contact(line: Line) -> None:
    conversation = make_conversation(line, window_open=False)
    Contact.objects.for_account(line.account).filter(id=conversation.contact_id).update(registered=False)
    conversation.contact.refresh_from_db()
    template = make_template(line)
    error = refused(conversation, TemplateMessage(template, ["Ana"], ["42", "lunes"], ["abc"]))
    assert (error.code, error.conflict) == ("not_registered", True)


def test_send_to_phone_registers_the_contact_and_needs_a_template(line: Line) -> None:
    contacts = Contact.objects.for_account(line.account)
    with pytest.raises(SendError) as caught:
        send_to_phone(line, "+5491177776666", Text("hola"))
    assert caught.value.code == "window_closed"
    assert not contacts.exists()  # nothing half-written
    with pytest.raises(SendError) as caught:
        send_to_phone(line, "11 7777-6666", Text("hola"))
    assert caught.value.code == "invalid_phone"
    template = make_template(line)
    message = send_to_phone(
        line, "+5491177776666", TemplateMessage(template, ["Ana"], ["42", "lunes"], ["abc"])
    )
    contact = contacts.get()
    assert (contact.phone, contact.wa_id, contact.registered) == ("+5491177776666", "5491177776666", True)
    assert message.conversation.initiated_by == Initiator.COMPANY
    assert message.conversation.contact == contact
