"""The fake Graph API answers like Meta: auth, wamids, each documented error, media, templates.

No worker here: the webhooks it owes are asserted as stored rows (test_webhooks.py posts them).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from inbox.simulator import services
from inbox.simulator.models import SimCustomer, SimMessage, SimNumber, SimTemplate, SimWebhook
from tests.inbox.simulator.helpers import (
    PHONE_NUMBER_ID,
    PNG,
    TOKEN,
    WABA_ID,
    buttons,
    graph,
    interactive,
    rows,
    text_body,
)


def error_code(response: Any) -> int:
    code: int = response.json()["error"]["code"]
    return code


def statuses(number: SimNumber) -> list[dict[str, Any]]:
    """The statuses the simulator owes the business, in order."""
    found = []
    for webhook in SimWebhook.objects.filter(number=number):
        value = webhook.body["entry"][0]["changes"][0]["value"]
        found += value.get("statuses", [])
    return found


def test_the_token_must_be_the_numbers(number: SimNumber) -> None:
    for token in ("", "wrong"):
        response = graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body(), token=token)
        assert response.status_code == 401
        assert error_code(response) == 190
    response = graph("POST", "999/messages", text_body())
    assert response.status_code == 400
    assert error_code(response) == 100
    assert not SimMessage.objects.exists()


def test_a_text_in_the_window_is_accepted_sent_and_delivered(customer: SimCustomer) -> None:
    body = text_body(to="+54 9 11 2233-4455", text="*Hola* Ana", biz_opaque_callback_data="42")
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["contacts"] == [{"input": "+54 9 11 2233-4455", "wa_id": "5491122334455"}]
    wamid = answer["messages"][0]["id"]
    assert wamid.startswith("wamid.")
    assert answer["messages"][0]["message_status"] == "accepted"
    message = SimMessage.objects.get(wamid=wamid)
    assert (message.customer, message.text, message.status) == (customer, "*Hola* Ana", "delivered")
    sent = [status for status in statuses(customer.number) if status["id"] == wamid]
    assert [status["status"] for status in sent] == ["sent", "delivered"]
    assert {status["biz_opaque_callback_data"] for status in sent} == {"42"}
    assert {status["recipient_id"] for status in sent} == {"5491122334455"}
    second = graph("POST", f"{PHONE_NUMBER_ID}/messages", body).json()["messages"][0]["id"]
    assert second != wamid


def test_free_text_outside_the_window_is_accepted_then_fails_with_131047(customer: SimCustomer) -> None:
    SimCustomer.objects.filter(id=customer.id).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body())
    assert response.status_code == 200
    wamid = response.json()["messages"][0]["id"]
    assert SimMessage.objects.get(wamid=wamid).status == "failed"
    [failed] = [status for status in statuses(customer.number) if status["id"] == wamid]
    assert failed["status"] == "failed"
    assert failed["errors"][0]["code"] == 131047
    assert failed["errors"][0]["error_data"]["details"]


def test_a_number_never_written_to_is_outside_the_window(number: SimNumber) -> None:
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body(to="5491199998888"))
    assert response.status_code == 200
    assert [status["status"] for status in statuses(number)] == ["failed"]


@pytest.mark.parametrize(
    "body",
    [
        text_body(text="x" * 4097),
        text_body(messaging_product="sms"),
        {**text_body(), "to": ""},
        {**text_body(), "type": "carousel"},
        interactive("button", buttons("Uno", "Dos", "Tres", "Cuatro")),
        interactive("button", buttons("Un título de más de veinte")),
        interactive("button", buttons("Uno", "Uno")),
        interactive("button", buttons("Uno"), body="x" * 1025),
        interactive("list", rows(11)),
        interactive("list", rows(2, title="Una fila de título muy largo")),
    ],
    ids=[
        "text-4097",
        "product",
        "no-to",
        "type",
        "4-buttons",
        "button-title-21",
        "same-titles",
        "button-body",
        "11-rows",
        "row-title-25",
    ],
)
def test_bad_messages_are_refused_like_meta(customer: SimCustomer, body: dict[str, Any]) -> None:
    before = SimMessage.objects.count()
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
    assert response.status_code == 400
    assert error_code(response) == 100
    assert SimMessage.objects.count() == before


def test_buttons_and_lists_at_their_limits_are_accepted(customer: SimCustomer) -> None:
    for body in (interactive("button", buttons("Uno", "Dos", "x" * 20)), interactive("list", rows(10))):
        response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
        assert response.status_code == 200, response.json()
    button_message, list_message = SimMessage.objects.filter(direction="out")
    assert [b["title"] for b in button_message.display["buttons"]] == ["Uno", "Dos", "x" * 20]
    assert len(list_message.display["list"]["sections"][0]["rows"]) == 10


def template_body(name: str, *parameters: str, language: str = "es_AR") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": "5491122334455",
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}],
        },
    }


GREETING: list[dict[str, Any]] = [
    {"type": "BODY", "text": "Hola {{1}}, tu pedido {{2}} salió."},
    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Gracias"}]},
]


def test_templates_must_exist_be_approved_and_get_their_parameters(number: SimNumber) -> None:
    services.add_template(WABA_ID, "pedido", "es_AR", "UTILITY", GREETING)
    services.add_template(WABA_ID, "pendiente", "es_AR", "UTILITY", GREETING, status="PENDING")
    services.add_template(WABA_ID, "pausada", "es_AR", "UTILITY", GREETING, status="PAUSED")
    cases = [
        (template_body("no_existe", "Ana", "#1"), 132001),
        (template_body("pedido", "Ana", "#1", language="en_US"), 132001),
        (template_body("pendiente", "Ana", "#1"), 132001),
        (template_body("pausada", "Ana", "#1"), 132015),
        (template_body("pedido", "Ana"), 132000),
    ]
    for body, code in cases:
        response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
        assert response.status_code == 400
        assert error_code(response) == code, body
    # Templates go out whatever the window: this customer never wrote.
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", template_body("pedido", "Ana", "#1"))
    assert response.status_code == 200
    message = SimMessage.objects.get(wamid=response.json()["messages"][0]["id"])
    assert (message.text, message.status) == ("Hola Ana, tu pedido #1 salió.", "delivered")
    assert message.display["quick_replies"] == [{"payload": "Gracias", "text": "Gracias"}]


def test_over_the_rate_answers_130429(
    number: SimNumber, customer: SimCustomer, settings: LazySettings
) -> None:
    settings.SIMULATOR_RATE = 2
    with time_machine.travel(timezone.now(), tick=False):  # all within one second
        answers = [graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body()) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 400]
    assert error_code(answers[2]) == 130429
    with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=False):  # the next second
        assert graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body()).status_code == 200


def test_a_simulated_outage_answers_500_then_recovers(customer: SimCustomer) -> None:
    services.fail_next_calls(customer.number, 2)
    answers = [graph("POST", f"{PHONE_NUMBER_ID}/messages", text_body()) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [500, 500, 200]
    assert SimMessage.objects.filter(direction="out").count() == 1


def test_marking_a_customer_message_read_shows_blue_ticks(customer: SimCustomer) -> None:
    message = SimMessage.objects.get(customer=customer, direction="in")
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": message.wamid}
    response = graph("POST", f"{PHONE_NUMBER_ID}/messages", body)
    assert response.json() == {"success": True}
    message.refresh_from_db()
    assert message.status == "read"
    unknown = graph("POST", f"{PHONE_NUMBER_ID}/messages", {**body, "message_id": "wamid.nope"})
    assert unknown.status_code == 400


def test_media_upload_lookup_download_and_send(customer: SimCustomer) -> None:
    upload = {"messaging_product": "whatsapp", "type": "image/png", "file": _file("foto.png", PNG)}
    media_id = graph("POST", f"{PHONE_NUMBER_ID}/media", upload, multipart=True).json()["id"]
    info = graph("GET", media_id).json()
    assert info["mime_type"] == "image/png"
    assert info["file_size"] == len(PNG)
    assert info["id"] == media_id
    url = info["url"].removeprefix("http://testserver")
    assert graph_download(url).content == PNG
    assert graph_download(url, token="wrong").status_code == 401
    assert graph_download(url.replace("token=", "token=x")).status_code == 401
    image = {"messaging_product": "whatsapp", "to": customer.wa_id, "type": "image"}
    assert (
        graph("POST", f"{PHONE_NUMBER_ID}/messages", {**image, "image": {"id": media_id}}).status_code == 200
    )
    unknown = graph("POST", f"{PHONE_NUMBER_ID}/messages", {**image, "image": {"id": "123"}})
    assert error_code(unknown) == 131053
    bad_type = {**upload, "type": "application/x-msdownload", "file": _file("x.exe", b"MZ")}
    assert error_code(graph("POST", f"{PHONE_NUMBER_ID}/media", bad_type, multipart=True)) == 100


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def graph_download(url: str, token: str = TOKEN) -> Any:
    return Client().get(url, headers={"Authorization": f"Bearer {token}"})


NEW_TEMPLATE = {
    "language": "es_AR",
    "category": "MARKETING",
    "components": [{"type": "BODY", "text": "¡Ofertas!"}],
}


def test_templates_are_created_pending_then_reviewed(number: SimNumber) -> None:
    created = graph("POST", f"{WABA_ID}/message_templates", {"name": "ofertas", **NEW_TEMPLATE}).json()
    assert created["status"] == "PENDING"
    assert created["category"] == "MARKETING"
    duplicate = graph("POST", f"{WABA_ID}/message_templates", {"name": "ofertas", **NEW_TEMPLATE})
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["error_subcode"] == 2388024
    for bad in (
        {"name": "Con Espacios"},
        {"name": "x", "category": "OTHER"},
        {"name": "x", "components": []},
    ):
        assert error_code(graph("POST", f"{WABA_ID}/message_templates", {**NEW_TEMPLATE, **bad})) == 100
    rejected = graph(
        "POST", f"{WABA_ID}/message_templates", {"name": "please_reject_me", **NEW_TEMPLATE}
    ).json()
    for template in SimTemplate.objects.all():
        services.review_template(template.id)
    assert SimTemplate.objects.get(template_id=created["id"]).status == "APPROVED"
    assert SimTemplate.objects.get(template_id=rejected["id"]).status == "REJECTED"
    updates = [w.body["entry"][0] for w in SimWebhook.objects.filter(number=number)]
    assert {entry["id"] for entry in updates} == {WABA_ID}
    values = {
        change["value"]["message_template_id"]: change["value"] for e in updates for change in e["changes"]
    }
    assert values[int(created["id"])]["event"] == "APPROVED"
    assert values[int(rejected["id"])]["event"] == "REJECTED"
    assert values[int(rejected["id"])]["reason"] == "INVALID_FORMAT"
    assert graph("POST", "999/message_templates", {"name": "x", **NEW_TEMPLATE}).status_code == 400


def test_templates_are_listed_with_cursor_paging(number: SimNumber) -> None:
    for index in range(5):
        services.add_template(WABA_ID, f"plantilla_{index}", "es_AR", "UTILITY", GREETING)
    services.add_template("other-waba", "ajena", "es_AR", "UTILITY", GREETING)
    answer = graph("GET", f"{WABA_ID}/message_templates", {"limit": 2}).json()
    names = [item["name"] for item in answer["data"]]
    while "next" in answer["paging"]:
        answer = graph_download(answer["paging"]["next"]).json()
        names += [item["name"] for item in answer["data"]]
    assert names == [f"plantilla_{index}" for index in range(5)]
    assert graph("GET", f"{WABA_ID}/message_templates", token="wrong").status_code == 401
