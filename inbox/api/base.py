"""The one base class of account-scoped API views, and the API's JSON errors.

The account comes from the API key (CONVENTIONS.md 6-7): the base class owns authentication,
permission and ``get_queryset``; a subclass names its model and narrows the already scoped queryset
in ``scope``. It cannot forget the account, and it cannot widen it.
"""

from __future__ import annotations

import logging
from typing import Any, Generic, TypeVar, final

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from billing.limits import LimitReached
from inbox.api.auth import ApiKeyAuthentication, HasApiKey
from inbox.models import ApiKey
from spoter.accounts.models import Account
from spoter.accounts.scoping import ScopedManager

M = TypeVar("M", bound=models.Model)

logger = logging.getLogger("django.request")


class AccountView(GenericAPIView[M], Generic[M]):
    authentication_classes = (ApiKeyAuthentication,)
    permission_classes = (HasApiKey,)
    model: type[M]

    @property
    def account(self) -> Account:
        key = self.request.auth
        if not isinstance(key, ApiKey):  # HasApiKey runs before any handler; this is the fail-safe
            raise exceptions.NotAuthenticated
        return key.account

    @final
    def get_queryset(self) -> QuerySet[M]:
        manager = self.model._default_manager
        if not isinstance(manager, ScopedManager):
            raise TypeError(f"{self.model.__name__} is not an account-scoped model")
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model only
            return manager.none()
        return self.scope(manager.for_account(self.account))

    def scope(self, queryset: QuerySet[M]) -> QuerySet[M]:
        """Narrow the account's rows for this view (URL objects, select_related)."""
        return queryset


class ApiError(exceptions.APIException):
    """An error with its own stable code: ``{"error": code, "detail": message}``."""

    def __init__(self, code: str, detail: str, *, status: int = 400) -> None:
        self.status_code = status
        super().__init__(detail, code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as JSON: ``{"error": <stable code>, "detail": <message or field errors>}``."""
    if isinstance(exc, LimitReached):  # the plan's limit: what it is and where to change the plan
        set_rollback()
        return Response(exc.as_json(), status=403)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        # A bug: logged with its traceback like Django's own 500s, answered in the API's format.
        set_rollback()
        logger.error("API error: %s", context["request"].path, exc_info=exc)
        return Response({"error": "server_error", "detail": _("Server error.")}, status=500)
    response = drf_exception_handler(exc, context)
    if response is not None:
        codes = exc.get_codes()
        response.data = {"error": codes if isinstance(codes, str) else exc.default_code, "detail": exc.detail}
    return response


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown URLs under /api/ answer JSON too, not the site's HTML page."""
    return JsonResponse({"error": "not_found", "detail": _("No such API endpoint.")}, status=404)
