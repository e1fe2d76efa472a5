"""The account's own contact fields (AUD-1): create, edit, delete. A field's key is the
{{variable}} of quick replies, templates and campaigns, so it is a lowercase slug, unique in
the account, and never one of the built-in variables. The key does not change after creation
(texts that use {{key}} would silently go empty); the label, the order and the type may.

Stored values must stay valid: changing the type or the choices converts every stored value
to the new definition, or, when one does not fit, refuses and says which contacts stop it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Func, JSONField, Value
from django.db.models.fields import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audience.fields import Value as Stored
from audience.fields import coerce_value
from audience.models import Contact, CustomField, FieldKind
from spoter.accounts.models import Account

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_KEY = 40
# The variables quick replies and templates fill in themselves (inbox.quick_replies).
RESERVED = frozenset({"nombre", "apellido", "operador", "telefono", "apodo", "email", "dni"})
MAX_CHOICES = 100
BATCH = 1000


@dataclass
class FieldInput:
    key: str
    label: str
    kind: str
    choices: Sequence[str] = ()
    position: int = 0


def ordered_fields(account: Account) -> list[CustomField]:
    return list(CustomField.objects.for_account(account).order_by("position", "id"))


def labelled_values(contact: Contact, fields: Iterable[CustomField]) -> list[tuple[str, str, object]]:
    """(key, label, value) of the contact's custom values: the account's fields in their order,
    then keys no field describes (an import's leftovers) under their raw key."""
    values = dict(contact.custom_fields or {})
    found = [(f.key, f.label, values.pop(f.key)) for f in fields if f.key in values]
    return found + [(key, key, value) for key, value in sorted(values.items())]


def create_field(account: Account, data: FieldInput) -> CustomField:
    field = CustomField(account=account, key=_clean_key(account, data.key))
    return _save(field, data)


def update_field(field: CustomField, data: FieldInput) -> CustomField:
    """Edit label, type, choices and position (the key stays, see the module's note)."""
    return _save(field, data)


def _clean_key(account: Account, raw: str) -> str:
    key = raw.strip()
    if not key:
        raise ValidationError({"key": _("Write the variable's name.")})
    if len(key) > MAX_KEY or not KEY.match(key):
        raise ValidationError(
            {
                "key": _(
                    "Use lowercase letters without accents, digits and _ (at most %(max)d), "
                    "starting with a letter, such as fecha_alta."
                )
                % {"max": MAX_KEY}
            }
        )
    if key in RESERVED:
        raise ValidationError(
            {"key": _("{{%(key)s}} is a built-in variable; choose another name.") % {"key": key}}
        )
    if CustomField.objects.for_account(account).filter(key=key).exists():
        raise ValidationError({"key": _taken(key)})
    return key


def _taken(key: str) -> str:
    return _("Another field already uses {{%(key)s}}.") % {"key": key}


def _save(field: CustomField, data: FieldInput) -> CustomField:
    label = " ".join(data.label.split())
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = _("Write the field's name.")
    elif len(label) > 80:
        errors["label"] = _("At most %(max)d characters.") % {"max": 80}
    if data.kind not in FieldKind.values:
        errors["kind"] = _("Choose a type.")
    choices = _clean_choices(data.choices) if data.kind == FieldKind.CHOICE else []
    if data.kind == FieldKind.CHOICE and not choices:
        errors["choices"] = _("Write the choices, one per line.")
    elif len(choices) > MAX_CHOICES:
        errors["choices"] = _("At most %(max)d choices.") % {"max": MAX_CHOICES}
    if data.position < 0:
        errors["position"] = _("Write a number from 0 up.")
    if errors:
        raise ValidationError(errors)
    old_kind, old_choices = field.kind, list(field.choices)
    field.label, field.kind, field.choices, field.position = label, data.kind, choices, data.position
    try:
        with transaction.atomic():
            if field.pk and (field.kind, field.choices) != (old_kind, old_choices):
                _convert_values(field)
            field.save()
    except IntegrityError:  # the same key saved by someone else a moment ago
        field.pk = None
        raise ValidationError(
            {"key": _("Another field already uses {{%(key)s}}.") % {"key": field.key}}
        ) from None
    except ValidationError:
        field.kind, field.choices = old_kind, old_choices
        raise
    return field


def _clean_choices(raw: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for line in raw:
        choice = " ".join(line.split())
        if choice and choice.casefold() not in seen:
            seen[choice.casefold()] = choice
    return list(seen.values())


def _convert_values(field: CustomField) -> None:
    """Rewrite every stored value under the field's new definition, or refuse (nothing is
    written then) naming how many contacts hold a value that does not fit."""
    contacts = (
        Contact.objects.for_account(field.account)
        .filter(custom_fields__has_key=field.key)
        .select_for_update(of=("self",))
        .only("id", "custom_fields")
        .order_by("id")
    )
    changed: list[Contact] = []
    misfits: list[Contact] = []
    for contact in contacts.iterator(chunk_size=BATCH):
        old = contact.custom_fields[field.key]
        try:
            new: Stored = coerce_value(field, old)
        except ValidationError:
            misfits.append(contact)
            continue
        if new != old:
            if new is None:
                del contact.custom_fields[field.key]
            else:
                contact.custom_fields[field.key] = new
            changed.append(contact)
    if misfits:
        example = misfits[0]
        value = str(example.custom_fields[field.key])[:40]
        raise ValidationError(
            {
                "kind": ngettext(
                    "%(count)d contact has a value that does not fit the new type or choices "
                    '(contact #%(id)d: "%(value)s"). Correct it first, or create a new field.',
                    "%(count)d contacts have values that do not fit the new type or choices "
                    '(such as contact #%(id)d: "%(value)s"). Correct them first, or create a new field.',
                    len(misfits),
                )
                % {
                    "count": len(misfits),
                    "id": example.id,
                    "value": value,
                }
            }
        )
    Contact.objects.for_account(field.account).bulk_update(changed, ["custom_fields"], batch_size=BATCH)


def values_count(field: CustomField) -> int:
    return Contact.objects.for_account(field.account).filter(custom_fields__has_key=field.key).count()


class _RemoveKey(Func):
    """``custom_fields - 'key'`` on PostgreSQL, json_remove() on SQLite: one UPDATE either way."""

    output_field = JSONField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            function="json_remove",
            template="%(function)s(%(expressions)s)",
            arg_joiner=", ",
            **extra,
        )


def delete_field(field: CustomField) -> int:
    """Delete the field and its values from every contact of the account; how many contacts
    had one."""
    contacts = Contact.objects.for_account(field.account).filter(custom_fields__has_key=field.key)
    if connections[contacts.db].vendor == "sqlite":
        key: Func | Value = Value(f'$."{field.key}"')  # a JSON path; keys are slugs
    else:
        key = Cast(Value(field.key), TextField())  # jsonb - text: that key, not an array index
    with transaction.atomic():
        removed = contacts.update(custom_fields=_RemoveKey(F("custom_fields"), key))
        field.delete()
    return removed
