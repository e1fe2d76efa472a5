"""The fake Graph API under /simulator/graph/<version>/...: thin views over services.py that
answer with Meta's JSON, including its error bodies and status codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inbox.simulator import services
from inbox.simulator.models import SimMedia, SimNumber
from inbox.simulator.rules import GraphError, invalid

MEDIA_URL_MAX_AGE = 300  # Meta's media URLs expire after five minutes (FACTS.md)
MEDIA_SALT = "simulator.media"

View = Callable[..., HttpResponse]


def graph_view(view: View) -> View:
    """Graph errors become Meta's error JSON; API clients post without CSRF tokens."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except GraphError as error:
            return JsonResponse(error.as_json(), status=error.status)

    return csrf_exempt(wrapper)


def unknown_object(node: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation",
        subcode=33,
    )


def authorized_number(request: HttpRequest, node: str) -> SimNumber:
    number = SimNumber.objects.filter(phone_number_id=node).first()
    if number is None:
        raise unknown_object(node)
    services.authenticate(number, request.headers.get("Authorization", ""))
    return number


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        raise invalid("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object")
    return body


@graph_view
@require_POST
def messages(request: HttpRequest, version: str, node: str) -> HttpResponse:
    number = authorized_number(request, node)
    body = json_body(request)
    if body.get("status") == "read":
        services.mark_read(number, str(body.get("message_id", "")))
        return JsonResponse({"success": True})
    accepted = services.accept_message(number, body)
    return JsonResponse(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": accepted.input, "wa_id": accepted.wa_id}],
            "messages": [{"id": accepted.wamid, "message_status": "accepted"}],
        }
    )


@graph_view
@require_POST
def media_upload(request: HttpRequest, version: str, node: str) -> HttpResponse:
    number = authorized_number(request, node)
    upload = request.FILES.get("file")
    if request.POST.get("messaging_product") != "whatsapp":
        raise invalid("messaging_product must be 'whatsapp'")
    if upload is None:
        raise invalid("The parameter file is required")
    mime_type = request.POST.get("type") or upload.content_type or ""
    media = services.upload_media(number, upload.read(), mime_type, upload.name or "")
    return JsonResponse({"id": media.media_id})


@graph_view
@require_GET
def node(request: HttpRequest, version: str, node: str) -> HttpResponse:
    """GET /{media-id}: where to download it; GET /{phone-number-id}: the number's profile."""
    media = SimMedia.objects.select_related("number").filter(media_id=node).first()
    if media is None:
        number = authorized_number(request, node)
        return JsonResponse(
            {
                "id": number.phone_number_id,
                "display_phone_number": number.display_number,
                "verified_name": number.verified_name,
                "quality_rating": "GREEN",
                "code_verification_status": "VERIFIED",
                "platform_type": "CLOUD_API",
            }
        )
    services.authenticate(media.number, request.headers.get("Authorization", ""))
    token = signing.dumps(media.media_id, salt=MEDIA_SALT)
    url = request.build_absolute_uri(reverse("simulator:media_download", args=[media.media_id]))
    return JsonResponse(
        {
            "messaging_product": "whatsapp",
            "url": f"{url}?{urlencode({'token': token})}",
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            "file_size": len(media.data),
            "id": media.media_id,
        }
    )


@graph_view
@require_GET
def media_download(request: HttpRequest, media_id: str) -> HttpResponse:
    media = SimMedia.objects.select_related("number").filter(media_id=media_id).first()
    if media is None:
        raise unknown_object(media_id)
    services.authenticate(media.number, request.headers.get("Authorization", ""))
    try:
        signed = signing.loads(request.GET.get("token", ""), salt=MEDIA_SALT, max_age=MEDIA_URL_MAX_AGE)
    except signing.BadSignature:
        signed = None
    if signed != media.media_id:
        raise GraphError(190, "The media URL has expired or is not valid", status=401)
    return HttpResponse(bytes(media.data), content_type=media.mime_type)


@graph_view
@require_http_methods(["GET", "POST"])
def message_templates(request: HttpRequest, version: str, node: str) -> HttpResponse:
    """A WABA's templates: GET lists them with Meta's cursor paging, POST creates one."""
    numbers = list(SimNumber.objects.filter(waba_id=node))
    if not numbers:
        raise unknown_object(node)
    authorization = request.headers.get("Authorization", "")
    number = next(
        (number for number in numbers if authorization == f"Bearer {number.access_token}"), numbers[0]
    )
    services.authenticate(number, authorization)
    if request.method == "POST":
        template = services.create_template(node, json_body(request))
        return JsonResponse(
            {"id": template.template_id, "status": template.status, "category": template.category}
        )
    try:
        limit = min(max(int(request.GET.get("limit", 25)), 1), 100)
        after = int(request.GET.get("after") or 0)
    except ValueError:
        raise invalid("limit and after must be numbers") from None
    page, more = services.list_templates(node, after=after, limit=limit, name=request.GET.get("name", ""))
    paging: dict[str, Any] = {}
    if page:
        paging["cursors"] = {"before": str(page[0].id - 1), "after": str(page[-1].id)}
        if more:
            query = urlencode({"limit": limit, "after": page[-1].id})
            paging["next"] = f"{request.build_absolute_uri(request.path)}?{query}"
    return JsonResponse({"data": [services.template_json(template) for template in page], "paging": paging})
