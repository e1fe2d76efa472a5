"""Runs end to end (CAM-5, LIN-7): SMS and calls through the real Twilio adapter against a local
fake Twilio, email through Django's backend (locmem), skipped contacts with their reasons, and
each contact getting exactly one message however often the sweep fires or a worker dies."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from notifications import runs
from notifications.models import DeliveryState, NotificationDelivery, NotificationRun, Reason
from notifications.providers import ProviderError
from notifications.providers.twilio import Twilio
from notifications.services import save_notification
from tests.conftest import Team
from tests.notifications.conftest import (
    BROKEN_NUMBER,
    INVALID_NUMBER,
    FakeTwilio,
    daily,
    due_now,
    make_tag,
    tagged,
    use_twilio,
)


def run_now(team: Team) -> NotificationRun:
    """What the beat does: start the due runs and send each."""
    runs.start_due()
    for account_id, run_id in runs.open_runs():
        assert account_id == team.account.id
        runs.send_run(team.account, run_id)
    return NotificationRun.objects.for_account(team.account).latest("started_at")


def states(run: NotificationRun) -> dict[str, tuple[str, str]]:
    rows = NotificationDelivery.objects.for_account(run.account).filter(run=run).select_related("contact")
    return {row.contact.name: (row.state, row.reason) for row in rows}


def test_sms_goes_through_twilio_with_variables_and_errors_are_kept(
    acme: Team, fake_twilio: FakeTwilio
) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    tagged(acme, tag, name="Ana Pérez", phone="+5491155550001")
    tagged(acme, tag, name="Malo", phone=INVALID_NUMBER)
    notification = daily(acme, tag, body="Hola {{nombre}}, te escribe {{operador}}")
    due_now(notification, timezone.now())

    run = run_now(acme)

    (sms,) = fake_twilio.to("+5491155550001")
    assert sms["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert sms["auth"] == "AC123:s3cret"
    assert sms["form"] == {
        "To": "+5491155550001",
        "From": "+15005550006",
        "Body": "Hola Ana, te escribe supervisor",
    }
    assert states(run) == {"Ana Pérez": ("sent", ""), "Malo": ("failed", Reason.REFUSED)}
    refused = NotificationDelivery.objects.for_account(acme.account).get(run=run, state="failed")
    assert refused.error == "Twilio 21211: The 'To' number is not valid."
    assert (
        NotificationDelivery.objects.for_account(acme.account).get(run=run, state="sent").provider_id[:2]
        == "SM"
    )
    assert (run.sent, run.failed, run.skipped) == (1, 1, 0)
    assert run.finished_at is not None


def test_a_call_reads_the_text_with_the_twiml_escaped(acme: Team, fake_twilio: FakeTwilio) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    tagged(acme, tag, name='Tom & "Jerry" <Say>', phone="+5491155550002")
    notification = daily(acme, tag, channel="voice", body="Hola {{nombre}}: su turno es mañana & temprano.")
    due_now(notification, timezone.now())

    run = run_now(acme)

    (call,) = fake_twilio.requests
    assert call["path"].endswith("/Calls.json")
    assert call["form"]["Twiml"] == (
        '<Response><Say language="es-MX">Hola Tom: su turno es mañana &amp; temprano.</Say></Response>'
    )
    assert run.sent == 1


def test_a_contacts_name_cannot_inject_twiml(acme: Team, fake_twilio: FakeTwilio) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    tagged(acme, tag, name="</Say><Hangup/>", phone="+5491155550003")
    due_now(daily(acme, tag, channel="voice", body="Hola {{nombre}}"), timezone.now())
    run_now(acme)
    assert fake_twilio.requests[0]["form"]["Twiml"] == (
        '<Response><Say language="es-MX">Hola &lt;/Say&gt;&lt;Hangup/&gt;</Say></Response>'
    )


def test_email_has_subject_text_and_an_html_alternative(acme: Team) -> None:
    tag = make_tag(acme)
    tagged(acme, tag, name="Ana <b>", email="ana@example.com")
    notification = daily(
        acme,
        tag,
        channel="email",
        subject="Novedades para {{nombre}}",
        body="Hola {{nombre}}",
        html="<p>Hola <strong>{{nombre}}</strong></p>",
    )
    due_now(notification, timezone.now())

    run = run_now(acme)

    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["ana@example.com"]
    assert message.subject == "Novedades para Ana"
    assert message.body == "Hola Ana"
    assert message.alternatives == [("<p>Hola <strong>Ana</strong></p>", "text/html")]
    assert message.from_email == "Spoter <no-reply@spoter.local>"
    delivery = NotificationDelivery.objects.for_account(acme.account).get(run=run)
    assert delivery.provider_id == message.extra_headers["Message-ID"]
    assert run.sent == 1


def test_html_values_are_escaped(acme: Team) -> None:
    tag = make_tag(acme)
    tagged(acme, tag, name="<script>x</script>", email="x@example.com")
    due_now(
        daily(acme, tag, channel="email", subject="Hola", body="Hola", html="<p>{{nombre}}</p>"),
        timezone.now(),
    )
    run_now(acme)
    (message,) = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][0] == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_contacts_that_cannot_or_must_not_be_reached_are_skipped_with_a_reason(acme: Team) -> None:
    tag = make_tag(acme)
    now = timezone.now()
    tagged(acme, tag, name="Ok", phone="+5491155550010", email="ok@example.com")
    tagged(acme, tag, name="Baja", phone="+5491155550011", email="b@example.com", opted_out_at=now)
    tagged(acme, tag, name="Bloqueado", phone="+5491155550012", email="c@example.com", blocked_at=now)
    tagged(acme, tag, name="Sin telefono", email="d@example.com")
    tagged(acme, tag, name="Sin email", phone="+5491155550013")
    make_tag(acme, "Otros")  # a contact without the tag gets no row at all
    sms = daily(acme, tag)
    email = daily(acme, tag, name="Correo", channel="email", subject="Hola", body="Hola")
    for notification in (sms, email):
        due_now(notification, now)
    runs.start_due()
    for _account_id, run_id in runs.open_runs():
        runs.send_run(acme.account, run_id)
    sms_run, email_run = (
        NotificationRun.objects.for_account(acme.account).get(notification=n) for n in (sms, email)
    )
    assert states(sms_run) == {
        "Ok": ("sent", ""),
        "Baja": ("skipped", Reason.OPTED_OUT),
        "Bloqueado": ("skipped", Reason.BLOCKED),
        "Sin telefono": ("skipped", Reason.NO_PHONE),
        "Sin email": ("sent", ""),
    }
    assert states(email_run)["Sin email"] == ("skipped", Reason.NO_EMAIL)
    assert states(email_run)["Sin telefono"] == ("sent", "")
    assert sorted(message.to[0] for message in mail.outbox) == ["d@example.com", "ok@example.com"]


def test_tag_mode_all_needs_every_tag(acme: Team) -> None:
    vip, sur = make_tag(acme, "VIP"), make_tag(acme, "Sur")
    both = tagged(acme, vip, name="Ambos", phone="+5491155550020")
    both.tags.add(sur)
    tagged(acme, vip, name="Solo VIP", phone="+5491155550021")
    due_now(daily(acme, vip, tags=[vip, sur], tag_mode="all"), timezone.now())
    assert set(states(run_now(acme))) == {"Ambos"}


def test_the_sweep_twice_sends_each_contact_one_message(acme: Team, fake_twilio: FakeTwilio) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    for n in range(5):
        tagged(acme, tag, name=f"C{n}", phone=f"+54911555500{30 + n}")
    due_now(daily(acme, tag), timezone.now())
    run_now(acme)
    run_now(acme)
    assert sorted(request["form"]["To"] for request in fake_twilio.requests) == [
        f"+54911555500{30 + n}" for n in range(5)
    ]


def test_a_run_left_by_a_dead_worker_is_finished_without_sending_twice(
    acme: Team, fake_twilio: FakeTwilio
) -> None:
    channels = use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    for n in range(4):
        tagged(acme, tag, name=f"C{n}", phone=f"+54911555500{40 + n}")
    notification = daily(acme, tag)
    due_now(notification, timezone.now())
    runs.start_due()
    ((_account_id, run_id),) = runs.open_runs()
    rows = NotificationDelivery.objects.for_account(acme.account).filter(run_id=run_id).order_by("id")
    first, second, third, fourth = rows
    # The worker that died: it sent two, and had claimed the third when it was killed.
    dead = runs._Sender(notification, channels, None)
    for delivery in (first, second):
        assert runs._claim(acme.account, delivery.id)
        runs._deliver(acme.account, dead, delivery.id)
    assert runs._claim(acme.account, third.id)

    def sent_to() -> list[str]:
        return [request["form"]["To"] for request in fake_twilio.requests]

    assert runs.send_run(acme.account, run_id) == 1  # the third is still leased: only the fourth
    assert sent_to() == [first.address, second.address, fourth.address]
    with time_machine.travel(timezone.now() + runs.LEASE + timedelta(seconds=1)):
        assert runs.send_run(acme.account, run_id) == 1  # its lease ran out: the third goes now
        assert runs.send_run(acme.account, run_id) == 0
    assert sorted(sent_to()) == sorted(row.address for row in rows)  # each contact exactly once
    run = NotificationRun.objects.for_account(acme.account).get(id=run_id)
    assert (run.sent, run.failed, run.finished_at is not None) == (4, 0, True)


def test_temporary_errors_are_retried_then_given_up(acme: Team, fake_twilio: FakeTwilio) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    tagged(acme, tag, name="Caido", phone=BROKEN_NUMBER)
    due_now(daily(acme, tag), timezone.now())
    run = run_now(acme)
    delivery = NotificationDelivery.objects.for_account(acme.account).get(run=run)
    assert (delivery.state, delivery.attempts, delivery.error) == (
        "pending",
        1,
        "Twilio 20500: Internal Server Error",
    )
    assert runs.send_run(acme.account, run.id) == 0  # waiting for its retry time
    later = timezone.now()
    for wait in runs.RETRY_AFTER:
        later += wait + timedelta(seconds=1)
        with time_machine.travel(later):
            runs.send_run(acme.account, run.id)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason, delivery.attempts) == (
        "failed",
        Reason.UNREACHABLE,
        runs.MAX_ATTEMPTS,
    )
    assert len(fake_twilio.requests) == runs.MAX_ATTEMPTS
    run.refresh_from_db()
    assert (run.failed, run.finished_at is not None) == (1, True)


def test_sms_longer_than_160_characters_is_refused_and_never_sent(
    acme: Team, fake_twilio: FakeTwilio
) -> None:
    use_twilio(acme, fake_twilio)
    tag = make_tag(acme)
    with pytest.raises(ValidationError) as refused:
        daily(acme, tag, body="x" * 161)
    assert "body" in refused.value.message_dict
    assert daily(acme, tag, body="x" * 160).body == "x" * 160
    # Within the limit as written, past it once a long custom field is filled in.
    tagged(acme, tag, name="Largo", phone="+5491155550050", custom_fields={"empresa": "y" * 100})
    long = daily(acme, tag, name="Largo", body="{{empresa}}" + "x" * 100)
    due_now(long, timezone.now())
    runs.start_due()
    for _account_id, run_id in runs.open_runs():
        runs.send_run(acme.account, run_id)
    delivery = NotificationDelivery.objects.for_account(acme.account).get(run__notification=long)
    assert (delivery.state, delivery.reason) == (DeliveryState.FAILED, Reason.TOO_LONG)
    assert fake_twilio.to("+5491155550050") == []


def test_the_service_refuses_another_accounts_tags_and_bad_schedules(acme: Team, globex: Team) -> None:
    theirs = make_tag(globex)
    base: dict[str, Any] = {"name": "X", "channel": "sms", "body": "Hola", "schedule": "daily"}
    with pytest.raises(ValidationError) as refused:
        save_notification(
            acme.account, None, {**base, "tags": [theirs.id], "time_of_day": "09:00"}, acme.supervisor
        )
    assert set(refused.value.message_dict) == {"tags"}
    ours = make_tag(acme)
    for bad, field in (
        ({"time_of_day": None}, "time_of_day"),
        ({"schedule": "monthly", "day_of_month": 32, "time_of_day": time(9)}, "day_of_month"),
    ):
        with pytest.raises(ValidationError) as refused:
            save_notification(
                acme.account, None, {**base, "tags": [ours], "time_of_day": None, **bad}, acme.supervisor
            )
        assert field in refused.value.message_dict


def test_twilio_settings_that_cannot_work_fail_the_delivery(acme: Team, fake_twilio: FakeTwilio) -> None:
    channels = use_twilio(acme, fake_twilio)
    channels.twilio_auth_token = ""
    with pytest.raises(ProviderError) as missing:
        Twilio(channels)
    assert missing.value.permanent
