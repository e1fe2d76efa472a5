"""WhatsApp Cloud API webhooks: verify, store the raw body, answer 200 fast, process in a worker.

This is the hot path Meta measures (FACTS.md: median <= 250 ms, retries on anything but 200), so
it does only what it must before answering: one lookup of the line (per-line URLs), the signature
check on the raw bytes, a JSON parse, one INSERT and, after commit, a request for a drain (one
cache round trip, inbox/tasks.py).
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from inbox.models import Line, WebhookEvent
from inbox.providers.whatsapp_cloud.inbound import MalformedWebhookError, load_envelope, signature_valid
from inbox.tasks import request_drain

MAX_BODY = 4 * 1024 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def line_webhook(request: HttpRequest, line_uuid: UUID) -> HttpResponse:
    """A line with its own Meta app: its app secret and verify token."""
    # Unscoped: Meta finds the line by its URL; the signature with the line's own secret proves
    # the sender, and the worker only routes the body to this line.
    line = Line.objects.unscoped().only("id", "app_secret", "verify_token").filter(uuid=line_uuid).first()
    if line is None:
        raise Http404
    return _webhook(request, secret=line.app_secret, verify_token=line.verify_token, line_id=line.id)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def platform_webhook(request: HttpRequest) -> HttpResponse:
    """The platform's own Meta app, serving many lines; absent unless configured."""
    if not settings.WHATSAPP_APP_SECRET:
        raise Http404
    return _webhook(
        request,
        secret=settings.WHATSAPP_APP_SECRET,
        verify_token=settings.WHATSAPP_VERIFY_TOKEN,
        line_id=None,
    )


def _webhook(request: HttpRequest, *, secret: str, verify_token: str, line_id: int | None) -> HttpResponse:
    if request.method == "GET":
        return _verify(request, verify_token)
    # Meta batches up to 3 MB, past Django's default cap for request.body: the stream is read here
    # with our own limit.
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "too_large"}, status=413)
    if not signature_valid(body, request.headers.get("X-Hub-Signature-256"), secret):
        return JsonResponse({"error": "invalid_signature"}, status=403)
    try:
        load_envelope(body)
    except MalformedWebhookError as error:
        return JsonResponse({"error": "malformed", "detail": str(error)}, status=400)
    WebhookEvent.objects.create(line_id=line_id, body=body)
    transaction.on_commit(request_drain)
    return HttpResponse(status=200)


def _verify(request: HttpRequest, verify_token: str) -> HttpResponse:
    """Meta's subscription handshake: echo hub.challenge when hub.verify_token matches."""
    token = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and verify_token
        and constant_time_compare(token, verify_token)
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponse(status=403)
