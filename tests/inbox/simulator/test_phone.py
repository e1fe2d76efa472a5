"""The phone page's views: starting a chat, writing, tapping, polling, ticks, files, formatting."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from inbox.formatting import whatsapp_html
from inbox.simulator import phone
from inbox.simulator.models import SimCustomer, SimMessage, SimNumber, SimWebhook
from tests.inbox.simulator.helpers import (
    PHONE_NUMBER_ID,
    PNG,
    buttons,
    graph,
    interactive,
    text_body,
)


def business_sends(body: dict[str, Any]) -> SimMessage:
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
    assert response.status_code == 200, response.json()
    return SimMessage.objects.get(wamid=response.json()["messages"][0]["id"])


def test_a_person_starts_a_chat_with_a_number(number: SimNumber) -> None:
    client = Client()
    assert number.verified_name in client.get(reverse("simulator:index")).content.decode()
    refused = client.post(
        reverse("simulator:index"), {"number": PHONE_NUMBER_ID, "phone": "12ab", "name": "Ana"}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["phone"]
    assert not SimCustomer.objects.exists()
    response = client.post(
        reverse("simulator:index"), {"number": PHONE_NUMBER_ID, "phone": "+54 9 11 2233-4455", "name": "Ana"}
    )
    customer = SimCustomer.objects.get()
    assert response["Location"] == reverse("simulator:chat", args=[customer.id])
    assert (customer.wa_id, customer.name, customer.number) == ("5491122334455", "Ana", number)
    assert customer.user_id.startswith("US.")


def test_writing_stores_the_message_and_owes_a_webhook(customer: SimCustomer) -> None:
    client = Client()
    url = reverse("simulator:send", args=[customer.id])
    assert client.post(url, {"text": "  "}).status_code == 400
    response = client.post(url, {"text": "¿Tienen envíos?"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "¿Tienen envíos?" in response.content.decode()
    message = SimMessage.objects.filter(customer=customer).last()
    assert message is not None
    assert (message.direction, message.type, message.status) == ("in", "text", "sent")
    webhook = SimWebhook.objects.get(message=message)
    assert webhook.body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] == "¿Tienen envíos?"


def test_a_photo_goes_as_an_image_and_a_bad_file_is_refused(customer: SimCustomer) -> None:
    client = Client()
    url = reverse("simulator:send", args=[customer.id])
    photo = SimpleUploadedFile("foto.png", PNG)
    assert client.post(url, {"text": "Mirá", "file": photo}).status_code == 302
    image = SimMessage.objects.get(type="image")
    sent = image.body["image"]
    assert (sent["mime_type"], sent["caption"], sent["id"]) == (
        "image/png",
        "Mirá",
        image.media.media_id if image.media else "",
    )
    assert client.get(reverse("simulator:media", args=[customer.id, image.id])).content == PNG
    refused = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + bytes(range(256)))})
    assert refused.status_code == 400
    assert SimMessage.objects.filter(customer=customer).count() == 2


def test_tapping_a_button_answers_with_its_id_in_context(customer: SimCustomer) -> None:
    offer = business_sends(interactive("button", buttons("Sí", "No")))
    client = Client()
    url = reverse("simulator:tap", args=[customer.id, offer.id])
    assert client.post(url, {"kind": "button", "value": "nope"}).status_code == 400
    assert client.post(url, {"kind": "row", "value": "b0"}).status_code == 400
    assert client.post(url, {"kind": "button", "value": "b1"}).status_code == 302
    reply = SimMessage.objects.filter(customer=customer, direction="in").last()
    assert reply is not None
    assert reply.body["interactive"] == {"type": "button_reply", "button_reply": {"id": "b1", "title": "No"}}
    assert reply.body["context"] == {"from": "541155550100", "id": offer.wamid}
    other = phone.start_chat(customer.number, "5491100000000", "Otro")
    assert (
        client.post(
            reverse("simulator:tap", args=[other.id, offer.id]), {"kind": "button", "value": "b1"}
        ).status_code
        == 404
    )


def test_choosing_a_list_row(customer: SimCustomer) -> None:
    action = {
        "button": "Ver",
        "sections": [
            {"title": "Envíos", "rows": [{"id": "r1", "title": "A domicilio", "description": "24 h"}]}
        ],
    }
    menu = business_sends(interactive("list", action))
    Client().post(reverse("simulator:tap", args=[customer.id, menu.id]), {"kind": "row", "value": "r1"})
    reply = SimMessage.objects.filter(customer=customer, direction="in").last()
    assert reply is not None
    assert reply.body["interactive"]["list_reply"] == {
        "id": "r1",
        "title": "A domicilio",
        "description": "24 h",
    }


def test_the_phone_shows_replies_safely_and_reads_them(customer: SimCustomer) -> None:
    reply = business_sends(text_body(text="<script>alert(1)</script> *envío gratis*"))
    page = Client().get(reverse("simulator:chat", args=[customer.id])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<strong>envío gratis</strong>" in page
    assert 'class="messages"' not in page  # the chat is not shown as flash messages
    reply.refresh_from_db()
    assert reply.status == "read"
    [read] = [
        status
        for webhook in SimWebhook.objects.filter(message=None)
        for status in webhook.body["entry"][0]["changes"][0]["value"].get("statuses", [])
        if status["status"] == "read"
    ]
    assert read["id"] == reply.wamid


def test_polling_answers_204_until_something_changes(customer: SimCustomer) -> None:
    client = Client()
    url = reverse("simulator:thread", args=[customer.id])
    version = client.get(url).context["version"]
    assert client.get(url, {"v": version}).status_code == 204
    phone.say(customer, "¿Hay alguien?")
    assert client.get(url, {"v": version}).status_code == 200


def test_whatsapp_formatting_is_rendered_and_markup_escaped() -> None:
    assert whatsapp_html("*negrita* _cursiva_ ~tachado~ ```mono```") == (
        "<strong>negrita</strong> <em>cursiva</em> <del>tachado</del> <code>mono</code>"
    )
    assert whatsapp_html("2*3*4 y snake_case_name") == "2*3*4 y snake_case_name"
    assert (
        whatsapp_html('<b onclick="x">hola</b>\nchau')
        == "&lt;b onclick=&quot;x&quot;&gt;hola&lt;/b&gt;<br>chau"
    )
