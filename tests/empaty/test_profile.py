"""Detected personal data (EMP-2): suggestions stored from inbound messages, confirmed or
rejected on the contact page, and who may see and decide them."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from audience.models import Contact
from empaty.models import ContactProfile, ProfileSuggestion, SuggestionState
from empaty.profile import AlreadyDecidedError, confirm, reject, suggest_from
from inbox.conversations import current_conversation
from inbox.models import Conversation, Initiator, Message
from spoter.accounts.models import InboxMode
from tests.conftest import Team, client_for


def chat(team: Team, phone: str = "+5491122334455") -> Conversation:
    account = team.account
    line = account.lines.first() or account.lines.create(
        name="Ventas", provider="sandbox", display_number="+5491100000009"
    )
    contact = Contact.objects.for_account(account).create(account=account, phone=phone, registered=True)
    with transaction.atomic():
        return current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)


def say(conversation: Conversation, text: str, direction: str = "in") -> Message:
    return Message.objects.for_account(conversation.account).create(
        account=conversation.account,
        conversation=conversation,
        line=conversation.line,
        direction=direction,
        text=text,
        status="received" if direction == "in" else "sent",
    )


def pending(contact: Contact) -> set[tuple[str, str]]:
    return set(
        ProfileSuggestion.objects.for_account(contact.account)
        .filter(contact=contact, state=SuggestionState.PENDING)
        .values_list("field", "value")
    )


def test_inbound_messages_become_suggestions_once(acme: Team) -> None:
    conversation = chat(acme)
    messages = [
        say(conversation, "Hola, me llamo Laura y vivo en Rosario"),
        say(conversation, "¿Vivís en Rosario? Te paso mi cel: 11 5555-6666", direction="out"),
        say(conversation, "tengo 35 años. vivo en Rosario"),
    ]
    assert suggest_from(acme.account, messages) == 4
    assert suggest_from(acme.account, messages) == 0  # read twice, stored once
    assert pending(conversation.contact) == {
        ("name", "Laura"),
        ("residence", "Rosario"),
        ("age", "35"),
        ("age_range", "30-39"),
    }
    residence = ProfileSuggestion.objects.for_account(acme.account).get(field="residence")
    assert (residence.message, residence.excerpt) == (messages[0], "vivo en Rosario")


def test_what_the_contact_already_has_is_not_suggested(acme: Team) -> None:
    conversation = chat(acme, phone="+5491155556666")
    contact = conversation.contact
    contact.name, contact.dni = "Laura", "30123456"
    contact.save(update_fields=["name", "dni"])
    ContactProfile.objects.for_account(acme.account).create(
        account=acme.account, contact=contact, family="casado/a, con hijos"
    )
    text = "me llamo Laura, dni 30.123.456, mi cel es 11 5555-6666, estoy casada y tengo 2 hijos"
    assert suggest_from(acme.account, [say(conversation, text)]) == 0


def test_another_accounts_messages_are_ignored(acme: Team, globex: Team) -> None:
    message = say(chat(globex), "me llamo Laura")
    assert suggest_from(acme.account, [message]) == 0
    assert not ProfileSuggestion.objects.unscoped().exists()


def test_confirming_fills_the_contact_and_settles_the_field(acme: Team) -> None:
    conversation = chat(acme)
    contact = conversation.contact
    suggest_from(
        acme.account,
        [say(conversation, "me llamo Laura. tengo 35 años"), say(conversation, "Mi nombre es Lorena")],
    )
    suggestions = ProfileSuggestion.objects.for_account(acme.account)
    confirm(suggestions.get(field="name", value="Lorena"), by=acme.operator)
    confirm(suggestions.get(field="age"), by=acme.operator)
    contact.refresh_from_db()
    assert contact.name == "Lorena"
    states = dict(suggestions.values_list("value", "state"))
    assert states == {"Lorena": "confirmed", "Laura": "rejected", "35": "confirmed", "30-39": "confirmed"}
    profile = ContactProfile.objects.for_account(acme.account).get(contact=contact)
    assert (profile.age, profile.age_range) == (35, "30-39")
    assert suggestions.get(value="Lorena").decided_by == acme.operator


def test_family_and_work_keep_several_values(acme: Team) -> None:
    conversation = chat(acme)
    suggest_from(
        acme.account, [say(conversation, "estoy casada, tengo 2 hijos, soy docente. estoy estudiando")]
    )
    suggestions = ProfileSuggestion.objects.for_account(acme.account)
    for suggestion in suggestions.filter(field__in=["family", "work"]):
        confirm(suggestion, by=acme.operator)
    suggest_from(acme.account, [say(conversation, "me divorcié el año pasado")])
    confirm(suggestions.get(value="divorciado/a"), by=acme.operator)
    profile = ContactProfile.objects.for_account(acme.account).get(contact=conversation.contact)
    assert profile.family == "con hijos, divorciado/a"
    assert set(profile.work.split(", ")) == {"docente", "estudiante"}


def test_a_phone_and_a_dni_go_where_they_belong(acme: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "mi otro cel es 0351 15 555 1234 y mi DNI 30.123.456")])
    for suggestion in ProfileSuggestion.objects.for_account(acme.account):
        confirm(suggestion, by=acme.supervisor)
    contact = Contact.objects.for_account(acme.account).get(id=conversation.contact_id)
    assert contact.dni == "30123456"
    assert (
        ContactProfile.objects.for_account(acme.account).get(contact=contact).other_phone == "+5493515551234"
    )
    assert contact.phone == "+5491122334455"


def test_a_decision_is_taken_once(acme: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "soy de Salta")])
    suggestion = ProfileSuggestion.objects.for_account(acme.account).get()
    reject(suggestion, by=acme.operator)
    with pytest.raises(AlreadyDecidedError):
        confirm(ProfileSuggestion.objects.for_account(acme.account).get(), by=acme.admin)
    assert not ContactProfile.objects.for_account(acme.account).exists()
    # A rejected value is not offered again.
    assert suggest_from(acme.account, [say(conversation, "soy de Salta")]) == 0


def test_services_refuse_another_accounts_member(acme: Team, globex: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "soy de Salta")])
    suggestion = ProfileSuggestion.objects.for_account(acme.account).get()
    with pytest.raises(ProfileSuggestion.DoesNotExist):
        confirm(suggestion, by=globex.admin)
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.PENDING


def card_url(team: Team, contact: Contact) -> str:
    return reverse("empaty_profile", args=[team.account.slug, contact.id])


def decide_url(team: Team, suggestion: ProfileSuggestion) -> str:
    return reverse("empaty_profile_decide", args=[team.account.slug, suggestion.id])


@pytest.mark.usefixtures("english")
def test_the_card_shows_and_decides(acme: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "Hola, soy Juan, de Rosario")])
    client = client_for(acme.operator)
    page = client.get(card_url(acme, conversation.contact)).content.decode()
    assert "Detected personal data" in page
    assert "Hola, soy Juan" not in page  # only the words the datum came from
    assert "soy Juan" in page
    assert "Rosario" in page
    assert reverse("inbox_conversation", args=[acme.account.slug, conversation.number]) in page
    name = ProfileSuggestion.objects.for_account(acme.account).get(field="name")
    response = client.post(decide_url(acme, name), {"action": "confirm"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-field="name"' not in response.content.decode()
    assert Contact.objects.for_account(acme.account).get(id=conversation.contact_id).name == "Juan"
    residence = ProfileSuggestion.objects.for_account(acme.account).get(field="residence")
    response = client.post(decide_url(acme, residence), {"action": "reject"})
    assert response.status_code == 200
    residence.refresh_from_db()
    assert residence.state == SuggestionState.REJECTED
    again = client.post(decide_url(acme, residence), {"action": "confirm"})
    assert again.status_code == 400
    assert client.post(decide_url(acme, name), {}).status_code == 400


@pytest.mark.usefixtures("english")
def test_confirmed_values_are_listed(acme: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "vivo en Neuquén")])
    confirm(ProfileSuggestion.objects.for_account(acme.account).get(), by=acme.operator)
    page = client_for(acme.operator).get(card_url(acme, conversation.contact)).content.decode()
    assert 'data-testid="confirmed-profile"' in page
    assert "Neuquén" in page


def test_a_private_inbox_operator_sees_only_their_chats_words(acme: Team) -> None:
    acme.operator.inbox_mode = InboxMode.PRIVATE
    acme.operator.save(update_fields=["inbox_mode"])
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "soy de Salta")])
    suggestion = ProfileSuggestion.objects.for_account(acme.account).get()
    client = client_for(acme.operator)
    assert "Salta" not in client.get(card_url(acme, conversation.contact)).content.decode()
    assert client.post(decide_url(acme, suggestion), {"action": "confirm"}).status_code == 404
    conversation.assignee = acme.operator
    conversation.save(update_fields=["assignee"])
    assert "Salta" in client.get(card_url(acme, conversation.contact)).content.decode()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    conversation = chat(acme)
    suggest_from(acme.account, [say(conversation, "soy de Salta")])
    suggestion = ProfileSuggestion.objects.for_account(acme.account).get()
    outsider = client_for(globex.admin)
    assert outsider.get(card_url(acme, conversation.contact)).status_code == 404
    # Acme's ids under globex's own URL: not found either.
    assert outsider.get(card_url(globex, conversation.contact)).status_code == 404
    assert outsider.post(decide_url(globex, suggestion), {"action": "confirm"}).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.PENDING
