"""What an account's admin types to authorise a bank debit (BIL-3): checked here, written by
billing.mandates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.validators import normalise, validate_cbu, validate_cuit


class MandateForm(forms.Form):
    cbu = forms.CharField(
        label=_("CBU"),
        max_length=40,
        validators=[validate_cbu],
        help_text=_("The 22 digits of the bank account to debit."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    business_name = forms.CharField(
        label=_("Business name (razón social)"),
        max_length=200,
        help_text=_("Of the bank account's owner."),
    )
    cuit = forms.CharField(
        label=_("CUIT"),
        max_length=20,
        validators=[validate_cuit],
        help_text=_("Of the bank account's owner, as in 30-12345678-1."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    holder = forms.CharField(label=_("Account holder's name"), max_length=200)

    def clean_cbu(self) -> str:
        return normalise(self.cleaned_data["cbu"])

    def clean_cuit(self) -> str:
        return normalise(self.cleaned_data["cuit"])
