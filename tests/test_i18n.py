"""Spanish (es-AR) by default; English when the person chooses it."""

from __future__ import annotations

import polib
from django.conf import settings
from django.urls import reverse

from tests.conftest import Team, client_for


def test_spanish_by_default_whatever_the_browser_says(acme: Team) -> None:
    response = client_for(acme.admin).get(
        reverse("team", kwargs={"account_slug": "acme"}), HTTP_ACCEPT_LANGUAGE="en-US"
    )
    page = response.content.decode()
    assert response["Content-Language"] == "es-ar"
    assert "Equipo" in page
    assert "Invitar" in page


def test_english_when_chosen(acme: Team) -> None:
    client = client_for(acme.admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("team", kwargs={"account_slug": "acme"})).content.decode()
    assert "Invite someone" in page
    # Section titles follow the choice too (they are lazy, not frozen at start-up).
    assert (
        "<h1>Billing</h1>" in client.get(reverse("billing", kwargs={"account_slug": "acme"})).content.decode()
    )


def test_the_account_language_applies_inside_the_account(acme: Team) -> None:
    acme.account.language = "en"
    acme.account.save(update_fields=["language"])
    page = client_for(acme.operator).get(reverse("inbox", kwargs={"account_slug": "acme"})).content.decode()
    assert '<html lang="en">' in page
    assert "Choose a conversation." in page


def test_the_spanish_catalogue_is_complete() -> None:
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/es_AR/LC_MESSAGES/django.po"))
    assert catalogue.percent_translated() == 100, [entry.msgid for entry in catalogue.untranslated_entries()]
    assert not catalogue.fuzzy_entries(), [entry.msgid for entry in catalogue.fuzzy_entries()]
