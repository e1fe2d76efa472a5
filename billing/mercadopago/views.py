"""Mercado Pago's webhook endpoint: thin; billing/mercadopago/webhooks.py does the work."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.mercadopago import webhooks


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> JsonResponse:
    body = request.read(webhooks.MAX_BODY + 1)
    if len(body) > webhooks.MAX_BODY:
        return JsonResponse({"error": "The body is too large."}, status=413)
    status, answer = webhooks.receive(request.GET, body, request.headers)
    return JsonResponse(answer, status=status)
