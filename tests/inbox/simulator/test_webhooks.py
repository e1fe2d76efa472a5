"""Webhooks the simulator owes are posted by a real worker, signed with the number's app secret,
retried until answered 200; and, end to end, our real adapter and ingest talk to it over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from inbox.content import Buttons
from inbox.models import Conversation, Message
from inbox.sending import send
from inbox.simulator import phone
from inbox.simulator.models import SimMessage, SimWebhook
from inbox.simulator.tasks import GIVE_UP_AFTER, LOST_AFTER, redeliver_lost_webhooks
from tests.conftest import Team
from tests.inbox.simulator.helpers import SECRET, WABA_ID, connect_line, make_number

WAIT_SECONDS = 15


@dataclass
class Receiver:
    """A stand-in for the business's webhook endpoint: records what arrives."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            recorder.received.append((dict(self.headers), raw))
            self.send_response(recorder.statuses.pop(0) if recorder.statuses else 200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


def wait_for(check: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_customer_message_is_posted_signed_in_metas_envelope(worker: None, receiver: Receiver) -> None:
    number = make_number(webhook_url=receiver.url)
    customer = phone.start_chat(number, "+54 9 11 2233-4455", "Ana")
    message = phone.say(customer, "Hola, ¿tienen *envíos*?")
    wait_for(lambda: receiver.received, "the webhook")
    headers, raw = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Hub-Signature-256"] == expected
    assert headers["Content-Type"] == "application/json"
    body = json.loads(raw)
    assert body["object"] == "whatsapp_business_account"
    [entry] = body["entry"]
    assert entry["id"] == WABA_ID
    [change] = entry["changes"]
    assert change["field"] == "messages"
    value = change["value"]
    assert value["metadata"] == {
        "display_phone_number": "541155550100",
        "phone_number_id": number.phone_number_id,
    }
    assert value["contacts"] == [
        {"profile": {"name": "Ana"}, "wa_id": "5491122334455", "user_id": customer.user_id}
    ]
    [sent] = value["messages"]
    assert sent["id"] == message.wamid
    assert sent["from"] == "5491122334455"
    assert sent["type"] == "text"
    assert sent["text"] == {"body": "Hola, ¿tienen *envíos*?"}
    wait_for(lambda: SimMessage.objects.get(id=message.id).status == "delivered", "the delivered tick")


def test_a_webhook_refused_is_retried_until_answered_200(worker: None, receiver: Receiver) -> None:
    receiver.statuses = [500, 403]
    number = make_number(webhook_url=receiver.url)
    message = phone.say(phone.start_chat(number, "5491122334455", "Ana"), "Hola")
    wait_for(lambda: SimWebhook.objects.filter(delivered_at__isnull=False).exists(), "the third attempt")
    webhook = SimWebhook.objects.get()
    assert webhook.attempts == 3
    assert len(receiver.received) == 3
    assert len({raw for _headers, raw in receiver.received}) == 1  # the same body, retried
    assert SimMessage.objects.get(id=message.id).status == "delivered"


def test_the_real_adapter_and_ingest_talk_to_the_simulator(
    worker: None, live_server: LiveServer, acme: Team
) -> None:
    """A customer writes on the phone, the account stores it; an operator answers with buttons
    through the send service, the phone gets them with their ticks; the customer taps one."""
    _line, number = connect_line(acme, live_server.url)
    customer = phone.start_chat(number, "+54 9 11 2233-4455", "Ana")
    first = phone.say(customer, "Hola")
    messages = Message.objects.for_account(acme.account)
    wait_for(lambda: messages.filter(wamid=first.wamid).exists(), "the inbound message stored")
    inbound = messages.get(wamid=first.wamid)
    assert inbound.text == "Hola"
    conversation = Conversation.objects.for_account(acme.account).get(id=inbound.conversation_id)
    assert conversation.contact.profile_name == "Ana"

    reply = send(conversation, Buttons("¿Qué necesitás?", [("ventas", "Comprar"), ("ayuda", "Ayuda")]))
    wait_for(lambda: messages.get(id=reply.id).wamid, "the wamid of the reply")
    wamid = messages.get(id=reply.id).wamid
    on_phone = SimMessage.objects.get(wamid=wamid)
    assert on_phone.display["buttons"] == [
        {"id": "ventas", "title": "Comprar"},
        {"id": "ayuda", "title": "Ayuda"},
    ]
    assert on_phone.callback_data == str(reply.id)
    wait_for(lambda: messages.get(id=reply.id).status == "delivered", "the delivered status")
    phone.see(customer)
    wait_for(lambda: messages.get(id=reply.id).status == "read", "the read status")

    tapped = phone.tap(customer, on_phone, "button", "ayuda")
    assert tapped is not None
    wait_for(lambda: messages.filter(wamid=tapped.wamid).exists(), "the button reply stored")
    answer = messages.get(wamid=tapped.wamid)
    assert answer.type == "interactive"
    assert answer.reply_to_wamid == wamid
    assert (answer.payload["type"], answer.payload["id"], answer.text) == ("button_reply", "ayuda", "Ayuda")


@pytest.mark.django_db
def test_a_webhook_whose_task_was_lost_is_posted_by_the_sweep(receiver: Receiver) -> None:
    number = make_number(webhook_url=receiver.url)
    customer = phone.start_chat(number, "5491122334455", "Ana")
    message = phone.say(customer, "Hola")  # its task goes to a broker no worker reads here
    assert redeliver_lost_webhooks() == 0  # just queued: its own task may still come
    later = timezone.now() + LOST_AFTER + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        assert redeliver_lost_webhooks() == 1
        assert redeliver_lost_webhooks() == 0  # delivered: not again
    assert [
        json.loads(raw)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        for _h, raw in receiver.received
    ] == [message.wamid]
    with time_machine.travel(later + GIVE_UP_AFTER, tick=False):
        SimWebhook.objects.update(delivered_at=None)
        assert redeliver_lost_webhooks() == 0  # Meta's retries end too
