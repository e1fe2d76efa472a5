"""Account pages: choosing an account, settings, the team, and accepting invitations."""

from __future__ import annotations

import copy
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from spoter.accounts import services
from spoter.accounts.access import AccountRequest, get_invitation, get_member, require_role
from spoter.accounts.forms import AcceptInvitationForm, AccountSettingsForm, InviteForm, MembershipForm
from spoter.accounts.models import Membership, Role, User


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("account_chooser")
    return render(request, "accounts/landing.html")


@login_required
def account_chooser(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.for_user(request.user).select_related("account").order_by("account__name")
    )
    if len(memberships) == 1:
        return redirect("inbox", account_slug=memberships[0].account.slug)
    return render(request, "accounts/chooser.html", {"memberships": memberships})


@require_role(Role.OPERATOR)
def account_home(request: AccountRequest, account_slug: str) -> HttpResponse:
    return redirect("inbox", account_slug=account_slug)


def coming(title: StrOrPromise, role: Role) -> Callable[..., HttpResponse]:
    """A page whose feature lands with a later issue; it still checks account and role."""

    @require_role(role)
    def view(request: AccountRequest, account_slug: str) -> HttpResponse:
        return render(request, "accounts/coming.html", {"title": title})

    return view


@require_role(Role.SUPERVISOR, write=Role.ADMIN)
def account_settings(request: AccountRequest, account_slug: str) -> HttpResponse:
    can_edit = request.membership.role_enum.at_least(Role.ADMIN)
    # Validated on a copy: a refused change must not show in the page's header as if it were made.
    form = AccountSettingsForm(request.POST or None, instance=copy.copy(request.account))
    if request.method == "POST" and form.is_valid():
        services.update_account(request.account, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("account_settings", account_slug=account_slug)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "accounts/settings.html", {"form": form, "can_edit": can_edit})


@require_role(Role.SUPERVISOR)
def team(request: AccountRequest, account_slug: str) -> HttpResponse:
    actor = request.membership
    form = InviteForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                request.account,
                actor,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                form.cleaned_data["inbox_mode"],
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("team", account_slug=account_slug)
    members = request.account.memberships.select_related("user").order_by("-is_active", "user__email")
    invitations = request.account.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(
        request,
        "accounts/team.html",
        {"form": form, "members": members, "invitations": invitations},
        status=400 if form.errors else 200,
    )


@require_role(Role.SUPERVISOR)
def member_edit(request: AccountRequest, account_slug: str, member_id: int) -> HttpResponse:
    member = get_member(request.account, member_id)
    form = MembershipForm(request.POST or None, actor=request.membership, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership(
                request.membership,
                member,
                role=form.cleaned_data["role"],
                inbox_mode=form.cleaned_data["inbox_mode"],
                available=form.cleaned_data["available"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved for %(user)s.") % {"user": member.user})
            return redirect("team", account_slug=account_slug)
    status = 400 if form.errors else 200
    return render(request, "accounts/member_edit.html", {"form": form, "member": member}, status=status)


ACTIVE_MESSAGES = {
    True: gettext_lazy("%(user)s can work in the account again."),
    False: gettext_lazy("%(user)s was deactivated and can no longer enter the account."),
}


def _team_action(request: AccountRequest, action: Callable[[], object], success: str) -> HttpResponse:
    """Run one team service; its ValidationError becomes the error message, else ``success``."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("team", account_slug=request.account.slug)


@require_POST
@require_role(Role.SUPERVISOR)
def member_set_active(request: AccountRequest, account_slug: str, member_id: int) -> HttpResponse:
    member = get_member(request.account, member_id)
    active = request.POST.get("active") == "1"
    return _team_action(
        request,
        lambda: services.set_active(request.membership, member, active),
        ACTIVE_MESSAGES[active] % {"user": member.user},
    )


@require_POST
@require_role(Role.SUPERVISOR)
def member_password_reset(request: AccountRequest, account_slug: str, member_id: int) -> HttpResponse:
    member = get_member(request.account, member_id)
    return _team_action(
        request,
        lambda: services.send_password_reset(request, request.membership, member),
        _("A password reset link was emailed to %(email)s.") % {"email": member.user.email},
    )


@require_POST
@require_role(Role.SUPERVISOR)
def invitation_revoke(request: AccountRequest, account_slug: str, invitation_id: int) -> HttpResponse:
    invitation = get_invitation(request.account, invitation_id)
    return _team_action(
        request,
        lambda: services.revoke_invitation(request.membership, invitation),
        _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
    )


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the invitation email: set a password (new person) or join (known one)."""
    try:
        invitation = services.find_invitation(token)
    except ValidationError as error:
        return _invalid_invitation(request, error)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = AcceptInvitationForm(request.POST or None)
    context = {"invitation": invitation, "form": form, "existing": existing}
    if existing is not None:
        if request.user.is_authenticated and request.user.pk == existing.pk and request.method == "POST":
            return _joined(request, lambda: services.accept_invitation(invitation, existing))
        return render(request, "accounts/invitation_accept.html", context)
    if request.method == "POST" and form.is_valid():
        return _joined(
            request,
            lambda: services.accept_invitation_as_new_user(invitation, form.cleaned_data["password1"]),
        )
    return render(request, "accounts/invitation_accept.html", context, status=400 if form.errors else 200)


def _invalid_invitation(request: HttpRequest, error: ValidationError) -> HttpResponse:
    context = {"error": error.messages[0], "reason": error.code}
    return render(request, "accounts/invitation_invalid.html", context, status=410)


def _joined(request: HttpRequest, accept: Callable[[], Membership]) -> HttpResponse:
    try:
        membership = accept()
    except ValidationError as error:
        return _invalid_invitation(request, error)
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome to %(account)s.") % {"account": membership.account.name})
    return redirect("inbox", account_slug=membership.account.slug)
