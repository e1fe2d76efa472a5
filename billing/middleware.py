"""A plan limit a view let through becomes a page that says which limit and links to the plan
(TEN-5): never a 500. JSON under /api/, a fragment for htmx requests."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from billing.limits import LimitReached
from spoter.accounts.models import Membership, Role

# 402 Payment Required: the request is fine, the plan does not cover it.
STATUS = 402
API_STATUS = 403
# Where htmx requests show it: base.html's notice area, on every page.
HTMX_TARGET = "#limit-notice"


class LimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, LimitReached):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_json(), status=API_STATUS)
        context = {"limit": exception, "can_change_plan": _is_admin(request, exception)}
        if getattr(request, "htmx", False):
            # htmx swaps 2xx answers only: a 200 aimed at the notice area, not at the request's target.
            response = render(request, "billing/_limit_notice.html", context)
            return reswap(retarget(response, HTMX_TARGET), "innerHTML")
        return render(request, "billing/limit_reached.html", context, status=STATUS)


def _is_admin(request: HttpRequest, limit: LimitReached) -> bool:
    """Only the account's admins may change its plan; others are told to ask one."""
    membership: Membership | None = getattr(request, "membership", None)
    return (
        membership is not None
        and membership.account_id == limit.account.id
        and membership.role_enum.at_least(Role.ADMIN)
    )
