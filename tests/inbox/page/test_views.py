"""The inbox page's views: ownership, sending from the composer, templates when the window is
closed, retry, close and reopen, quick replies, search and starting a conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from inbox.models import Conversation, ConversationEvent, Message, QuickReply, Template
from inbox.search import search
from spoter.accounts.models import InboxMode
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, htmx, inbox_url, make_conversation, make_line

TEMPLATE = [{"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} está listo."}]


def make_template(conversation: Conversation, name: str = "pedido_listo") -> Template:
    line = conversation.line
    return Template.objects.for_account(line.account).create(
        account=line.account,
        waba_id=line.waba_id,
        name=name,
        language="es_AR",
        category="UTILITY",
        status="APPROVED",
        components=TEMPLATE,
    )


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    conversation = make_conversation(make_line(acme))
    message = add_message(conversation)
    stranger = client_for(globex.admin)
    for name, kwargs in (
        ("inbox_conversation", {}),
        ("inbox_list_item", {}),
        ("inbox_messages_after", {}),
        ("inbox_message", {"message_id": message.id}),
        ("inbox_quick_replies", {}),
    ):
        url = inbox_url(acme, name, number=conversation.number, **kwargs)
        assert stranger.get(url).status_code == 404, url
    # Their own inbox lists nothing of acme's, and the same number in their URL is theirs (none).
    own = client_for(globex.admin).get(inbox_url(globex, "inbox")).content.decode()
    assert conversation.contact.name not in own
    assert (
        stranger.get(inbox_url(globex, "inbox_conversation", number=conversation.number)).status_code == 404
    )


def test_a_private_operator_cannot_open_a_chat_not_theirs(acme: Team) -> None:
    line = make_line(acme)
    others = make_conversation(line, assignee=acme.supervisor)
    mine = make_conversation(line, "Carla", assignee=acme.operator)
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    client = client_for(acme.operator)
    assert client.get(inbox_url(acme, "inbox_conversation", number=others.number)).status_code == 404
    assert (
        client.post(inbox_url(acme, "inbox_send", number=others.number), {"text": "hola"}).status_code == 404
    )
    page = client.get(inbox_url(acme, "inbox")).content.decode()
    assert "Carla" in page
    assert others.contact.name not in page
    assert client.get(inbox_url(acme, "inbox_conversation", number=mine.number)).status_code == 200


def test_the_page_with_a_chat_open(acme: Team) -> None:
    conversation = make_conversation(make_line(acme), "Dora")
    add_message(conversation, "Quiero comprar")
    html = (
        client_for(acme.operator)
        .get(inbox_url(acme, "inbox_conversation", number=conversation.number))
        .content.decode()
    )
    assert f'data-conversation="{conversation.number}"' in html
    assert 'id="inbox"' in html
    assert f'data-membership="{acme.operator.id}"' in html
    assert "Quiero comprar" in html
    assert 'data-testid="composer-text"' in html
    assert f'hx-get="/a/acme/inbox/c/{conversation.number}/panel/"' in html  # the contact panel


def test_sending_text_from_the_composer(acme: Team) -> None:
    conversation = make_conversation(make_line(acme))
    response = htmx(client_for(acme.operator)).post(
        inbox_url(acme, "inbox_send", number=conversation.number), {"text": "¡Hola *Ana*!"}
    )
    sent = Message.objects.for_account(acme.account).get(conversation=conversation, direction="out")
    assert (sent.text, sent.status, sent.sender) == ("¡Hola *Ana*!", "queued", acme.operator)
    assert f'id="msg-{sent.id}"' in response.content.decode()


def test_a_refused_send_shows_in_the_composer(acme: Team) -> None:
    conversation = make_conversation(make_line(acme), inbound_ago=timedelta(hours=30))
    response = htmx(client_for(acme.operator)).post(
        inbox_url(acme, "inbox_send", number=conversation.number), {"text": "hola"}
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#composer-error"
    assert 'data-code="window_closed"' in response.content.decode()
    assert not Message.objects.for_account(acme.account).filter(conversation=conversation).exists()


def test_only_templates_when_the_window_is_closed(acme: Team) -> None:
    conversation = make_conversation(make_line(acme), inbound_ago=timedelta(hours=25))
    template = make_template(conversation)
    client = htmx(client_for(acme.operator))
    html = client.get(inbox_url(acme, "inbox_conversation", number=conversation.number)).content.decode()
    assert 'data-testid="window-closed"' in html
    assert 'data-testid="composer-text"' not in html
    assert f'<option value="{template.id}">pedido_listo' in html
    fields = client.get(
        inbox_url(acme, "inbox_template_fields", number=conversation.number), {"template": template.id}
    )
    assert 'name="body_1"' in fields.content.decode()
    assert 'name="body_2"' in fields.content.decode()
    missing = client.post(
        inbox_url(acme, "inbox_send_template", number=conversation.number),
        {"template": template.id, "body_1": "Ana"},
    )
    assert 'data-code="template_params"' in missing.content.decode()
    client.post(
        inbox_url(acme, "inbox_send_template", number=conversation.number),
        {"template": template.id, "body_1": "Ana", "body_2": "#42"},
    )
    sent = Message.objects.for_account(acme.account).get(conversation=conversation)
    assert (sent.type, sent.text) == ("template", "Hola Ana, tu pedido #42 está listo.")


def test_template_values_take_the_contacts_variables(acme: Team) -> None:
    """Named variables are prefilled from the contact (custom fields included); a value may hold
    {{variables}}, filled in as in quick replies (AUD-1)."""
    conversation = make_conversation(make_line(acme), inbound_ago=timedelta(hours=25))
    contact = conversation.contact
    contact.name, contact.custom_fields = "Ana Pérez", {"empresa": "Acme SA"}
    contact.save(update_fields=["name", "custom_fields"])
    template = make_template(conversation, "bienvenida")
    template.components = [
        {"type": "BODY", "text": "Hola {{nombre}}, gracias por elegir {{empresa}}. {{codigo}}"}
    ]
    template.save(update_fields=["components"])
    client = htmx(client_for(acme.operator))
    fields = client.get(
        inbox_url(acme, "inbox_template_fields", number=conversation.number), {"template": template.id}
    ).content.decode()
    assert 'name="body_nombre" value="Ana"' in fields
    assert 'name="body_empresa" value="Acme SA"' in fields
    assert 'name="body_codigo" value=""' in fields
    client.post(
        inbox_url(acme, "inbox_send_template", number=conversation.number),
        {
            "template": template.id,
            "body_nombre": "{{nombre}}",
            "body_empresa": "Acme",
            "body_codigo": "{{empresa}}-7",
        },
    )
    sent = Message.objects.for_account(acme.account).get(conversation=conversation)
    assert sent.text == "Hola Ana, gracias por elegir Acme. Acme SA-7"


def test_retry_sends_the_failed_content_again(acme: Team) -> None:
    conversation = make_conversation(make_line(acme))
    failed = add_message(
        conversation, "¿Sigue en pie?", direction="out", status="failed", sender=acme.operator
    )
    client = htmx(client_for(acme.operator))
    client.post(inbox_url(acme, "inbox_retry", number=conversation.number, message_id=failed.id))
    again = Message.objects.for_account(acme.account).exclude(id=failed.id).get(conversation=conversation)
    assert (again.text, again.status) == ("¿Sigue en pie?", "queued")
    received = add_message(conversation, "gracias")
    refused = client.post(inbox_url(acme, "inbox_retry", number=conversation.number, message_id=received.id))
    assert 'data-code="not_failed"' in refused.content.decode()


def test_close_and_reopen(acme: Team) -> None:
    conversation = make_conversation(make_line(acme))
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_status", number=conversation.number)
    assert client.post(url, {"status": "closed"}).status_code == 302
    assert Conversation.objects.for_account(acme.account).get(id=conversation.id).status == "closed"
    client.post(url, {"status": "open"})
    events = ConversationEvent.objects.for_account(acme.account).filter(conversation=conversation)
    assert [(event.kind, event.actor) for event in events] == [
        ("closed", acme.operator),
        ("reopened", acme.operator),
    ]
    assert client.post(url, {"status": "nonsense"}).status_code == 400


def test_quick_replies_are_filled_in(acme: Team) -> None:
    conversation = make_conversation(make_line(acme), "Ana Pérez")
    acme.operator.user.first_name = "Juan"
    acme.operator.user.save(update_fields=["first_name"])
    QuickReply.objects.for_account(acme.account).create(
        account=acme.account, shortcut="saludo", text="Hola {{nombre}}, soy {{operador}}"
    )
    QuickReply.objects.for_account(acme.account).create(account=acme.account, shortcut="chau", text="Chau")
    html = (
        client_for(acme.operator)
        .get(inbox_url(acme, "inbox_quick_replies", number=conversation.number), {"q": "sal"})
        .content.decode()
    )
    assert 'data-text="Hola Ana, soy Juan"' in html
    assert "/chau" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's")
def test_search_ignores_accents_and_stems_in_spanish(acme: Team, globex: Team) -> None:
    conversation = make_conversation(make_line(acme), "Ramón Díaz")
    hit = add_message(conversation, "Quería saber la canción del anuncio")
    add_message(make_conversation(make_line(globex)), "la cancion de globex")
    client = client_for(acme.operator)
    html = client.get(inbox_url(acme, "inbox_search"), {"q": "cancion"}).content.decode()
    assert f"#msg-{hit.id}" in html
    assert "globex" not in html
    by_stem = client.get(inbox_url(acme, "inbox_search"), {"q": "canciones"}).content.decode()
    assert f"#msg-{hit.id}" in by_stem
    by_name = client.get(inbox_url(acme, "inbox_search"), {"q": "Ramón"}).content.decode()
    assert 'data-testid="search-contact"' in by_name


def test_search_respects_private_inboxes(acme: Team) -> None:
    line = make_line(acme)
    theirs = make_conversation(line, "Ernesto", assignee=acme.supervisor)
    add_message(theirs, "presupuesto de ventanas")
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    html = client_for(acme.operator).get(inbox_url(acme, "inbox_search"), {"q": "Ernesto"}).content.decode()
    assert "Ernesto" not in html
    html = client_for(acme.operator).get(inbox_url(acme, "inbox_search"), {"q": "ventanas"}).content.decode()
    assert "presupuesto" not in html


def test_start_a_conversation_needs_a_template(acme: Team) -> None:
    line = make_line(acme)
    old = make_conversation(line, inbound_ago=timedelta(days=3), status="closed")
    template = make_template(old)
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    client = client_for(acme.operator)
    url = inbox_url(acme, "inbox_start", contact_id=old.contact_id)
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="window-closed"' in page.content.decode()
    assert client.post(url, {"text": "hola"}).status_code == 400  # no template: refused
    response = client.post(url, {"template": template.id, "body_1": "Ana", "body_2": "#7"})
    conversation = Conversation.objects.for_account(acme.account).get(contact=old.contact)
    assert response["Location"] == inbox_url(acme, "inbox_conversation", number=conversation.number)
    assert conversation.status == "open"
    assert conversation.initiated_by == "customer"
    assert conversation.assignee == acme.operator  # so a private operator sees the chat they started
    assert Message.objects.for_account(acme.account).get(conversation=conversation).type == "template"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the two-step search is PostgreSQL's")
def test_search_finds_old_messages_beyond_the_recent_ones_newest_first(acme: Team) -> None:
    conversation = make_conversation(make_line(acme))
    oldest = add_message(conversation, "el envío llegó roto")
    add_message(conversation, "otra cosa")
    old = add_message(conversation, "¿cuándo es el envío?")
    for index in range(5):
        add_message(conversation, f"charla {index}")
    newest = add_message(conversation, "gracias por el envio")
    found = search(acme.supervisor, "envio", recent=4).messages
    assert found == [newest, old, oldest]  # the first from the latest 4, the rest from the index
    assert search(acme.supervisor, "envio", recent=4000).messages == found
