"""Settings > Templates: the WABAs' templates with their status, sync from WhatsApp, submit new ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from inbox.models import Line, Template, TemplateStatus
from inbox.providers.base import RemoteTemplate
from inbox.providers.sandbox.transport import Sandbox
from inbox.simulator.services import add_template
from tests.conftest import Team, client_for
from tests.inbox.simulator.helpers import WABA_ID, connect_line

BODY = [{"type": "BODY", "text": "Hola {{1}}, tu pedido está listo."}]


@pytest.fixture(autouse=True)
def _sandbox() -> Iterator[None]:
    Sandbox.reset()
    yield
    Sandbox.reset()


def sandbox_line(team: Team, waba_id: str = "5550001") -> Line:
    return team.account.lines.create(
        name="Ventas", provider="sandbox", display_number="+5491100000000", waba_id=waba_id
    )


def url(team: Team, name: str, **kwargs: int) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def template_form(line: Line, /, **changes: str) -> dict[str, str]:
    data = {
        "line": str(line.id),
        "name": "pedido_listo",
        "category": "UTILITY",
        "language": "es_AR",
        "header": "Pedido {{1}}",
        "header_example": "A-123",
        "body": "Hola {{1}}, tu pedido {{2}} está listo.",
        "body_examples": "Ana\nA-123\n",
        "footer": "Tienda Simulada",
        "button_1": "Gracias",
        "button_2": "",
        "button_3": "Quiero cambiarlo",
    }
    return data | changes


def test_sync_stores_the_wabas_templates_and_the_list_shows_their_status(acme: Team, globex: Team) -> None:
    line = sandbox_line(acme)
    Sandbox.templates[line.waba_id] = [
        RemoteTemplate("1", "bienvenida", "es_AR", "MARKETING", "APPROVED", BODY),
        RemoteTemplate("2", "promo_rechazada", "es_AR", "MARKETING", "REJECTED", BODY, "INVALID_FORMAT"),
    ]
    sandbox_line(globex, waba_id="5550002").account.templates.create(
        waba_id="5550002", name="de_globex", language="es", category="UTILITY", components=BODY
    )
    client = client_for(acme.supervisor)

    response = client.post(url(acme, "settings_templates_sync", line_id=line.id))
    assert response.status_code == 302
    stored = Template.objects.for_account(acme.account)
    assert dict(stored.values_list("name", "status")) == {
        "bienvenida": "APPROVED",
        "promo_rechazada": "REJECTED",
    }

    page = client.get(url(acme, "settings_templates")).content.decode()
    assert 'data-testid="template-bienvenida-es_AR"' in page
    assert "INVALID_FORMAT" in page  # the rejection reason
    assert "Hola {{1}}, tu pedido está listo." in page  # the body's preview
    assert "de_globex" not in page


def test_submitting_builds_metas_components_and_stores_it_pending(acme: Team) -> None:
    line = sandbox_line(acme)
    response = client_for(acme.supervisor).post(url(acme, "settings_template_create"), template_form(line))
    assert response.status_code == 302
    template = Template.objects.for_account(acme.account).get()
    assert (template.name, template.language, template.category) == ("pedido_listo", "es_AR", "UTILITY")
    assert template.status == TemplateStatus.PENDING
    assert template.waba_id == line.waba_id
    assert template.components == [
        {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}", "example": {"header_text": ["A-123"]}},
        {
            "type": "BODY",
            "text": "Hola {{1}}, tu pedido {{2}} está listo.",
            "example": {"body_text": [["Ana", "A-123"]]},
        },
        {"type": "FOOTER", "text": "Tienda Simulada"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Gracias"},
                {"type": "QUICK_REPLY", "text": "Quiero cambiarlo"},
            ],
        },
    ]
    assert [item.name for item in Sandbox.templates[line.waba_id]] == ["pedido_listo"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body_examples": "Ana"}, "body_examples"),  # two variables, one example
        ({"name": "Pedido Listo"}, "name"),
        ({"body": ""}, "body"),
        ({"line": "999999"}, "line"),
    ],
)
def test_bad_templates_are_form_errors_and_nothing_is_sent(
    acme: Team, changes: dict[str, str], field: str
) -> None:
    line = sandbox_line(acme)
    response = client_for(acme.admin).post(
        url(acme, "settings_template_create"), template_form(line, **changes)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Template.objects.for_account(acme.account).exists()
    assert line.waba_id not in Sandbox.templates


def test_sync_and_submit_over_http_against_the_simulator(live_server, acme: Team) -> None:
    """The real whatsapp_cloud adapter: templates listed by the simulator, and Meta's refusal
    (this name and language already exist at Meta) shown on the form."""
    line, _number = connect_line(acme, live_server.url)
    add_template(WABA_ID, "bienvenida", "es_AR", "MARKETING", BODY)
    client = client_for(acme.supervisor)

    client.post(url(acme, "settings_templates_sync", line_id=line.id))
    assert Template.objects.for_account(acme.account).get().status == TemplateStatus.APPROVED

    Template.objects.for_account(acme.account).delete()  # known to Meta, not to us
    form = template_form(line, name="bienvenida", header="", body="Hola {{1}}", body_examples="Ana")
    response = client.post(url(acme, "settings_template_create"), form)
    assert response.status_code == 400
    assert "Content in this language already exists" in str(response.context["form"].non_field_errors())
    assert not Template.objects.for_account(acme.account).exists()


def test_a_failed_sync_shows_metas_error_and_changes_nothing(live_server, acme: Team) -> None:
    line, _number = connect_line(acme, live_server.url)
    line.access_token = "wrong"
    line.save(update_fields=["access_token"])
    response = client_for(acme.supervisor).post(
        url(acme, "settings_templates_sync", line_id=line.id), follow=True
    )
    errors = [message for message in response.context["messages"] if message.level_tag == "error"]
    assert len(errors) == 1
    assert "(190)" in str(errors[0])  # Meta's code for an invalid access token
    assert not Template.objects.for_account(acme.account).exists()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    line = sandbox_line(acme)
    Sandbox.templates[line.waba_id] = [
        RemoteTemplate("1", "bienvenida", "es_AR", "MARKETING", "APPROVED", BODY)
    ]
    client = client_for(globex.admin)
    assert client.post(url(globex, "settings_templates_sync", line_id=line.id)).status_code == 404
    # A form naming another account's line is refused like a line that does not exist.
    sandbox_line(globex, waba_id="5550002")
    response = client.post(url(globex, "settings_template_create"), template_form(line))
    assert response.status_code == 400
    assert "line" in response.context["form"].errors
    assert not Template.objects.for_account(acme.account).exists()
    assert not Template.objects.for_account(globex.account).exists()
    assert client_for(acme.operator).get(url(acme, "settings_templates")).status_code == 403
