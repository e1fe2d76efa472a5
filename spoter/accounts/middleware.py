"""Language choice and the account of each request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from spoter.accounts.access import get_membership

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(request: HttpRequest) -> str | None:
    """The language the person picked (cookie set by Django's set_language view), if any."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "").lower()
    return code if code in SUPPORTED else None


class LanguageMiddleware:
    """Spanish (es-AR) unless the person chose otherwise; browsers' Accept-Language is ignored,
    so the product speaks its default language until someone asks for another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = chosen_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class TenancyMiddleware:
    """Resolve /a/<account_slug>/ URLs to the user's membership, or 404; enforce roles and MFA."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        slug = kwargs.get("account_slug")
        if slug is None:
            return None
        min_role = getattr(view, "min_role", None)
        if min_role is None:
            raise ImproperlyConfigured(f"{view.__module__}.{view.__name__} needs @require_role.")
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = get_membership(request.user, slug)
        # The attributes AccountRequest declares for the views.
        request.account = membership.account  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        timezone.activate(membership.account.time_zone)
        if chosen_language(request) is None:
            translation.activate(membership.account.language)
            request.LANGUAGE_CODE = membership.account.language
        if request.method not in SAFE_METHODS:
            min_role = getattr(view, "min_write_role", min_role)
        if not membership.role_enum.at_least(min_role):
            raise PermissionDenied(_("Your role does not give access to this page."))
        if membership.account.requires_mfa(membership.role_enum) and not _has_totp(request):
            messages.warning(request, _("This account requires two-factor authentication for your role."))
            return redirect(reverse("mfa_activate_totp"))
        return None


def _has_totp(request: HttpRequest) -> bool:
    return bool(Authenticator.objects.filter(user_id=request.user.pk, type=Authenticator.Type.TOTP).exists())
