"""Settings > API keys: admins create a key (shown once), see when it was last used, revoke it."""

from __future__ import annotations

from django.urls import reverse

from inbox.api.keys import create_api_key
from inbox.models import ApiKey
from tests.conftest import Team, client_for
from tests.inbox.api.helpers import api_client


def keys_url(team: Team) -> str:
    return reverse("settings_api_keys", kwargs={"account_slug": team.account.slug})


def revoke_url(team: Team, key: ApiKey) -> str:
    return reverse("settings_api_key_revoke", kwargs={"account_slug": team.account.slug, "key_id": key.id})


def test_an_admin_creates_a_key_that_is_shown_once(acme: Team) -> None:
    client = client_for(acme.admin)
    response = client.post(keys_url(acme), {"name": "CRM"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.for_account(acme.account).get()
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    assert (key.name, key.created_by) == ("CRM", acme.admin.user)
    assert api_client(raw).get("/api/v1/conversations/").status_code == 200

    listing = client.get(keys_url(acme)).content.decode()
    assert key.prefix in listing
    assert raw not in listing


def test_a_name_is_required(acme: Team) -> None:
    response = client_for(acme.admin).post(keys_url(acme), {"name": ""})
    assert response.status_code == 400
    assert not ApiKey.objects.for_account(acme.account).exists()


def test_an_admin_revokes_a_key(acme: Team) -> None:
    key, raw = create_api_key(acme.account, "CRM")
    response = client_for(acme.admin).post(revoke_url(acme, key))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert api_client(raw).get("/api/v1/conversations/").status_code == 401
    assert client_for(acme.admin).post(revoke_url(acme, key)).status_code == 302  # again: no change


def test_only_admins_manage_keys(acme: Team) -> None:
    key, _raw = create_api_key(acme.account, "CRM")
    for member in (acme.supervisor, acme.operator):
        client = client_for(member)
        assert client.get(keys_url(acme)).status_code == 403
        assert client.post(revoke_url(acme, key)).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs, _raw = create_api_key(globex.account, "Their CRM")
    client = client_for(acme.admin)
    assert client.post(revoke_url(acme, theirs)).status_code == 404
    assert "Their CRM" not in client.get(keys_url(acme)).content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_account_settings_link_admins_to_the_keys(acme: Team) -> None:
    settings_url = reverse("account_settings", kwargs={"account_slug": acme.account.slug})
    assert keys_url(acme) in client_for(acme.admin).get(settings_url).content.decode()
    assert keys_url(acme) not in client_for(acme.supervisor).get(settings_url).content.decode()
