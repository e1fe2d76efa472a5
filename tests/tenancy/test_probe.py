"""The cross-tenant probe: every URL pattern, as every role of another account and of its own.

A new URL pattern must either live under /a/<account_slug>/ (and so pass this probe) or be listed
in PUBLIC with the reason it is not account-scoped. A route fails the probe when it answers a
member of another account with anything but 404, or lets an operator into configuration.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audience.models import (
    AudienceAudit,
    Contact,
    ContactExport,
    ContactImport,
    CustomField,
    Segment,
    Tag,
)
from billing.models import BankMandate, ExchangeRate, Invoice, RateSource
from bots.models import (
    AutomationRun,
    AutoReply,
    Bot,
    BotSchedule,
    BotSecret,
    BotSession,
    FollowUp,
    Rule,
    WelcomeMessage,
)
from campaigns.models import Campaign, LineThrottle, OptOutSettings, Recipient
from empaty.models import Category, CommunityRun, ContactProfile, ProfileSuggestion, StreakAlert
from inbox.api.keys import create_api_key
from inbox.conversations import current_conversation
from inbox.models import (
    Conversation,
    ConversationEvent,
    Initiator,
    Message,
    Note,
    QuickReply,
    Reminder,
    ScheduledMessage,
)
from notifications.models import ChannelSettings, Notification, NotificationDelivery, NotificationRun
from spoter.accounts.models import Account, Membership, Role
from tests.conftest import Team, client_for

# Routes outside /a/<account_slug>/: each serves no account's data, or finds the account itself.
PUBLIC = {
    "home": "landing page, or a redirect to the person's own accounts",
    "healthz": "service status, no tenant data",
    "account_chooser": "lists only the logged-in person's own memberships",
    "invitation_accept": "the secret token identifies one invitation; probed in test_team.py",
    "set_language": "a cookie",
    "whatsapp_webhook": "Meta's webhooks for the platform app: signed, routed by phone_number_id",
    "whatsapp_line_webhook": "Meta's webhooks for one line: signed with that line's app secret",
    "mercadopago_webhook": "Mercado Pago's webhooks: signed with the platform's secret",
    "mercadopago_simulator": "the Mercado Pago sandbox's payer page: development only (SIMULATOR_ENABLED)",
    "api_schema": "describes the API, no tenant data",
    "api_docs": "the API's documentation page, no tenant data",
    "api_not_found": "a JSON 404 for unknown API URLs",
}
# The REST API finds the account from the key, not the URL: test_api_probe.py probes these routes.
API_PREFIX = "api/v1/"
# allauth (the person's own user), staff; the WhatsApp simulator plays Meta (its own tables, no
# account's data; token-checked Graph API) and is mounted only when SIMULATOR_ENABLED (off in production).
PUBLIC_PREFIXES = ("accounts/", "admin/", "i18n/", "static/", "simulator/")

# Configuration sections: an operator must get 403 on every route whose name starts with these.
CONFIGURATION = (
    "account_settings",
    "team",
    "member_",
    "invitation_revoke",
    "bots",
    "campaigns",
    "reports",
    "billing",
    "settings_",
)


@dataclass
class Route:
    name: str
    pattern: str
    min_role: Role | None
    min_write_role: Role | None


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def account_routes() -> list[Route]:
    routes, unexplained = [], []
    for pattern, entry in walk(get_resolver().url_patterns):
        if "<slug:account_slug>" not in pattern:
            if entry.name not in PUBLIC and not pattern.startswith((*PUBLIC_PREFIXES, API_PREFIX)):
                unexplained.append(pattern)
            continue
        view = entry.callback
        routes.append(
            Route(
                entry.name or pattern,
                pattern,
                getattr(view, "min_role", None),
                getattr(view, "min_write_role", None),
            )
        )
    assert not unexplained, f"routes neither account-scoped nor listed in PUBLIC: {unexplained}"
    return routes


ROUTES = account_routes()


def probe_conversation(team: Team) -> Conversation:
    """One conversation of the team's account (with a message), shared by a URL's parameters."""
    found = Conversation.objects.for_account(team.account).first()
    if found is not None:
        return found
    line = team.account.lines.create(name="Chat", provider="sandbox", display_number="+5491100000002")
    contact = Contact.objects.for_account(team.account).create(
        account=team.account, phone="+5491122334455", registered=True
    )
    with transaction.atomic():
        conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    Message.objects.for_account(team.account).create(
        account=team.account,
        conversation=conversation,
        line=line,
        direction="in",
        text="Hola",
        status="received",
        wamid="wamid.probe",
    )
    return conversation


def probe_tag(team: Team) -> Tag:
    """A tag on the probe conversation and on its contact."""
    tag, _ = team.account.tags.get_or_create(name="Probe")
    conversation = probe_conversation(team)
    conversation.tags.add(tag)
    conversation.contact.tags.add(tag)
    return tag


def probe_quick_reply(team: Team) -> QuickReply:
    return team.account.quick_replies.get_or_create(shortcut="hola", text="Hola")[0]


def probe_bot(team: Team) -> Bot:
    return Bot.objects.for_account(team.account).get_or_create(account=team.account, name="Probe")[0]


def probe_notification(team: Team) -> Notification:
    notification = Notification.objects.for_account(team.account).create(
        account=team.account, name="Probe", body="Hola", schedule="daily", time_of_day="09:00"
    )
    notification.tags.add(probe_tag(team))
    run = NotificationRun.objects.for_account(team.account).create(
        account=team.account, notification=notification, scheduled_for="2025-01-01T12:00Z"
    )
    NotificationDelivery.objects.for_account(team.account).create(
        account=team.account, run=run, contact=probe_conversation(team).contact, channel="sms"
    )
    return notification


def probe_invoice(team: Team) -> Invoice:
    """January's invoice of the team's account, at a manual dollar rate."""
    rate, _ = ExchangeRate.objects.get_or_create(
        source=RateSource.MANUAL, quote_date="2025-01-01", defaults={"seller": "1000"}
    )
    defaults = {
        "period_end": "2025-02-01",
        "plan_name": "PRO",
        "rate": rate,
        "usd_total": 99,
        "ars_total": 99000,
    }
    return Invoice.objects.for_account(team.account).get_or_create(
        account=team.account, period_start="2025-01-01", defaults=defaults
    )[0]


def url_for(route: Route, team: Team) -> str:
    """The route's URL filled with the ids of ``team``'s own objects."""
    objects: dict[str, Callable[[], int]] = {
        "number": lambda: probe_conversation(team).number,
        "message_id": lambda: (
            Message.objects.for_account(team.account).get(conversation=probe_conversation(team)).id
        ),
        "contact_id": lambda: probe_conversation(team).contact_id,
        # The contact panel's objects, on the probe conversation (inbox/panel_urls.py).
        "tag_id": lambda: probe_tag(team).id,
        "note_id": lambda: (
            probe_conversation(team).contact.notes.create(account=team.account, text="Nota").id
        ),
        "scheduled_id": lambda: (
            probe_conversation(team)
            .scheduled.create(account=team.account, text="Hola", send_at="2099-01-01T00:00Z")
            .id
        ),
        "quick_reply_id": lambda: probe_quick_reply(team).id,
        "member_id": lambda: team.operator.id,
        "invitation_id": lambda: (
            team.account.invitations.create(
                email="probe@example.com", token_hash=uuid.uuid4().hex, expires_at="2099-01-01T00:00Z"
            ).id
        ),
        # A sandbox line: routes that talk to the provider stay in-process.
        "line_id": lambda: (
            team.account.lines.create(name="Probe", provider="sandbox", display_number="+5491100000000").id
        ),
        "key_id": lambda: create_api_key(team.account, "Probe")[0].id,
        # The audience (audience/urls.py).
        "segment_id": lambda: team.account.segments.get_or_create(name="Probe", filters={})[0].id,
        "field_id": lambda: team.account.custom_fields.get_or_create(key="probe", label="Probe")[0].id,
        "import_id": lambda: (
            team.account.contact_imports.create(
                file="imports/probe.csv", filename="probe.csv", file_format="csv", headers=["telefono"]
            ).id
        ),
        "export_id": lambda: team.account.contact_exports.create(filters={}).id,
        # Bots and automatic messages (bots/).
        "bot_id": lambda: probe_bot(team).id,
        "schedule_id": lambda: (
            BotSchedule.objects.for_account(team.account)
            .create(account=team.account, bot=probe_bot(team), weekdays=[0], start="09:00", end="10:00")
            .id
        ),
        "auto_reply_id": lambda: (
            AutoReply.objects.for_account(team.account)
            .create(
                account=team.account,
                quick_reply=probe_quick_reply(team),
                weekdays=[0],
                start="20:00",
                end="08:00",
            )
            .id
        ),
        "rule_id": lambda: (
            Rule.objects.for_account(team.account).create(account=team.account, name="Probe").id
        ),
        "follow_up_id": lambda: (
            FollowUp.objects.for_account(team.account)
            .create(account=team.account, hours=24, notify_assignee=True)
            .id
        ),
        "secret_id": lambda: (
            BotSecret.objects.for_account(team.account)  # url_for runs once per method: one name
            .get_or_create(account=team.account, name="probe", defaults={"value": "s3cret"})[0]
            .id
        ),
        # Recurring notifications (notifications/urls.py), with a run of one delivery to show.
        "notification_id": lambda: probe_notification(team).id,
        # Campaigns (campaigns/urls.py): a draft on a sandbox line.
        "campaign_id": lambda: (
            Campaign.objects.for_account(team.account)
            .create(
                account=team.account,
                name="Probe",
                line=team.account.lines.create(
                    name="Campaign", provider="sandbox", display_number="+5491100000003"
                ),
            )
            .id
        ),
        # EMPATY's negative-streak alerts (empaty/dashboard_urls.py), on the probe conversation.
        "alert_id": lambda: (
            StreakAlert.objects.for_account(team.account)
            .get_or_create(
                account=team.account,
                conversation=probe_conversation(team),
                first_message=Message.objects.for_account(team.account).get(
                    conversation=probe_conversation(team)
                ),
                defaults={"length": 3},
            )[0]
            .id
        ),
        # EMPATY's taxonomy and communities (empaty/interest_urls.py).
        "category_id": lambda: (
            Category.objects.for_account(team.account).get_or_create(account=team.account, name="Probe")[0].id
        ),
        "community_id": lambda: (
            CommunityRun.objects.for_account(team.account)
            .create(account=team.account, state="done")
            .communities.create(account=team.account, name="Probe", size=0)
            .id
        ),
        # EMPATY's detected personal data (empaty/profile_urls.py), read in the probe conversation.
        "suggestion_id": lambda: (
            ProfileSuggestion.objects.for_account(team.account)
            .get_or_create(
                account=team.account,
                contact=probe_conversation(team).contact,
                field="residence",
                value="Salta",
                defaults={
                    "message": Message.objects.for_account(team.account).get(
                        conversation=probe_conversation(team)
                    )
                },
            )[0]
            .id
        ),
        # Billing's invoices (billing/invoice_urls.py).
        "invoice_id": lambda: probe_invoice(team).id,
        "media_id": lambda: (
            team.account.media_files.create(
                line=team.account.lines.create(
                    name="Media", provider="sandbox", display_number="+5491100000001"
                ),
                state="ready",
            ).id
        ),
    }
    kwargs: dict[str, object] = {"account_slug": team.account.slug}
    for name, make in objects.items():
        if f"<int:{name}>" in route.pattern:
            kwargs[name] = make()
    return reverse(route.name, kwargs=kwargs)


def test_every_account_route_declares_a_role() -> None:
    assert ROUTES, "the probe found no account routes"
    missing = [route.name for route in ROUTES if route.min_role is None or route.min_write_role is None]
    assert not missing, f"account views without @require_role: {missing}"


def test_configuration_is_closed_to_operators() -> None:
    open_config = [
        route.name
        for route in ROUTES
        if route.name.startswith(CONFIGURATION) and Role.OPERATOR in (route.min_role, route.min_write_role)
    ]
    assert not open_config, f"configuration routes open to operators: {open_config}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_other_accounts_get_404(route: Route, role: Role, acme: Team, globex: Team) -> None:
    """A member of globex, whatever the role, gets 404 on every acme URL: no data, no hint."""
    client = client_for(globex.member(role))
    url = url_for(route, acme)
    before = _snapshot(acme)
    for method in ("GET", "POST"):
        response = client.generic(method, url)
        assert response.status_code == 404, f"{method} {url} as globex {role}: {response.status_code}"
    assert _snapshot(acme) == before, f"{url}: a request from another account changed acme"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_roles_within_the_account(route: Route, role: Role, acme: Team) -> None:
    """Inside its own account each role is let in exactly as far as the route declares."""
    client = client_for(acme.member(role))
    url = url_for(route, acme)
    for method, needed in (("GET", route.min_role), ("POST", route.min_write_role)):
        status = client.generic(method, url).status_code
        assert needed is not None, "see test_every_account_route_declares_a_role"
        if role.at_least(needed):
            # 405: a POST-only action asked with GET; 400: a form posted empty.
            assert status in {200, 302, 400, 405}, f"{method} {url} as {role}: {status}"
        else:
            assert status == 403, f"{method} {url} as {role}: {status}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_anonymous_people_are_sent_to_log_in(route: Route, acme: Team) -> None:
    for method in ("GET", "POST"):
        response = Client().generic(method, url_for(route, acme))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def _snapshot(team: Team) -> list[object]:
    """Everything of the account a request could change."""
    return [
        *team.account.memberships.order_by("id").values_list(),
        *team.account.invitations.order_by("id").values_list(),
        *team.account.lines.order_by("id").values_list(),
        *team.account.templates.order_by("id").values_list(),
        *team.account.api_keys.order_by("id").values_list(),
        *team.account.conversations.order_by("id").values_list(),
        *team.account.tags.order_by("id").values_list(),
        *team.account.quick_replies.order_by("id").values_list(),
        *(
            row
            for model in (
                Note,
                Reminder,
                ScheduledMessage,
                ConversationEvent,
                Contact,
                Segment,
                CustomField,
                ContactImport,
                ContactExport,
                AudienceAudit,
                Bot,
                BotSchedule,
                BotSession,
                AutoReply,
                WelcomeMessage,
                Rule,
                FollowUp,
                BotSecret,
                AutomationRun,
                ChannelSettings,
                Notification,
                NotificationRun,
                NotificationDelivery,
                Campaign,
                Recipient,
                LineThrottle,
                OptOutSettings,
                ProfileSuggestion,
                ContactProfile,
                BankMandate,
                Invoice,
            )
            for row in model.objects.for_account(team.account).order_by("id").values_list()
        ),
        *Contact.tags.through.objects.filter(contact__account=team.account).order_by("id").values_list(),
        *Account.objects.filter(id=team.account.id).values_list(),
    ]


def test_membership_of_another_account_is_never_listed(acme: Team, globex: Team) -> None:
    response = client_for(globex.admin).get(reverse("team", kwargs={"account_slug": globex.account.slug}))
    page = response.content.decode()
    assert globex.operator.user.email in page
    for membership in Membership.objects.for_account(acme.account):
        assert membership.user.email not in page
