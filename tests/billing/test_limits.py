"""Plan limits through the real views and services (TEN-5, BIL-1, BIL-5): a clear message that
names the limit, the link to change the plan, never a 500 and nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audience.models import ContactExport
from audience.tags import get_or_create_tag
from billing.catalogue import FREE, PRO
from billing.limits import LimitReached
from billing.models import ReadOnlyReason, State
from billing.subscriptions import plan_by_code, subscription_for
from campaigns import services as campaign_services
from inbox.api.keys import create_api_key
from inbox.content import Text
from inbox.lines import create_line
from inbox.models import Line, Message, WebhookEvent
from inbox.sending import SendError, send
from notifications.models import Notification, NotificationRun
from notifications.runs import start_due
from notifications.services import save_notification
from spoter.accounts import services as account_services
from spoter.accounts.models import Invitation, Membership, User
from tests.campaigns.factories import text_campaign
from tests.conftest import Team, client_for
from tests.inbox.sending.conftest import make_conversation, make_line
from tests.inbox.webhooks.conftest import CUSTOMER_WA_ID, deliver, fixture

pytestmark = pytest.mark.usefixtures("english")


def on_plan(team: Team, code: str, **fields: object) -> None:
    subscription = subscription_for(team.account)
    subscription.plan = plan_by_code(code)
    subscription.extra_lines = subscription.extra_operators = 0
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.save()


def url(team: Team, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def billing_url(team: Team) -> str:
    return url(team, "billing")


def test_inviting_a_third_user_on_free_names_the_limit_and_writes_nothing(acme: Team) -> None:
    on_plan(acme, FREE)
    data = {"email": "new@acme.test", "role": "operator", "inbox_mode": "shared"}
    response = client_for(acme.admin).post(url(acme, "team"), data)
    assert response.status_code == 402
    page = response.content.decode()
    assert "Your plan FREE includes 2 users and you have 3." in page
    assert f'href="{billing_url(acme)}"' in page
    assert not Invitation.objects.for_account(acme.account).exists()


def test_a_supervisor_is_told_to_ask_an_admin(acme: Team) -> None:
    on_plan(acme, FREE)
    data = {"email": "new@acme.test", "role": "operator", "inbox_mode": "shared"}
    response = client_for(acme.supervisor).post(url(acme, "team"), data)
    assert response.status_code == 402
    assert "Ask an admin of the account" in response.content.decode()
    assert billing_url(acme) not in response.content.decode()


def test_an_htmx_request_gets_the_notice_in_the_page(acme: Team) -> None:
    on_plan(acme, FREE)
    response = client_for(acme.supervisor).get(url(acme, "empaty_dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#limit-notice"
    assert 'data-code="empaty"' in response.content.decode()


def test_pending_invitations_take_seats_and_accepting_over_the_limit_is_refused(acme: Team) -> None:
    on_plan(acme, PRO)  # 5 users: 3 members and 2 invitations
    for email in ("one@x.test", "two@x.test"):
        account_services.invite(acme.account, acme.admin, email, "operator", "shared", "http://testserver")
    with pytest.raises(LimitReached) as refused:
        account_services.invite(acme.account, acme.admin, "three@x.test", "operator", "shared", "http://x")
    assert refused.value.code == "users"
    # Inviting the same person again replaces their invitation: no seat more.
    account_services.invite(acme.account, acme.admin, "two@x.test", "operator", "shared", "http://x")
    on_plan(acme, FREE)
    invitation = Invitation.objects.for_account(acme.account).get(email="one@x.test")
    with pytest.raises(LimitReached):
        account_services.accept_invitation_as_new_user(invitation, "a long enough password 123")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="one@x.test").exists()


def test_reactivating_a_member_needs_a_seat(acme: Team) -> None:
    client = client_for(acme.admin)
    active_url = url(acme, "member_set_active", member_id=acme.operator.id)
    assert client.post(active_url, {"active": "0"}).status_code == 302
    on_plan(acme, FREE)  # admin and supervisor fill the 2 seats
    response = client.post(active_url, {"active": "1"})
    assert response.status_code == 402
    assert "includes 2 users and you have 2" in response.content.decode()
    assert not Membership.objects.for_account(acme.account).get(id=acme.operator.id).is_active


def test_a_second_line_on_free_is_refused(acme: Team) -> None:
    on_plan(acme, FREE)
    first = make_line(acme)
    with pytest.raises(LimitReached) as refused:
        create_line(acme.account, name="Soporte", display_number="+5491100000001")
    assert "includes 1 WhatsApp line and you have 1 active" in refused.value.message
    assert Line.objects.for_account(acme.account).count() == 1
    # Switching a line on again counts too.
    Line.objects.for_account(acme.account).filter(id=first.id).update(is_active=False)
    second = create_line(acme.account, name="Soporte", display_number="+5491100000001")
    response = client_for(acme.admin).post(
        url(acme, "settings_line_active", line_id=first.id), {"active": "1"}
    )
    assert response.status_code == 402
    assert "WhatsApp line" in response.content.decode()
    assert Line.objects.for_account(acme.account).get(id=second.id).is_active
    assert not Line.objects.for_account(acme.account).get(id=first.id).is_active


def test_campaigns_need_a_plan_that_includes_them(acme: Team) -> None:
    line = make_line(acme)
    campaign = text_campaign(acme, line)
    on_plan(acme, "inicio")
    client = client_for(acme.supervisor)
    assert client.get(url(acme, "campaigns_new")).status_code == 402
    response = client.post(url(acme, "campaigns_start", campaign_id=campaign.id))
    assert response.status_code == 402
    assert "Your plan INICIO does not include Campaigns and mass sends." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == "draft"
    assert client.get(url(acme, "campaigns")).status_code == 200  # the list is still there


def test_a_scheduled_campaign_of_a_plan_without_campaigns_is_paused_not_sent(acme: Team) -> None:
    campaign = text_campaign(acme, make_line(acme), state="scheduled", start_at=timezone.now())
    on_plan(acme, "inicio")
    assert campaign_services.start_scheduled(campaign) is False
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pause_reason) == ("paused", "plan")


def test_empaty_dashboards_on_free(acme: Team) -> None:
    client = client_for(acme.supervisor)
    assert client.get(url(acme, "empaty_dashboard")).status_code == 200
    on_plan(acme, FREE)
    response = client.get(url(acme, "empaty_dashboard"))
    assert response.status_code == 402
    assert "does not include EMPATY dashboards" in response.content.decode()


def test_an_api_key_of_a_plan_without_the_api_gets_403_json(acme: Team) -> None:
    _key, raw = create_api_key(acme.account, "CRM")
    headers = {"Authorization": f"Bearer {raw}"}
    api = "/api/v1/conversations/"
    on_plan(acme, FREE)
    client = client_for(acme.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(api, headers=headers)
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "plan_limit"
    assert "REST API" in body["detail"]
    assert body["upgrade_url"].endswith(billing_url(acme))
    on_plan(acme, "inicio")
    assert client_for(acme.admin).get(api, headers=headers).status_code == 200


def test_on_free_the_company_writes_first_only_to_contacts_who_wrote(acme: Team) -> None:
    on_plan(acme, FREE)
    conversation = make_conversation(make_line(acme), window_open=False)
    contact = conversation.contact
    with pytest.raises(SendError) as refused:
        send(conversation, Text("Hola"))
    assert refused.value.code == "plan_trial"
    contact.last_seen_at = timezone.now() - timedelta(days=3)
    contact.save(update_fields=["last_seen_at"])
    with pytest.raises(SendError) as refused:
        send(conversation, Text("Hola"))
    assert refused.value.code == "window_closed"  # past the trial rule: WhatsApp's own rule now
    on_plan(acme, PRO)
    contact.last_seen_at = None
    contact.save(update_fields=["last_seen_at"])
    with pytest.raises(SendError) as refused:
        send(conversation, Text("Hola"))
    assert refused.value.code == "window_closed"


def test_the_composer_names_the_trial_rule_and_links_admins_to_billing(acme: Team) -> None:
    on_plan(acme, FREE)
    conversation = make_conversation(make_line(acme), window_open=False)
    send_url = url(acme, "inbox_send", number=conversation.number)
    for member, linked in ((acme.admin, True), (acme.operator, False)):
        client = client_for(member)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.post(send_url, {"text": "Hola"}, headers={"HX-Request": "true"}).content.decode()
        assert 'data-code="plan_trial"' in page
        assert "only lets you start chats with contacts who wrote to you before" in page
        assert (f'href="{billing_url(acme)}"' in page) is linked


def test_an_inbound_message_marks_the_contact_as_having_written(acme: Team) -> None:
    line = make_line(acme, phone_number_id="106540352242922")
    deliver(fixture("text"), line)
    message = Message.objects.for_account(acme.account).get()
    assert message.conversation.contact.wa_id == CUSTOMER_WA_ID
    assert message.conversation.contact.last_seen_at is not None


def test_a_read_only_account_reads_and_exports_but_sends_nothing(acme: Team) -> None:
    line = make_line(acme, phone_number_id="106540352242922")
    conversation = make_conversation(line)
    on_plan(acme, PRO, state=State.READ_ONLY, read_only_reason=ReadOnlyReason.UNPAID)
    with pytest.raises(SendError) as refused:
        send(conversation, Text("Hola"))
    assert refused.value.code == "read_only"
    assert not Message.objects.for_account(acme.account).exists()
    inbox = client_for(acme.operator).get(url(acme, "inbox"))
    assert inbox.status_code == 200
    page = inbox.content.decode()
    assert 'data-testid="read-only-banner"' in page
    assert "The last charge was not paid" in page
    assert billing_url(acme) not in page  # operators are not sent to Billing
    assert billing_url(acme) in client_for(acme.admin).get(url(acme, "inbox")).content.decode()
    export = client_for(acme.supervisor).post(url(acme, "contact_export_create"), {"file_format": "csv"})
    assert export.status_code == 302
    assert ContactExport.objects.for_account(acme.account).exists()
    deliver(fixture("text"), line)  # what customers write is still stored
    assert WebhookEvent.objects.filter(line=line).exists()
    assert Message.objects.for_account(acme.account).filter(direction="in").exists()


def test_notifications_need_campaigns_and_skip_their_runs_while_read_only(acme: Team) -> None:
    on_plan(acme, "inicio")
    tag = get_or_create_tag(acme.account, "VIP")
    data = {
        "name": "Aviso",
        "channel": "sms",
        "body": "Hola",
        "tags": [tag.id],
        "schedule": "once",
        "send_at": timezone.now() + timedelta(days=1),
        "active": True,
    }
    with pytest.raises(LimitReached) as refused:
        save_notification(acme.account, None, data, acme.supervisor)
    assert refused.value.code == "campaigns"
    assert not Notification.objects.for_account(acme.account).exists()
    due = timezone.now() - timedelta(minutes=1)
    notification = Notification.objects.for_account(acme.account).create(
        account=acme.account, name="Aviso", body="Hola", send_at=due, next_run_at=due
    )
    on_plan(acme, PRO, state=State.READ_ONLY, read_only_reason=ReadOnlyReason.ENDED)
    assert start_due() == 0
    assert not NotificationRun.objects.for_account(acme.account).exists()
    notification.refresh_from_db()
    assert notification.next_run_at is None  # a one-off time that passed while read-only: skipped
