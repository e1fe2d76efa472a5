"""The contact page, create and edit (AUD-1), opt-out and block (INB-13)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from audience.models import Contact, CustomField, Source, Tag
from inbox.models import Note
from spoter.accounts.models import InboxMode, Role
from tests.conftest import Team, client_for
from tests.inbox.page.conftest import add_message, make_conversation, make_line


def url(team: Team, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def contacts(team: Team) -> QuerySet[Contact]:
    return Contact.objects.for_account(team.account)


@pytest.fixture
def fields(acme: Team) -> list[CustomField]:
    made = [
        CustomField(account=acme.account, key="empresa", label="Empresa", position=2),
        CustomField(account=acme.account, key="cumple", label="Cumpleaños", kind="date", position=1),
        CustomField(account=acme.account, key="hijos", label="Hijos", kind="number", position=3),
        CustomField(account=acme.account, key="plan", label="Plan", kind="choice", choices=["Oro", "Plata"]),
    ]
    for field in made:
        field.save()
    return made


FORM = {
    "name": "Lucía Gómez",
    "nickname": "Lu",
    "phone": "011 15-2233-4455",
    "email": "lucia@example.com",
    "dni": "30.123.456",
}


def test_a_contact_is_created_with_a_local_phone_custom_fields_tags_and_consent(
    acme: Team, fields: list[CustomField]
) -> None:
    vip = Tag.objects.for_account(acme.account).create(account=acme.account, name="VIP")
    data = {
        **FORM,
        "field_empresa": "Acme SA",
        "field_cumple": "1990-05-17",
        "field_hijos": "2",
        "field_plan": "Oro",
        "tags": [str(vip.id)],
        "new_tags": "Feria 2026, vip",
        "consent": "on",
        "consent_source": "QR en el local",
    }
    response = client_for(acme.operator).post(url(acme, "contact_create"), data)
    contact = contacts(acme).get()
    assert response.status_code == 302
    assert response["Location"] == url(acme, "contact_detail", contact_id=contact.id)
    assert contact.phone == "+5491122334455"
    assert (contact.name, contact.nickname, contact.email, contact.dni) == (
        "Lucía Gómez",
        "Lu",
        "lucia@example.com",
        "30123456",
    )
    assert contact.custom_fields == {"empresa": "Acme SA", "cumple": "1990-05-17", "hijos": 2, "plan": "Oro"}
    assert sorted(contact.tags.for_account(acme.account).values_list("name", flat=True)) == [
        "Feria 2026",
        "VIP",
    ]  # "vip" is VIP
    assert contact.registered
    assert contact.source == Source.MANUAL
    assert contact.consent_at is not None
    assert contact.consent_source == "QR en el local"
    page = client_for(acme.operator).get(url(acme, "contact_detail", contact_id=contact.id)).content.decode()
    assert "+5491122334455" in page
    # Custom fields by their labels, in position order.
    assert page.index("Cumpleaños") < page.index("Empresa") < page.index("Hijos")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12"}, "phone", "is not a valid phone number"),
        ({"phone": ""}, "phone", ""),  # Django's own messages, in the UI's language
        ({"email": "lucia@"}, "email", ""),
        ({"dni": "12"}, "dni", "7 or 8 digits"),
        ({"field_hijos": "dos"}, "field_hijos", "must be a number"),
        ({"field_cumple": "mañana"}, "field_cumple", "must be a date"),
        ({"field_plan": "Bronce"}, "field_plan", ""),
        ({"consent": "on", "consent_source": ""}, "consent_source", "how or where"),
        ({"new_tags": "x" * 61}, "new_tags", "at most 60"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    acme: Team, fields: list[CustomField], changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(acme.operator).post(url(acme, "contact_create"), {**FORM, **changes})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not contacts(acme).exists()
    assert not Tag.objects.for_account(acme.account).exists()


def test_a_phone_another_contact_has_is_refused_with_a_link_to_that_contact(acme: Team) -> None:
    owner = contacts(acme).create(account=acme.account, name="Ana", phone="+5491122334455")
    client = client_for(acme.operator)
    response = client.post(url(acme, "contact_create"), {**FORM, "new_tags": "nueva"})
    assert response.status_code == 400
    assert url(acme, "contact_detail", contact_id=owner.id) in response.content.decode()
    assert contacts(acme).count() == 1
    assert not Tag.objects.for_account(acme.account).exists()  # the inline tag went away too
    other = contacts(acme).create(account=acme.account, name="Beto", phone="+5491199998888")
    response = client.post(url(acme, "contact_edit", contact_id=other.id), {**FORM, "name": "Beto"})
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.phone == "+5491199998888"


def test_the_same_phone_in_another_account_is_fine(acme: Team, globex: Team) -> None:
    contacts(globex).create(account=globex.account, phone="+5491122334455")
    assert client_for(acme.operator).post(url(acme, "contact_create"), FORM).status_code == 302


def test_editing_keeps_the_whatsapp_id_and_unknown_keys_and_clears_what_is_emptied(
    acme: Team, fields: list[CustomField]
) -> None:
    contact = contacts(acme).create(
        account=acme.account,
        phone="+5491100001111",
        wa_id="5491100001111",
        custom_fields={"empresa": "Vieja", "legado": "de una importación"},
        consent_source="feria",
    )
    client = client_for(acme.operator)
    form = client.get(url(acme, "contact_edit", contact_id=contact.id))
    assert form.status_code == 200
    assert "5491100001111" in form.content.decode()  # the wa_id note
    response = client.post(url(acme, "contact_edit", contact_id=contact.id), {**FORM, "field_empresa": ""})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "+5491122334455"
    assert contact.wa_id == "5491100001111"
    assert contact.custom_fields == {"legado": "de una importación"}
    assert contact.consent_at is None
    assert contact.consent_source == ""


def test_consent_keeps_its_first_date(acme: Team) -> None:
    client = client_for(acme.operator)
    client.post(url(acme, "contact_create"), {**FORM, "consent": "on", "consent_source": "web"})
    contact = contacts(acme).get()
    first = contact.consent_at
    client.post(
        url(acme, "contact_edit", contact_id=contact.id), {**FORM, "consent": "on", "consent_source": "local"}
    )
    contact.refresh_from_db()
    assert contact.consent_at == first
    assert contact.consent_source == "local"


def test_opting_out_keeps_the_first_who_and_when_and_opting_in_clears_it(acme: Team) -> None:
    contact = contacts(acme).create(account=acme.account, phone="+5491122334455")
    opt_out = url(acme, "contact_opt_out", contact_id=contact.id)
    assert client_for(acme.operator).post(opt_out, {"action": "out"}).status_code == 302
    contact.refresh_from_db()
    first = contact.opted_out_at
    assert first is not None
    assert contact.opted_out_by == acme.operator.user
    client_for(acme.supervisor).post(opt_out, {"action": "out"})
    contact.refresh_from_db()
    assert (contact.opted_out_at, contact.opted_out_by) == (first, acme.operator.user)
    page = client_for(acme.operator).get(url(acme, "contact_detail", contact_id=contact.id)).content.decode()
    assert "operator@acme.test" in page
    assert 'data-testid="opt-in"' in page
    client_for(acme.supervisor).post(opt_out, {"action": "in"})
    contact.refresh_from_db()
    assert contact.opted_out_at is None
    assert contact.opted_out_by is None
    assert client_for(acme.operator).post(opt_out, {}).status_code == 400


def test_blocking_and_unblocking_from_the_contact_page(acme: Team) -> None:
    contact = contacts(acme).create(account=acme.account, phone="+5491122334455")
    block = url(acme, "contact_block", contact_id=contact.id)
    client = client_for(acme.operator)
    assert client.post(block, {"action": "block"}).status_code == 302
    contact.refresh_from_db()
    assert contact.is_blocked
    assert contact.blocked_by == acme.operator.user
    page = client.get(url(acme, "contact_detail", contact_id=contact.id)).content.decode()
    assert 'data-testid="unblock"' in page
    client.post(block, {"action": "unblock"})
    contact.refresh_from_db()
    assert not contact.is_blocked
    assert client.post(block, {"action": "maybe"}).status_code == 400


def test_the_page_lists_notes_and_only_the_conversations_the_member_may_see(acme: Team) -> None:
    line = make_line(acme)
    mine = make_conversation(line, assignee=acme.operator)
    contact = mine.contact
    hidden = make_conversation(make_line(acme, "Soporte"))
    hidden.contact = contact
    hidden.save(update_fields=["contact"])
    add_message(mine, "hola")
    Note.objects.for_account(acme.account).create(
        account=acme.account, contact=contact, text="Paga en efectivo"
    )
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    detail = url(acme, "contact_detail", contact_id=contact.id)
    page = client_for(acme.operator).get(detail).content.decode()
    assert "Paga en efectivo" in page
    assert url(acme, "inbox_conversation", number=mine.number) in page
    assert url(acme, "inbox_conversation", number=hidden.number) not in page
    assert url(acme, "inbox_start", contact_id=contact.id) in page
    assert url(acme, "contact_data", contact_id=contact.id) not in page  # supervisors only
    page = client_for(acme.supervisor).get(detail).content.decode()
    assert url(acme, "inbox_conversation", number=hidden.number) in page
    assert url(acme, "contact_data", contact_id=contact.id) in page
    assert url(acme, "contact_delete", contact_id=contact.id) in page


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN])
def test_it_checks_ownership(acme: Team, globex: Team, role: Role) -> None:
    theirs = contacts(globex).create(account=globex.account, name="Ajeno", phone="+5491122334455")
    client = client_for(acme.member(role))
    for name in ("contact_detail", "contact_edit"):
        assert client.get(url(acme, name, contact_id=theirs.id)).status_code == 404
    for name, action in (("contact_edit", ""), ("contact_opt_out", "out"), ("contact_block", "block")):
        response = client.post(url(acme, name, contact_id=theirs.id), {**FORM, "action": action})
        assert response.status_code == 404
    assert client.get(url(acme, "contact_data", contact_id=theirs.id)).status_code in (403, 404)
    theirs.refresh_from_db()
    assert (theirs.name, theirs.opted_out_at, theirs.blocked_at) == ("Ajeno", None, None)
    # Through their own account's URLs, acme's members get nothing either.
    assert client.get(url(globex, "contact_detail", contact_id=theirs.id)).status_code == 404


def test_under_a_race_the_unique_constraint_gives_the_same_phone_error(acme: Team) -> None:
    """Someone saves the same phone between our check and our INSERT: the constraint decides."""

    def sneak_in(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('INSERT INTO "audience_contact"') and "Rival" not in str(params):
            execute(sql, _rival(params), many, context)
        return execute(sql, params, many, context)

    def _rival(params: Any) -> Any:
        return tuple("Rival" if value == "Lucía Gómez" else value for value in params)

    with connection.execute_wrapper(sneak_in):
        response = client_for(acme.operator).post(url(acme, "contact_create"), {**FORM, "new_tags": "nueva"})
    assert response.status_code == 400
    assert "Another contact already has this phone" in " ".join(response.context["form"].errors["phone"])
    assert not contacts(acme).exists()  # the rival was in our rolled-back savepoint; nothing of ours stays
    assert not Tag.objects.for_account(acme.account).exists()
