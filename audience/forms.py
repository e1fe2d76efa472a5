"""Forms of the contact pages and the custom fields settings. They read what people type;
audience.services and audience.custom_fields decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audience.custom_fields import FieldInput
from audience.fields import coerce_value
from audience.models import Contact, CustomField, FieldKind, Tag
from audience.phones import normalize_phone, validate_dni
from audience.services import ContactInput
from audience.tags import MAX_NAME
from spoter.accounts.models import Account

PREFIX = "field_"


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    nickname = forms.CharField(label=_("Nickname"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("As you would dial it, such as 011 15-2233-4455, or with + and the country code."),
    )
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    dni = forms.CharField(label=_("DNI"), max_length=20, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_tags = forms.CharField(
        label=_("New tags"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    consent = forms.BooleanField(label=_("Agreed to receive marketing messages"), required=False)
    consent_source = forms.CharField(
        label=_("How or where they agreed"),
        max_length=200,
        required=False,
        help_text=_("Such as: form at the fair, QR code at the shop, by phone."),
    )

    def __init__(self, *args: Any, account: Account, contact: Contact | None = None, **kwargs: Any) -> None:
        self.account, self.contact = account, contact
        self.custom = list(CustomField.objects.for_account(account).order_by("position", "id"))
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = _initial(contact, self.custom)
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.for_account(account)  # type: ignore[attr-defined]  # ModelMultipleChoiceField
        # A contact known only by its WhatsApp user id may stay without a phone.
        self.fields["phone"].required = contact is None or bool(contact.phone)
        for field in self.custom:
            self.fields[PREFIX + field.key] = _custom_input(field)

    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[PREFIX + field.key] for field in self.custom]

    def standard_bound_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "nickname", "phone", "email", "dni")]

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        return normalize_phone(raw, self.account.country) if raw.strip() else ""

    def clean_dni(self) -> str:
        raw = self.cleaned_data["dni"]
        return validate_dni(raw) if raw.strip() else ""

    def clean_new_tags(self) -> list[str]:
        names = [" ".join(name.split()) for name in self.cleaned_data["new_tags"].split(",")]
        names = [name for name in names if name]
        for name in names:
            if len(name) > MAX_NAME:
                raise ValidationError(
                    _("A tag has at most %(max)d characters: %(name)s") % {"max": MAX_NAME, "name": name[:20]}
                )
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent") and not data.get("consent_source", "").strip():
            self.add_error("consent_source", _("Say how or where they agreed."))
        for field in self.custom:
            name = PREFIX + field.key
            if name in data:
                try:
                    data[name] = coerce_value(field, data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def to_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            name=" ".join(data["name"].split()),
            nickname=" ".join(data["nickname"].split()),
            phone=data["phone"],
            email=data["email"].strip(),
            dni=data["dni"],
            custom_fields={field.key: data[PREFIX + field.key] for field in self.custom},
            tags=list(data["tags"]),
            new_tags=data["new_tags"],
            consent=data["consent"],
            consent_source=" ".join(data["consent_source"].split()) if data["consent"] else "",
        )


def _initial(contact: Contact, custom: list[CustomField]) -> dict[str, Any]:
    values = contact.custom_fields or {}
    initial: dict[str, Any] = {
        "name": contact.name,
        "nickname": contact.nickname,
        "phone": contact.phone,
        "email": contact.email,
        "dni": contact.dni,
        "tags": list(contact.tags.for_account(contact.account)),
        "consent": contact.consent_at is not None,
        "consent_source": contact.consent_source,
    }
    initial.update({PREFIX + field.key: values.get(field.key, "") for field in custom})
    return initial


def _custom_input(field: CustomField) -> forms.Field:
    """The typed input of a custom field; its value is checked by coerce_value in clean()."""
    common: dict[str, Any] = {"label": field.label, "required": False}
    if field.kind == FieldKind.CHOICE:
        choices = [("", "—"), *((str(choice), str(choice)) for choice in field.choices)]
        return forms.ChoiceField(choices=choices, **common)
    widgets = {
        FieldKind.NUMBER: forms.NumberInput(attrs={"step": "any"}),
        FieldKind.DATE: forms.DateInput(attrs={"type": "date"}),
    }
    return forms.CharField(max_length=1000, widget=widgets.get(FieldKind(field.kind)), **common)


class CustomFieldForm(forms.Form):
    key = forms.CharField(
        label=_("Variable"),
        max_length=100,
        help_text=_(
            "Written as {{variable}} in messages: lowercase letters, digits and _. It cannot change later."
        ),
    )
    label = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=FieldKind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the choice type: one per line."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=100000,
        initial=0,
        help_text=_("Lower numbers come first."),
    )

    def __init__(self, *args: Any, field: CustomField | None = None, **kwargs: Any) -> None:
        if field is not None and field.pk and "initial" not in kwargs:
            kwargs["initial"] = {
                "label": field.label,
                "kind": field.kind,
                "choices": "\n".join(map(str, field.choices)),
                "position": field.position,
            }
        super().__init__(*args, **kwargs)
        if field is not None and field.pk:
            del self.fields["key"]  # the variable stays what texts already use

    def to_input(self) -> FieldInput:
        data = self.cleaned_data
        return FieldInput(
            key=data.get("key", ""),
            label=data["label"],
            kind=data["kind"],
            choices=data["choices"].splitlines(),
            position=data["position"],
        )
