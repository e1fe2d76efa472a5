"""Custom contact fields (AUD-1): the settings pages, the rules on keys, type changes that keep
stored values valid, deletion, and their use as {{variables}}."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audience.models import Contact, CustomField
from inbox.quick_replies import render_quick_reply
from spoter.accounts.models import Role
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import make_conversation, make_line


def url(team: Team, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def field_data(**changes: object) -> dict[str, object]:
    return {"key": "empresa", "label": "Empresa", "kind": "text", "choices": "", "position": "1", **changes}


def add_contact(team: Team, phone: str, **values: object) -> Contact:
    return Contact.objects.for_account(team.account).create(
        account=team.account, phone=phone, custom_fields=values
    )


def test_a_supervisor_adds_fields_and_they_are_listed_by_position(acme: Team) -> None:
    client = client_for(acme.supervisor)
    assert client.post(url(acme, "settings_fields"), field_data(position="5")).status_code == 302
    response = client.post(
        url(acme, "settings_fields"),
        field_data(key="plan", label="Plan", kind="choice", choices="Oro\n\nPlata\noro\n", position="2"),
    )
    assert response.status_code == 302
    plan = CustomField.objects.for_account(acme.account).get(key="plan")
    assert plan.choices == ["Oro", "Plata"]  # blank lines and repeats dropped
    page = client.get(url(acme, "settings_fields")).content.decode()
    assert page.index('data-testid="field-plan"') < page.index('data-testid="field-empresa"')
    assert "{{empresa}}" in page
    settings_page = client.get(url(acme, "account_settings")).content.decode()
    assert url(acme, "settings_fields") in settings_page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"key": "Empresa"}, "key", "lowercase"),
        ({"key": "fecha alta"}, "key", "lowercase"),
        ({"key": "1dato"}, "key", "lowercase"),
        ({"key": "año"}, "key", "lowercase"),
        ({"key": "x" * 41}, "key", "lowercase"),
        ({"key": "nombre"}, "key", "built-in variable"),
        ({"key": "apodo"}, "key", "built-in variable"),
        ({"key": "dni"}, "key", "built-in variable"),
        ({"key": "existente"}, "key", "already uses"),
        ({"label": "  "}, "label", ""),  # Django's own messages, in the UI's language
        ({"kind": "color"}, "kind", ""),
        ({"kind": "choice", "choices": "\n "}, "choices", "one per line"),
        ({"position": "-1"}, "position", ""),
    ],
)
def test_bad_fields_are_refused_with_a_clear_error(
    acme: Team, changes: dict[str, str], field: str, message: str
) -> None:
    CustomField.objects.for_account(acme.account).create(account=acme.account, key="existente", label="X")
    response = client_for(acme.supervisor).post(url(acme, "settings_fields"), field_data(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert CustomField.objects.for_account(acme.account).count() == 1


def test_a_key_used_in_another_account_is_free(acme: Team, globex: Team) -> None:
    CustomField.objects.for_account(globex.account).create(account=globex.account, key="empresa", label="E")
    assert client_for(acme.admin).post(url(acme, "settings_fields"), field_data()).status_code == 302


def test_changing_the_type_converts_values_that_fit(acme: Team) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="hijos", label="Hijos"
    )
    one = add_contact(acme, "+5491100000001", hijos="2", otro="x")
    two = add_contact(acme, "+5491100000002", hijos="1.234,5")
    response = client_for(acme.supervisor).post(
        url(acme, "settings_field", field_id=field.id), field_data(label="Cantidad de hijos", kind="number")
    )
    assert response.status_code == 302
    field.refresh_from_db()
    assert (field.label, field.kind, field.key) == ("Cantidad de hijos", "number", "hijos")
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.custom_fields == {"hijos": 2, "otro": "x"}
    assert two.custom_fields == {"hijos": 1234.5}


def test_a_type_change_that_would_corrupt_values_is_refused_and_changes_nothing(acme: Team) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="plan", label="Plan", kind="choice", choices=["Oro", "Plata"]
    )
    fits = add_contact(acme, "+5491100000001", plan="Oro")
    misfit = add_contact(acme, "+5491100000002", plan="Plata")
    client = client_for(acme.supervisor)
    response = client.post(
        url(acme, "settings_field", field_id=field.id),
        field_data(label="Plan", kind="choice", choices="Oro\nBronce"),
    )
    assert response.status_code == 400
    error = " ".join(response.context["form"].errors["kind"])
    assert f"contact #{misfit.id}" in error
    assert "Plata" in error
    response = client.post(url(acme, "settings_field", field_id=field.id), field_data(kind="number"))
    assert response.status_code == 400
    assert "2 contacts" in " ".join(response.context["form"].errors["kind"])
    field.refresh_from_db()
    assert (field.kind, field.choices) == ("choice", ["Oro", "Plata"])
    fits.refresh_from_db()
    assert fits.custom_fields == {"plan": "Oro"}


def test_the_key_does_not_change_on_edit(acme: Team) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="empresa", label="E"
    )
    client_for(acme.supervisor).post(url(acme, "settings_field", field_id=field.id), field_data(key="otra"))
    field.refresh_from_db()
    assert field.key == "empresa"


def test_deleting_asks_first_then_removes_the_values_of_that_field_only(acme: Team, globex: Team) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="empresa", label="E"
    )
    holder = add_contact(acme, "+5491100000001", empresa="Acme SA", plan="Oro")
    bystander = add_contact(acme, "+5491100000002", plan="Plata")
    foreign = add_contact(globex, "+5491100000001", empresa="Globex SA")
    client = client_for(acme.supervisor)
    delete = url(acme, "settings_field_delete", field_id=field.id)
    confirm = client.get(delete)
    assert confirm.status_code == 200
    assert confirm.context["count"] == 1
    assert "{{empresa}}" in confirm.content.decode()
    assert client.post(delete).status_code == 200  # no confirmation: it asks again
    assert CustomField.objects.for_account(acme.account).filter(id=field.id).exists()
    assert client.post(delete, {"confirm": "yes"}).status_code == 302
    assert not CustomField.objects.for_account(acme.account).exists()
    for contact in (holder, bystander, foreign):
        contact.refresh_from_db()
    assert holder.custom_fields == {"plan": "Oro"}
    assert bystander.custom_fields == {"plan": "Plata"}
    assert foreign.custom_fields == {"empresa": "Globex SA"}


def test_a_quick_reply_uses_a_field_made_on_the_settings_page(acme: Team) -> None:
    client_for(acme.supervisor).post(url(acme, "settings_fields"), field_data(key="empresa"))
    contact = add_contact(acme, "+5491100000001", empresa="Acme SA")
    contact.name, contact.nickname, contact.email = "Lucía Gómez", "Lu", "lu@example.com"
    contact.save(update_fields=["name", "nickname", "email"])
    text = render_quick_reply(
        "Hola {{apodo}} de {{ empresa }}, te escribimos a {{email}}", contact, acme.operator
    )
    assert text == "Hola Lu de Acme SA, te escribimos a lu@example.com"


def test_the_inbox_panel_shows_labels_and_links_the_contact_page(acme: Team) -> None:
    CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="empresa", label="Razón social"
    )
    conversation = make_conversation(make_line(acme))
    contact = conversation.contact
    contact.custom_fields = {"empresa": "Acme SA", "suelto": "sin campo"}
    contact.save(update_fields=["custom_fields"])
    panel = url(acme, "inbox_panel", number=conversation.number)
    page = client_for(acme.operator).get(panel).content.decode()
    assert "Razón social" in page
    assert "Acme SA" in page
    assert "suelto" in page  # a key without a field still shows, by its key
    assert url(acme, "contact_detail", contact_id=contact.id) in page


@pytest.mark.parametrize("name", ["settings_fields", "settings_field", "settings_field_delete"])
def test_operators_may_not_configure_fields(acme: Team, name: str) -> None:
    field = CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="empresa", label="E"
    )
    kwargs = {} if name == "settings_fields" else {"field_id": field.id}
    client = client_for(acme.member(Role.OPERATOR))
    assert client.get(url(acme, name, **kwargs)).status_code == 403
    assert (
        client.post(url(acme, name, **kwargs), {**field_data(key="otro"), "confirm": "yes"}).status_code
        == 403
    )
    assert CustomField.objects.for_account(acme.account).count() == 1


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = CustomField.objects.for_account(globex.account).create(
        account=globex.account, key="empresa", label="Empresa"
    )
    add_contact(globex, "+5491100000001", empresa="Globex SA")
    client = client_for(acme.admin)
    for name in ("settings_field", "settings_field_delete"):
        assert client.get(url(acme, name, field_id=theirs.id)).status_code == 404
    assert (
        client.post(url(acme, "settings_field", field_id=theirs.id), field_data(label="X")).status_code == 404
    )
    assert (
        client.post(url(acme, "settings_field_delete", field_id=theirs.id), {"confirm": "yes"}).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.label == "Empresa"
    assert "Empresa" not in client.get(url(acme, "settings_fields")).content.decode()
