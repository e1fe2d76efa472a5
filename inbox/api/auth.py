"""`Authorization: Bearer <key>`: the key names the account of every API request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from billing.limits import check_feature, request_subscription
from billing.models import Feature
from inbox.api import keys
from inbox.models import ApiKey
from spoter.accounts.models import Account

if TYPE_CHECKING:
    # Not at run time: DRF imports this module while rest_framework.views is loading.
    from rest_framework.views import APIView


@dataclass(frozen=True)
class ApiClient:
    """request.user for API calls: the integration behind a key, not a person."""

    key: ApiKey

    is_authenticated = True

    @property
    def account(self) -> Account:
        return self.key.account


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None  # no key: NotAuthenticated, 401 (authenticate_header makes it 401, not 403)
        if len(parts) != 2:  # "Bearer" and the key
            raise AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        key = keys.authenticate(parts[1].decode("latin-1"))
        if key is None:
            raise AuthenticationFailed(_("Unknown or revoked API key."))
        return ApiClient(key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class HasApiKey(BasePermission):
    """A key, of an account whose plan includes the API (LimitReached: 403 with the upgrade link)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        account = request.auth.account
        check_feature(account, Feature.API, subscription=request_subscription(account))
        return True


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped library base
    """Describes the Bearer key in the OpenAPI schema (loaded with this module)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": f"{keys.PREFIX}...",
            "description": str(_("An API key of the account, created in Settings > API keys.")),
        }
