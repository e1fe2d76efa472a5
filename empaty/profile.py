"""Personal data suggestions (EMP-2): stored from inbound messages, confirmed or rejected by
operators; a confirmed value fills the contact.

Name, nickname and DNI live on Contact; the rest on ContactProfile (a phone read in a message
is the contact's *other* phone). Every field holds one value except family and work, which
hold a list ("casado/a, con hijos"): confirming a single-valued field replaces its value and
rejects the field's other pending suggestions for that contact (the operator chose); confirming
a family or work value adds it (a marital status replaces the previous one) and leaves the rest
pending. A suggestion is never offered twice for the same contact, field and value, whatever
was decided about it (the unique constraint), so a rejected value does not come back.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from audience.models import Contact
from empaty.extraction import age_range, extract
from empaty.models import ContactProfile, ProfileField, ProfileSuggestion, SuggestionState
from inbox.models import Conversation, Direction, Message
from spoter.accounts.models import Account, Membership

CONTACT_FIELDS: dict[str, str] = {
    ProfileField.NAME: "name",
    ProfileField.NICKNAME: "nickname",
    ProfileField.DNI: "dni",
}
PROFILE_FIELDS: dict[str, str] = {
    ProfileField.PHONE: "other_phone",
    ProfileField.AGE: "age",
    ProfileField.AGE_RANGE: "age_range",
    ProfileField.RESIDENCE: "residence",
    ProfileField.FAMILY: "family",
    ProfileField.WORK: "work",
    ProfileField.INCOME: "income",
}
LENGTHS = {"name": 200, "nickname": 100, "dni": 8}  # Contact's columns
LISTS = {ProfileField.FAMILY, ProfileField.WORK}
MARITAL = {"casado/a", "soltero/a", "divorciado/a", "separado/a", "viudo/a", "en pareja"}
READ_TYPES = {"text", "image", "video", "document"}  # a body or a caption the customer wrote


class AlreadyDecidedError(Exception):
    """The suggestion was confirmed or rejected before (by someone else, or a second click)."""


def suggest_from(account: Account, messages: Sequence[Message]) -> int:
    """Store the personal data read in ``account``'s inbound ``messages`` as pending suggestions
    for their contacts, leaving out what the contact already has; how many were new. Cheap (regexes
    and three queries) and safe to run twice over the same messages."""
    inbound = [
        message
        for message in messages
        if message.account_id == account.id
        and message.direction == Direction.INBOUND
        and message.type in READ_TYPES
        and message.text
    ]
    if not inbound:
        return 0
    contact_of = dict(
        Conversation.objects.for_account(account)
        .filter(id__in={message.conversation_id for message in inbound})
        .values_list("id", "contact_id")
    )
    contacts = Contact.objects.for_account(account).filter(id__in=set(contact_of.values()))
    known = {contact.id: known_values(contact) for contact in contacts.select_related("empaty_profile")}
    offered = set(
        ProfileSuggestion.objects.for_account(account)
        .filter(contact_id__in=known)
        .values_list("contact_id", "field", "value")
    )
    new: dict[tuple[int, str, str], ProfileSuggestion] = {}
    for message in inbound:
        contact_id = contact_of.get(message.conversation_id)
        if contact_id not in known:
            continue
        for found in extract(message.text):
            key = (contact_id, found.field, found.value)
            if key in offered or key in new or found.value in known[contact_id].get(found.field, set()):
                continue
            new[key] = ProfileSuggestion(
                account=account,
                contact_id=contact_id,
                message=message,
                field=found.field,
                value=found.value[:200],
                excerpt=found.excerpt[:200],
            )
    ProfileSuggestion.objects.for_account(account).bulk_create(new.values(), ignore_conflicts=True)
    return len(new)


def known_values(contact: Contact) -> dict[str, set[str]]:
    """What the contact already has, per field, as suggestion values."""
    values = {field: {getattr(contact, column)} for field, column in CONTACT_FIELDS.items()}
    values[ProfileField.PHONE] = {contact.phone}
    profile = getattr(contact, "empaty_profile", None)
    if profile is not None:
        for field, column in PROFILE_FIELDS.items():
            current = str(getattr(profile, column) or "")
            values.setdefault(field, set()).update(_split(current) if field in LISTS else {current})
    return {field: found - {""} for field, found in values.items()}


def confirm(suggestion: ProfileSuggestion, by: Membership) -> ProfileSuggestion:
    """Fill the contact's field with the suggestion's value and mark it confirmed."""
    _check_account(suggestion, by)
    with transaction.atomic():
        _decide(suggestion, SuggestionState.CONFIRMED, by)
        contact = Contact.objects.for_account(by.account).select_for_update().get(id=suggestion.contact_id)
        field, value = suggestion.field, suggestion.value
        if field in CONTACT_FIELDS:
            column = CONTACT_FIELDS[field]
            setattr(contact, column, value[: LENGTHS[column]])
            contact.save(update_fields=[column])
        else:
            _fill_profile(contact, field, value)
        if field not in LISTS:
            same = [field, ProfileField.AGE_RANGE] if field == ProfileField.AGE else [field]
            pending = ProfileSuggestion.objects.for_account(by.account).filter(
                contact=contact, field__in=same, state=SuggestionState.PENDING
            )
            # The age's own range goes with it; any other pending value of the field is set aside.
            if field == ProfileField.AGE:
                pending.filter(field=ProfileField.AGE_RANGE, value=age_range(int(value))).update(
                    state=SuggestionState.CONFIRMED, decided_by=by, decided_at=timezone.now()
                )
            pending.update(state=SuggestionState.REJECTED, decided_by=by, decided_at=timezone.now())
    return suggestion


def reject(suggestion: ProfileSuggestion, by: Membership) -> ProfileSuggestion:
    _check_account(suggestion, by)
    with transaction.atomic():
        _decide(suggestion, SuggestionState.REJECTED, by)
    return suggestion


def _check_account(suggestion: ProfileSuggestion, by: Membership) -> None:
    if suggestion.account_id != by.account_id:
        raise ProfileSuggestion.DoesNotExist


def _decide(suggestion: ProfileSuggestion, state: str, by: Membership) -> None:
    """Compare-and-set from pending, so two operators' clicks decide once."""
    now = timezone.now()
    changed = (
        ProfileSuggestion.objects.for_account(by.account)
        .filter(id=suggestion.id, state=SuggestionState.PENDING)
        .update(state=state, decided_by=by, decided_at=now)
    )
    if not changed:
        raise AlreadyDecidedError
    suggestion.state, suggestion.decided_by, suggestion.decided_at = state, by, now


def _fill_profile(contact: Contact, field: str, value: str) -> None:
    profile, _ = ContactProfile.objects.for_account(contact.account).get_or_create(
        account=contact.account, contact=contact
    )
    column = PROFILE_FIELDS[field]
    changed = [column, "updated_at"]
    if field == ProfileField.AGE:
        profile.age = int(value)
        profile.age_range = age_range(profile.age)
        changed.append("age_range")
    elif field == ProfileField.AGE_RANGE:
        profile.age_range = value
        if profile.age is not None and age_range(profile.age) != value:
            profile.age = None  # an age outside the confirmed range is no longer believed
            changed.append("age")
    elif field in LISTS:
        kept = [
            item for item in _split(getattr(profile, column)) if not (value in MARITAL and item in MARITAL)
        ]
        setattr(profile, column, ", ".join(dict.fromkeys([*kept, value]))[:120])
    else:
        setattr(profile, column, value[:120])
    profile.updated_at = timezone.now()
    profile.save(update_fields=changed)


def _split(values: str) -> list[str]:
    return [item.strip() for item in values.split(",") if item.strip()]
