"""The webhook routes as Django views: what reverse() names and the test client calls. In
production inbox/webhooks/asgi.py answers the same paths before Django's middleware; both hand
the request to inbox/webhooks/ingest.py."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from inbox.webhooks import ingest


@csrf_exempt
@require_http_methods(["GET", "POST"])
def line_webhook(request: HttpRequest, line_uuid: UUID) -> HttpResponse:
    """A line with its own Meta app: its app secret and verify token."""
    return _respond(request, line_uuid)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def platform_webhook(request: HttpRequest) -> HttpResponse:
    """The platform's own Meta app, serving many lines; absent unless configured."""
    return _respond(request, None)


def _respond(request: HttpRequest, line_uuid: UUID | None) -> HttpResponse:
    body = request.read(ingest.MAX_BODY + 1) if request.method == "POST" else b""
    answer = ingest.handle(
        line_uuid, request.method or "", request.GET, body, request.headers.get("X-Hub-Signature-256")
    )
    return HttpResponse(answer.content, status=answer.status, content_type=answer.content_type)
