"""Composer helpers: quick-reply variables (INB-5) and files sent from the page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from inbox.models import Line, Message
from inbox.quick_replies import render_quick_reply
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import htmx, inbox_url, make_conversation

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_variables_are_filled_in(acme: Team, line: Line) -> None:
    contact = make_conversation(line, "Ana María Pérez").contact
    contact.custom_fields = {"Empresa": "Acme SA", "pedido": 42}
    acme.operator.user.first_name, acme.operator.user.last_name = "Juan", "Gómez"
    text = (
        "Hola {{nombre}} {{ apellido }}, soy {{operador}} de {{empresa}}: pedido {{pedido}}{{desconocida}}."
    )
    assert render_quick_reply(text, contact, acme.operator) == (
        "Hola Ana María Pérez, soy Juan Gómez de Acme SA: pedido 42."
    )


def test_a_contact_without_a_name_uses_the_profile_name(acme: Team, line: Line) -> None:
    contact = make_conversation(line, "").contact
    contact.profile_name = "Lu"
    assert render_quick_reply("Hola {{nombre}}!", contact, acme.operator) == "Hola Lu!"


def test_files_go_out_with_the_caption_on_the_first(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    files = [
        SimpleUploadedFile("foto.png", PNG, content_type="image/png"),
        SimpleUploadedFile("nota.txt", b"lista de precios", content_type="text/plain"),
    ]
    htmx(client_for(acme.operator)).post(
        inbox_url(acme, "inbox_send", number=conversation.number), {"text": "Mirá", "files": files}
    )
    sent = list(Message.objects.for_account(acme.account).filter(conversation=conversation).order_by("id"))
    assert [(message.type, message.text, message.media.filename) for message in sent] == [  # type: ignore[union-attr]
        ("image", "Mirá", "foto.png"),
        ("document", "", "nota.txt"),
    ]


def test_a_file_whatsapp_refuses_is_reported(acme: Team, line: Line) -> None:
    conversation = make_conversation(line)
    response = htmx(client_for(acme.operator)).post(
        inbox_url(acme, "inbox_send", number=conversation.number),
        {
            "files": [
                SimpleUploadedFile(
                    "virus.exe", b"MZ\x90\x00" + bytes(100), content_type="application/x-msdownload"
                )
            ]
        },
    )
    assert 'data-code="media_type"' in response.content.decode()
    assert not Message.objects.for_account(acme.account).filter(conversation=conversation).exists()
