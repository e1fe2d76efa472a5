"""Settings > Lines: create, edit, deactivate; secrets stay write-only; ids unique on the platform."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from inbox.models import AgentIdentity, Line
from tests.conftest import Team, client_for

TOKEN = "EAAG-secret-access-token-1234567890"
APP_SECRET = "app-secret-0f9e8d7c6b5a"


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Ventas",
        "display_number": "+54 9 11 5555-1234",
        "phone_number_id": "106540352242922",
        "waba_id": "102290129340398",
        "access_token": TOKEN,
        "app_secret": APP_SECRET,
        "agent_identity": AgentIdentity.OPERATOR,
        "blocked_reply": "No atendemos este número.",
        "graph_url": "",
    }
    return data | changes


def lines_url(team: Team, name: str = "settings_lines", **kwargs: int) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def make_line(team: Team, **fields: str) -> Line:
    defaults = {"name": "Soporte", "display_number": "+5491144445555", "phone_number_id": "111"}
    return team.account.lines.create(**(defaults | fields), access_token=TOKEN, app_secret=APP_SECRET)


def test_a_supervisor_creates_a_line(acme: Team) -> None:
    response = client_for(acme.supervisor).post(lines_url(acme, "settings_line_create"), form_data())
    line = Line.objects.for_account(acme.account).get()
    assert response.status_code == 302
    assert response["Location"] == lines_url(acme, "settings_line", line_id=line.id)
    assert line.display_number == "+5491155551234"
    assert (line.phone_number_id, line.waba_id) == ("106540352242922", "102290129340398")
    assert (line.access_token, line.app_secret) == (TOKEN, APP_SECRET)
    assert line.agent_identity == AgentIdentity.OPERATOR
    assert line.provider == "whatsapp_cloud"
    assert line.is_active


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("display_number", "11 5555 1234"),  # no country code
        ("display_number", "+54 11 abc"),
        ("phone_number_id", "1065-4035"),
        ("waba_id", "abc"),
        ("graph_url", "not a url"),
        ("agent_identity", "robot"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(acme: Team, field: str, value: str) -> None:
    response = client_for(acme.admin).post(
        lines_url(acme, "settings_line_create"), form_data(**{field: value})
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Line.objects.for_account(acme.account).exists()


def test_a_phone_number_id_names_one_line_on_the_whole_platform(acme: Team, globex: Team) -> None:
    make_line(globex, phone_number_id="106540352242922")
    response = client_for(acme.admin).post(lines_url(acme, "settings_line_create"), form_data())
    assert response.status_code == 400
    assert "phone_number_id" in response.context["form"].errors
    assert not Line.objects.for_account(acme.account).exists()


def test_secrets_are_never_rendered_back(acme: Team) -> None:
    line = make_line(acme)
    client = client_for(acme.admin)
    pages = [
        client.get(lines_url(acme)),
        client.get(lines_url(acme, "settings_line", line_id=line.id)),
        # A refused change re-renders the form with what was posted: still no secrets.
        client.post(lines_url(acme, "settings_line", line_id=line.id), form_data(waba_id="x")),
    ]
    for response in pages:
        html = response.content.decode()
        assert TOKEN not in html
        assert APP_SECRET not in html
    assert pages[2].status_code == 400


def test_editing_with_blank_secrets_keeps_the_stored_ones(acme: Team) -> None:
    line = make_line(acme)
    url = lines_url(acme, "settings_line", line_id=line.id)
    response = client_for(acme.supervisor).post(
        url, form_data(name="Ventas 2", access_token="", app_secret="", phone_number_id="222")
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.name, line.phone_number_id) == ("Ventas 2", "222")
    assert (line.access_token, line.app_secret) == (TOKEN, APP_SECRET)

    client_for(acme.supervisor).post(url, form_data(access_token="new-token", app_secret=""))
    line.refresh_from_db()
    assert (line.access_token, line.app_secret) == ("new-token", APP_SECRET)


def test_a_refused_edit_changes_nothing(acme: Team, globex: Team) -> None:
    make_line(globex, phone_number_id="999")
    line = make_line(acme)
    response = client_for(acme.admin).post(
        lines_url(acme, "settings_line", line_id=line.id), form_data(name="Otro", phone_number_id="999")
    )
    assert response.status_code == 400
    assert "phone_number_id" in response.context["form"].errors
    assert response.context["line"].name == "Soporte"
    line.refresh_from_db()
    assert (line.name, line.phone_number_id) == ("Soporte", "111")


@override_settings(SITE_URL="https://spoter.example")
def test_the_line_page_shows_what_to_paste_into_meta(acme: Team) -> None:
    line = make_line(acme)
    client = client_for(acme.admin)
    page = client.get(lines_url(acme, "settings_line", line_id=line.id)).content.decode()
    assert f"https://spoter.example/webhooks/whatsapp/{line.uuid}/" in page
    assert line.verify_token in page

    old = line.verify_token
    response = client.post(lines_url(acme, "settings_line_verify_token", line_id=line.id))
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.verify_token != old
    assert len(line.verify_token) >= 24


def test_deactivate_and_reactivate(acme: Team) -> None:
    line = make_line(acme)
    client = client_for(acme.supervisor)
    url = lines_url(acme, "settings_line_active", line_id=line.id)
    assert client.post(url, {"active": "0"}).status_code == 302
    line.refresh_from_db()
    assert not line.is_active
    client.post(url, {"active": "1"})
    line.refresh_from_db()
    assert line.is_active


def test_the_list_shows_the_accounts_own_lines(acme: Team, globex: Team) -> None:
    make_line(acme, name="Acme ventas", quality_rating="GREEN", messaging_tier="TIER_1K")
    make_line(globex, name="Globex soporte", phone_number_id="222")
    page = client_for(acme.supervisor).get(lines_url(acme)).content.decode()
    assert "Acme ventas" in page
    assert "GREEN" in page
    assert "TIER_1K" in page
    assert "Globex soporte" not in page


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    """Another account's line is 404 on every line route, and nothing of it changes."""
    line = make_line(acme)
    before = Line.objects.for_account(acme.account).values().get()
    client = client_for(globex.admin)
    for name in (
        "settings_line",
        "settings_line_entry_point",
        "settings_line_qr_png",
        "settings_line_qr_svg",
    ):
        assert client.get(lines_url(globex, name, line_id=line.id)).status_code == 404
    for name in ("settings_line", "settings_line_active", "settings_line_verify_token"):
        assert client.post(lines_url(globex, name, line_id=line.id), form_data()).status_code == 404
    assert Line.objects.for_account(acme.account).values().get() == before


@pytest.mark.parametrize("name", ["settings_lines", "settings_line_create"])
def test_operators_are_refused(acme: Team, name: str) -> None:
    assert client_for(acme.operator).get(lines_url(acme, name)).status_code == 403
