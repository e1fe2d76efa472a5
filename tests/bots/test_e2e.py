"""End to end through the WhatsApp simulator (docs/simulator.md): a customer writes on the phone,
the real webhook ingest stores it, the bot task answers through the real adapter, and the
customer walks three levels by tapping, by number and by text, then is tagged and assigned."""

from __future__ import annotations

import time
from collections.abc import Callable

from pytest_django.live_server_helper import LiveServer

from bots.models import Bot, BotSession
from bots.schedule import save_schedule
from inbox.models import Conversation
from inbox.simulator import phone
from inbox.simulator.models import SimCustomer, SimMessage
from tests.bots.test_runtime import make_bot
from tests.conftest import Team
from tests.inbox.simulator.helpers import connect_line

WAIT_SECONDS = 20


def wait_for(check: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def from_business(customer: SimCustomer) -> list[SimMessage]:
    return list(
        SimMessage.objects.filter(customer=customer, direction=SimMessage.Direction.FROM_BUSINESS).order_by(
            "id"
        )
    )


def next_from_business(customer: SimCustomer, seen: int) -> SimMessage:
    wait_for(lambda: len(from_business(customer)) > seen, f"message {seen + 1} from the bot")
    return from_business(customer)[seen]


def test_a_customer_walks_a_three_level_bot_on_the_phone(
    worker: None, live_server: LiveServer, acme: Team
) -> None:
    bot: Bot = make_bot(acme)
    save_schedule(
        acme.account, None, {"bot": bot, "weekdays": list(range(7)), "start": "00:00", "end": "23:59"}
    )
    _line, number = connect_line(acme, live_server.url)
    customer = phone.start_chat(number, "+54 9 11 2233-4455", "Ana")
    phone.say(customer, "Hola")

    first = next_from_business(customer, 0)
    assert [button["title"] for button in first.display["buttons"]] == ["Ventas", "Soporte"]
    assert phone.tap(customer, first, "button", "o11") is not None  # tapping

    second = next_from_business(customer, 1)
    rows = second.display["list"]["sections"][0]["rows"]
    assert [row["title"] for row in rows][-1] == "Planes"
    phone.say(customer, "5")  # by number

    third = next_from_business(customer, 2)
    assert "1. Plan básico mensual con soporte" in third.text  # too long for a list: numbered text
    phone.say(customer, "plan BASICO mensual con soporte")  # by text

    closing = next_from_business(customer, 3)
    assert closing.text == "Gracias, te escribe un asesor."
    session = BotSession.objects.for_account(acme.account).get()
    assert (session.outcome, session.option) == ("completed", "o31")
    conversation = Conversation.objects.for_account(acme.account).get(id=session.conversation_id)
    assert conversation.assignee_id == acme.operator.id
    assert [tag.name for tag in conversation.tags.for_account(acme.account)] == ["Planes"]
    assert [tag.name for tag in conversation.contact.tags.for_account(acme.account)] == ["Planes"]
