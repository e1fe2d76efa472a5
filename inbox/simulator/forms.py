from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inbox.simulator.models import SimNumber


class StartChatForm(forms.Form):
    number = forms.ModelChoiceField(
        label=_("Business number"), queryset=SimNumber.objects.all(), to_field_name="phone_number_id"
    )
    phone = forms.CharField(
        label=_("Your phone number"), max_length=24, help_text=_("With country code, e.g. +54 9 11 5555 0101")
    )
    name = forms.CharField(label=_("Your name"), max_length=120, required=False)

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not 8 <= len(digits) <= 15 or any(ch not in "+0123456789 -()" for ch in phone):
            raise forms.ValidationError(_("Enter a phone number with its country code, 8 to 15 digits."))
        return digits


class ComposeForm(forms.Form):
    text = forms.CharField(label=_("Message"), max_length=4096, required=False)
    file = forms.FileField(label=_("Photo or document"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text", "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Write a message or attach a file."))
        return data


class TapForm(forms.Form):
    kind = forms.ChoiceField(choices=[("button", "button"), ("row", "row"), ("quick_reply", "quick_reply")])
    value = forms.CharField(max_length=256)
