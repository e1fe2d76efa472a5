from __future__ import annotations

import zoneinfo
from typing import Any, cast

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import password_validation
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from spoter.accounts import services
from spoter.accounts.models import Account, InboxMode, Membership, Role

TIME_ZONES = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus the company name: one atomic step creates user and account."""

    account_name = forms.CharField(label=_("Company name"), max_length=120)

    field_order = ["account_name", "email", "password1", "password2"]

    def clean_account_name(self) -> str:
        name: str = self.cleaned_data["account_name"].strip()
        if not name:
            raise forms.ValidationError(_("Write your company's name."))
        return name

    def save(self, request: HttpRequest) -> Any:
        with transaction.atomic():
            user = super().save(request)
            services.create_account(self.cleaned_data["account_name"], user)
        return user


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.OPERATOR)
    inbox_mode = forms.ChoiceField(label=_("Inbox"), choices=InboxMode.choices, initial=InboxMode.SHARED)

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = grantable_roles(actor)


class MembershipForm(forms.Form):
    """A plain form, not a ModelForm: validating must not change the member before the service
    has checked the change against the member's current role."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    inbox_mode = forms.ChoiceField(label=_("Inbox"), choices=InboxMode.choices)
    available = forms.BooleanField(label=_("available for auto-assignment"), required=False)

    def __init__(self, *args: Any, actor: Membership, member: Membership, **kwargs: Any) -> None:
        kwargs["initial"] = {
            "role": member.role,
            "inbox_mode": member.inbox_mode,
            "available": member.available,
        }
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = grantable_roles(actor)


def grantable_roles(actor: Membership) -> list[tuple[str, str]]:
    return [(role.value, str(role.label)) for role in Role if actor.role_enum.at_least(role)]


class AccountSettingsForm(forms.ModelForm[Account]):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(zone, zone) for zone in TIME_ZONES])

    class Meta:
        model = Account
        fields = ("name", "time_zone", "language", "country", "mfa_policy")


class AcceptInvitationForm(forms.Form):
    """A new person sets the password of the user the invitation creates."""

    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
