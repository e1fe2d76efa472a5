"""The campaign list and the draft form: create, validate, edit, delete, duplicate (CAM-1, CAM-2).

The helpers here (a line, a template, contacts, a saved draft) are shared by the other view tests.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audience.models import Contact, CustomField, Segment, Tag
from campaigns.models import Campaign, CampaignState, ContentKind, TagMode
from inbox.models import Conversation, Line, Template, TemplateStatus, next_number
from spoter.accounts.models import Account
from tests.conftest import Team, client_for

WABA = "waba-1"
BODY = "Hola {{1}}, esta semana tenemos ofertas."


def url(team: Team, name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def make_line(account: Account, **fields: Any) -> Line:
    defaults: dict[str, Any] = {"name": "Ventas", "display_number": "+5491100000001", "waba_id": WABA}
    return Line.objects.for_account(account).create(
        account=account, provider="sandbox", **(defaults | fields)
    )


def make_template(account: Account, *, body: str = BODY, waba_id: str = WABA, **fields: Any) -> Template:
    defaults: dict[str, Any] = {
        "name": "ofertas",
        "language": "es_AR",
        "category": "MARKETING",
        "status": TemplateStatus.APPROVED,
        "components": [{"type": "BODY", "text": body}],
    }
    return Template.objects.for_account(account).create(
        account=account, waba_id=waba_id, **(defaults | fields)
    )


def make_contact(account: Account, number: int, **fields: Any) -> Contact:
    digits = f"54911555{number:05d}"
    defaults = {"phone": f"+{digits}", "wa_id": digits}
    return Contact.objects.for_account(account).create(account=account, **(defaults | fields))


def open_window(line: Line, contact: Contact) -> Conversation:
    """A conversation where the contact wrote a minute ago: free text may reach them."""
    account = line.account
    with transaction.atomic():  # next_number locks the account's counter
        return Conversation.objects.for_account(account).create(
            account=account,
            number=next_number(account, "conversation"),
            line=line,
            contact=contact,
            last_inbound_at=timezone.now() - timedelta(minutes=1),
        )


def make_campaign(team: Team, line: Line, **fields: Any) -> Campaign:
    defaults: dict[str, Any] = {
        "name": "Ofertas",
        "kind": ContentKind.TEXT,
        "text": "Hola {{nombre|cliente}}",
    }
    return Campaign.objects.for_account(team.account).create(
        account=team.account, line=line, created_by=team.supervisor, **(defaults | fields)
    )


def text_form(line: Line, /, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Promo de invierno",
        "line": str(line.id),
        "tag_mode": TagMode.ANY,
        "kind": ContentKind.TEXT,
        "text": "Hola {{nombre|cliente}}, llegó el invierno.",
        "opt_out_footer": "on",
        "when": "now",
    } | changes


def template_form(line: Line, template: Template, /, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Ofertas",
        "line": str(line.id),
        "tag_mode": TagMode.ANY,
        "kind": ContentKind.TEMPLATE,
        "template": str(template.id),
        "body_1": "{{nombre|cliente}}",
        "when": "now",
    } | changes


@pytest.fixture
def client(acme: Team) -> Client:
    return client_for(acme.supervisor)


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme.account)


def test_create_a_text_campaign_to_a_tag(acme: Team, client: Client, line: Line) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    segment = Segment.objects.for_account(acme.account).create(account=acme.account, name="Todos", filters={})
    form = text_form(line, tags=[str(vip.id)], segments=[str(segment.id)], tag_mode=TagMode.ALL)
    response = client.post(url(acme, "campaigns_new"), form)
    campaign = Campaign.objects.for_account(acme.account).get()
    assert response.status_code == 302
    assert response["Location"] == url(acme, "campaigns_preview", campaign_id=campaign.id)
    assert campaign.state == CampaignState.DRAFT
    assert campaign.created_by == acme.supervisor
    assert (campaign.name, campaign.kind, campaign.opt_out_footer) == ("Promo de invierno", "text", True)
    assert campaign.text == "Hola {{nombre|cliente}}, llegó el invierno."
    assert list(campaign.tags.for_account(acme.account)) == [vip]
    assert list(campaign.segments.for_account(acme.account)) == [segment]
    assert campaign.tag_mode == TagMode.ALL
    assert campaign.start_at is None


def test_create_a_template_campaign_scheduled_with_quiet_hours(
    acme: Team, client: Client, line: Line
) -> None:
    template = make_template(acme.account)
    form = template_form(
        line, template, when="later", start_at="2099-03-01T10:30", quiet_from="21:00", quiet_until="09:00"
    )
    response = client.post(url(acme, "campaigns_new"), form)
    assert response.status_code == 302, response.content.decode()
    campaign = Campaign.objects.for_account(acme.account).get()
    assert campaign.template == template
    assert campaign.template_values == {"body_1": "{{nombre|cliente}}"}
    assert campaign.text == ""
    # The account's zone (Buenos Aires, UTC-3): 10:30 there is 13:30 UTC.
    assert campaign.start_at is not None
    assert campaign.start_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == "2099-03-01 13:30"
    assert (str(campaign.quiet_from), str(campaign.quiet_until)) == ("21:00:00", "09:00:00")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"name": ""}, "This field is required."),
        ({"text": "  "}, "Write the message."),
        ({"text": "Hola {{nombre}} {{empresa}}"}, "Unknown variables: {{empresa}}."),
        ({"when": "later"}, "Say when to start."),
        ({"when": "later", "start_at": "2000-01-01T10:00"}, "Choose a time in the future."),
        ({"quiet_from": "21:00"}, "Give both ends of the quiet hours, or neither."),
        ({"quiet_from": "21:00", "quiet_until": "21:00"}, "must end at another time"),
        ({"kind": ContentKind.TEMPLATE}, "Choose an approved template."),
        ({"line": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_form_answers_400_and_saves_nothing(
    acme: Team, client: Client, line: Line, changes: dict[str, str], error: str
) -> None:
    response = client.post(url(acme, "campaigns_new"), text_form(line, **changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Campaign.objects.for_account(acme.account).exists()


def test_a_custom_field_is_a_known_variable(acme: Team, client: Client, line: Line) -> None:
    CustomField.objects.for_account(acme.account).create(account=acme.account, key="empresa", label="Empresa")
    response = client.post(url(acme, "campaigns_new"), text_form(line, text="Hola {{empresa|}}"))
    assert response.status_code == 302
    page = client.get(url(acme, "campaigns_new")).content.decode()
    assert "{{empresa}}" in page
    assert "{{operador}}" in page


def test_template_checks(acme: Team, client: Client, line: Line) -> None:
    other_waba = make_template(acme.account, waba_id="another", name="ajena")
    pending = make_template(acme.account, name="pendiente", status=TemplateStatus.PENDING)
    template = make_template(acme.account)
    cases = [
        (template_form(line, other_waba), "another WhatsApp account"),
        (template_form(line, pending), "Select a valid choice."),
        (template_form(line, template, body_1=" "), "Fill in every value of the template."),
        (template_form(line, template, body_1="{{cumple}}"), "Unknown variables: {{cumple}}."),
    ]
    for form, error in cases:
        response = client.post(url(acme, "campaigns_new"), form)
        assert response.status_code == 400
        assert error in response.content.decode()
    assert not Campaign.objects.for_account(acme.account).exists()


def test_the_form_offers_the_lines_approved_templates_and_their_fields(
    acme: Team, client: Client, line: Line
) -> None:
    make_template(acme.account, name="ajena", waba_id="another")
    make_template(acme.account, name="pendiente", status=TemplateStatus.PENDING)
    template = make_template(acme.account)
    query = {"line": str(line.id), "kind": "template", "template": str(template.id)}
    page = client.get(url(acme, "campaigns_fields"), query).content.decode()
    assert "ofertas (es_AR)" in page
    assert "ajena" not in page
    assert "pendiente" not in page
    assert 'name="body_1"' in page
    text = client.get(url(acme, "campaigns_fields"), {"line": str(line.id), "kind": "text"}).content.decode()
    assert 'name="text"' in text
    assert "Write 0 to stop receiving these messages." in text  # the footer, in the account's language


def test_edit_a_draft_and_a_scheduled_campaign_goes_back_to_draft(
    acme: Team, client: Client, line: Line
) -> None:
    campaign = make_campaign(acme, line, state=CampaignState.SCHEDULED, start_at="2099-01-01T00:00Z")
    page = client.get(url(acme, "campaigns_edit", campaign_id=campaign.id))
    assert page.status_code == 200
    assert "Hola {{nombre|cliente}}" in page.content.decode()
    response = client.post(
        url(acme, "campaigns_edit", campaign_id=campaign.id), text_form(line, text="Nuevo")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.text, campaign.state, campaign.start_at) == ("Nuevo", CampaignState.DRAFT, None)


@pytest.mark.parametrize("state", [CampaignState.RUNNING, CampaignState.PAUSED, CampaignState.COMPLETED])
def test_a_started_campaign_cannot_be_edited(acme: Team, client: Client, line: Line, state: str) -> None:
    campaign = make_campaign(acme, line, state=state, started_at=timezone.now())
    for response in (
        client.get(url(acme, "campaigns_edit", campaign_id=campaign.id)),
        client.post(url(acme, "campaigns_edit", campaign_id=campaign.id), text_form(line, text="Otro")),
    ):
        assert response.status_code == 302
        assert response["Location"] == url(acme, "campaigns_preview", campaign_id=campaign.id)
    campaign.refresh_from_db()
    assert campaign.text == "Hola {{nombre|cliente}}"


def test_delete_only_a_draft(acme: Team, client: Client, line: Line) -> None:
    draft = make_campaign(acme, line)
    running = make_campaign(acme, line, state=CampaignState.RUNNING, started_at=timezone.now())
    for campaign in (draft, running):
        response = client.post(url(acme, "campaigns_delete", campaign_id=campaign.id))
        assert response.status_code == 302
    assert list(Campaign.objects.for_account(acme.account)) == [running]


def test_duplicate_any_campaign_as_a_draft(acme: Team, client: Client, line: Line) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    done = make_campaign(
        acme, line, state=CampaignState.COMPLETED, started_at=timezone.now(), start_at=timezone.now()
    )
    done.tags.add(vip)
    response = client_for(acme.admin).post(url(acme, "campaigns_duplicate", campaign_id=done.id))
    copy = Campaign.objects.for_account(acme.account).exclude(id=done.id).get()
    assert response["Location"] == url(acme, "campaigns_edit", campaign_id=copy.id)
    assert (copy.name, copy.state, copy.text) == ("Ofertas (copy)", CampaignState.DRAFT, done.text)
    assert (copy.start_at, copy.started_at, copy.created_by) == (None, None, acme.admin)
    assert list(copy.tags.for_account(acme.account)) == [vip]


def test_the_list_shows_state_audience_counts_and_filters(
    acme: Team, client: Client, line: Line, django_assert_max_num_queries: Any
) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    draft = make_campaign(acme, line, name="Borrador", tag_mode=TagMode.NONE)
    draft.tags.add(vip)
    running = make_campaign(
        acme, line, name="En curso", state=CampaignState.RUNNING, started_at=timezone.now()
    )
    for number, state in enumerate(["sent", "sent", "pending"]):
        contact = make_contact(acme.account, number)
        running.recipients.create(account=acme.account, contact=contact, state=state)
    for extra in range(5):
        make_campaign(acme, line, name=f"Extra {extra}").tags.add(vip)
    with django_assert_max_num_queries(12):
        page = client.get(url(acme, "campaigns")).content.decode()
    assert "without the tags: VIP" in page
    assert "All contacts" in page
    assert "2 / 3" in page
    assert "New campaign" in page
    filtered = client.get(url(acme, "campaigns"), {"state": "running"}).content.decode()
    assert "En curso" in filtered
    assert "Borrador" not in filtered


def test_it_checks_ownership(acme: Team, globex: Team, line: Line) -> None:
    campaign = make_campaign(acme, line)
    outsider = client_for(globex.admin)
    assert outsider.get(url(acme, "campaigns_edit", campaign_id=campaign.id)).status_code == 404
    globex_url = reverse(
        "campaigns_edit", kwargs={"account_slug": globex.account.slug, "campaign_id": campaign.id}
    )
    assert outsider.get(globex_url).status_code == 404
    # A line of another account cannot be chosen.
    response = outsider.post(
        reverse("campaigns_new", kwargs={"account_slug": globex.account.slug}), text_form(line)
    )
    assert response.status_code == 400
    assert not Campaign.objects.for_account(globex.account).exists()


def test_operators_are_refused(acme: Team, line: Line) -> None:
    campaign = make_campaign(acme, line)
    operator = client_for(acme.operator)
    assert operator.get(url(acme, "campaigns")).status_code == 403
    assert operator.post(url(acme, "campaigns_new"), text_form(line)).status_code == 403
    assert operator.post(url(acme, "campaigns_delete", campaign_id=campaign.id)).status_code == 403
    assert Campaign.objects.for_account(acme.account).count() == 1
