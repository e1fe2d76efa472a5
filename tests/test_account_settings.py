"""Account settings: admins change them, supervisors read them, bad values are refused."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.conftest import Team, client_for

URL = reverse("account_settings", kwargs={"account_slug": "acme"})
GOOD = {
    "name": "Acme SA",
    "time_zone": "America/Montevideo",
    "language": "en",
    "country": "UY",
    "mfa_policy": "admins",
}


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    assert client_for(globex.admin).post(URL, GOOD).status_code == 404
    acme.account.refresh_from_db()
    assert acme.account.name == "Acme"


def test_an_admin_changes_the_account(acme: Team) -> None:
    response = client_for(acme.admin).post(URL, GOOD)
    assert response.status_code == 302
    acme.account.refresh_from_db()
    account = acme.account
    assert (account.name, account.time_zone, account.language, account.country, account.mfa_policy) == (
        "Acme SA",
        "America/Montevideo",
        "en",
        "UY",
        "admins",
    )


def test_supervisors_read_but_cannot_change(acme: Team) -> None:
    supervisor = client_for(acme.supervisor)
    page = supervisor.get(URL)
    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert supervisor.post(URL, GOOD).status_code == 403
    acme.account.refresh_from_db()
    assert acme.account.name == "Acme"


def test_bad_values_are_refused_and_nothing_changes(acme: Team) -> None:
    response = client_for(acme.admin).post(URL, {**GOOD, "time_zone": "Mars/Olympus_Mons", "name": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("time_zone", code="invalid_choice")
    assert form.has_error("name", code="required")
    acme.account.refresh_from_db()
    assert (acme.account.name, acme.account.time_zone) == ("Acme", "America/Argentina/Buenos_Aires")


def test_pages_show_times_in_the_account_time_zone(acme: Team) -> None:
    acme.account.time_zone = "Asia/Tokyo"
    acme.account.save(update_fields=["time_zone"])
    acme.account.invitations.create(
        email="tz@example.com", token_hash="t" * 64, expires_at="2030-01-01T12:00Z", role="operator"
    )
    page = client_for(acme.admin).get(reverse("team", kwargs={"account_slug": "acme"})).content.decode()
    assert "21:00" in page  # 12:00 UTC is 21:00 in Tokyo


def test_a_refused_change_does_not_show_as_the_account_name(acme: Team) -> None:
    response = client_for(acme.admin).post(URL, {**GOOD, "name": "Half typed", "time_zone": "Nowhere"})
    assert response.status_code == 200
    switcher = re.search(r'data-testid="account-switcher">([^<]*)<', response.content.decode())
    assert switcher
    assert switcher.group(1) == "Acme"
