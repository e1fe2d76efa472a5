"""Routing: each change reaches the account of the line it names, or nobody."""

from __future__ import annotations

import pytest

from inbox.models import Line, Message, Template, UnmatchedStatus, WebhookEvent
from inbox.webhook_events import process_event
from tests.conftest import Team
from tests.inbox.webhooks.conftest import (
    PHONE_NUMBER_ID,
    WABA_ID,
    deliver,
    encode,
    fixture,
    make_line,
    outbound,
)

GLOBEX_NUMBER_ID = "207640352242999"


@pytest.fixture
def globex_line(globex: Team) -> Line:
    return make_line(
        globex, phone_number_id=GLOBEX_NUMBER_ID, waba_id="302290129340777", display_number="+54 11 5555-0100"
    )


def stored(line: Line) -> int:
    return (
        Message.objects.for_account(line.account).count()
        + UnmatchedStatus.objects.for_account(line.account).count()
    )


def test_the_platform_app_routes_by_phone_number_id(line: Line, globex_line: Line) -> None:
    deliver(fixture("text"))
    deliver(fixture("location", **{PHONE_NUMBER_ID: GLOBEX_NUMBER_ID}))
    assert Message.objects.for_account(line.account).get().type == "text"
    assert Message.objects.for_account(globex_line.account).get().type == "location"


@pytest.mark.parametrize("name", ["text", "status_sent", "user_preferences"])
def test_unknown_phone_number_ids_are_dropped(line: Line, globex_line: Line, name: str) -> None:
    event = deliver(fixture(name, **{PHONE_NUMBER_ID: "111111111111111"}))
    assert stored(line) == stored(globex_line) == 0
    assert event.processed_at is not None


def test_a_line_url_takes_only_its_own_number(line: Line, globex_line: Line) -> None:
    """A body signed with globex's line secret naming acme's number reaches nobody."""
    deliver(fixture("text"), globex_line)
    deliver(fixture("status_sent"), globex_line)
    assert stored(line) == stored(globex_line) == 0


def test_a_line_without_a_phone_number_id_takes_nothing(acme: Team) -> None:
    bare = make_line(acme, phone_number_id="")
    deliver(fixture("text", **{PHONE_NUMBER_ID: ""}), bare)
    deliver(fixture("text", **{PHONE_NUMBER_ID: ""}))
    assert stored(bare) == 0


def template(team: Team, name: str, provider_id: str = "", waba_id: str = WABA_ID) -> Template:
    return Template.objects.for_account(team.account).create(
        account=team.account,
        waba_id=waba_id,
        provider_id=provider_id,
        name=name,
        language="es_AR",
        category="UTILITY",
    )


def test_template_status_updates_the_template(line: Line, acme: Team) -> None:
    by_id = template(acme, "order_update", provider_id="594425479261596")
    by_name = template(acme, "promo_summer")
    deliver(fixture("template_approved"))
    deliver(fixture("template_rejected"))
    by_id.refresh_from_db()
    by_name.refresh_from_db()
    assert by_id.status == "APPROVED"
    assert (by_name.status, by_name.provider_id) == ("REJECTED", "594425479261597")
    assert "variable at the start" in by_name.rejection_reason


def test_template_status_reaches_only_the_wabas_account(line: Line, acme: Team, globex: Team) -> None:
    foreign = template(globex, "order_update", provider_id="594425479261596", waba_id="302290129340777")
    deliver(fixture("template_approved"))
    deliver(fixture("template_approved"), line)  # the line's own URL names its WABA
    foreign.refresh_from_db()
    assert foreign.status == "PENDING"


def test_a_line_url_ignores_another_wabas_fields(line: Line, globex_line: Line, acme: Team) -> None:
    mine = template(acme, "order_update", provider_id="594425479261596")
    deliver(fixture("template_approved"), globex_line)
    mine.refresh_from_db()
    assert mine.status == "PENDING"


def test_a_waba_claimed_by_two_accounts_is_nobodys(line: Line, globex: Team, acme: Team) -> None:
    make_line(globex, phone_number_id="555", waba_id=WABA_ID)
    mine = template(acme, "order_update", provider_id="594425479261596")
    deliver(fixture("template_approved"))
    mine.refresh_from_db()
    assert mine.status == "PENDING"


def test_quality_updates_the_line_with_that_number(line: Line, acme: Team) -> None:
    other = make_line(acme, phone_number_id="777", display_number="+54 9 11 4444-0000")
    deliver(fixture("quality_update"))
    line.refresh_from_db()
    other.refresh_from_db()
    assert (line.quality_rating, line.messaging_tier) == ("FLAGGED", "TIER_1K")
    assert (other.quality_rating, other.messaging_tier) == ("", "")


def test_user_preferences_are_accepted(line: Line) -> None:
    assert deliver(fixture("user_preferences"), line).error == ""


def test_an_event_is_processed_once(line: Line) -> None:
    event = deliver(fixture("text"), line)
    assert not process_event(event.id)
    assert event.attempts == 1


def test_an_inactive_line_still_keeps_what_customers_write_and_its_statuses(line: Line) -> None:
    """Deactivating stops sending; a customer's message is never lost."""
    sent = outbound(line, "wamid.HBgNNTQ5MTE1NTU1MDAwMRUCERgSOUI2RjY3QjM3")
    Line.objects.for_account(line.account).filter(id=line.id).update(is_active=False)
    deliver(fixture("text"))
    deliver(fixture("status_read"))
    sent.refresh_from_db()
    assert sent.status == "read"
    assert Message.objects.for_account(line.account).filter(direction="in").count() == 1


def test_a_deleted_lines_pending_events_go_with_it(line: Line, globex: Team) -> None:
    """Kept without their line they would look like platform events and reach a new owner."""
    event = WebhookEvent.objects.create(line=line, body=encode(fixture("text")))
    Line.objects.for_account(line.account).filter(id=line.id).delete()
    make_line(globex, phone_number_id=PHONE_NUMBER_ID)  # the number, registered again elsewhere
    assert not process_event(event.id)
    assert Message.objects.for_account(globex.account).count() == 0
