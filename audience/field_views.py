"""Settings: the account's custom contact fields (AUD-1), kept by supervisors and admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audience import custom_fields
from audience.forms import CustomFieldForm
from audience.models import CustomField
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


def _get(request: AccountRequest, field_id: int) -> CustomField:
    found = CustomField.objects.for_account(request.account).filter(id=field_id).first()
    if found is None:
        raise Http404
    return found


@require_role(Role.SUPERVISOR)
def fields(request: AccountRequest, account_slug: str) -> HttpResponse:
    """The list, and the form that adds a field."""
    form = CustomFieldForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            field = custom_fields.create_field(request.account, form.to_input())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Field %(label)s added.") % {"label": field.label})
            return redirect("settings_fields", account_slug=account_slug)
    return render(
        request,
        "audience/fields.html",
        {"fields": custom_fields.ordered_fields(request.account), "form": form},
        status=400 if form.errors else 200,
    )


@require_role(Role.SUPERVISOR)
def field_edit(request: AccountRequest, account_slug: str, field_id: int) -> HttpResponse:
    field = _get(request, field_id)
    form = CustomFieldForm(request.POST if request.method == "POST" else None, field=field)
    if form.is_valid():
        try:
            custom_fields.update_field(field, form.to_input())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Field %(label)s saved.") % {"label": field.label})
            return redirect("settings_fields", account_slug=account_slug)
    field.refresh_from_db()
    return render(
        request,
        "audience/fields_edit.html",
        {"field": field, "form": form},
        status=400 if form.errors else 200,
    )


@require_role(Role.SUPERVISOR)
def field_delete(request: AccountRequest, account_slug: str, field_id: int) -> HttpResponse:
    """GET, or a POST without ``confirm``, asks first, saying how many contacts lose a value."""
    field = _get(request, field_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        removed = custom_fields.delete_field(field)
        text = ngettext(
            "Field %(label)s deleted, with its value on %(count)d contact.",
            "Field %(label)s deleted, with its values on %(count)d contacts.",
            removed,
        )
        messages.success(request, text % {"label": field.label, "count": removed})
        return redirect("settings_fields", account_slug=account_slug)
    return render(
        request,
        "audience/fields_delete.html",
        {
            "field": field,
            "count": custom_fields.values_count(field),
            "variable": "{{%s}}" % field.key,  # noqa: UP031  # braces would need doubling in format()
        },
    )
