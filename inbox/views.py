"""Inbox pages."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from inbox import media
from inbox.models import MediaFile
from spoter.accounts.access import AccountRequest, require_role
from spoter.accounts.models import Role


@require_GET
@require_role(Role.OPERATOR)
def media_file(
    request: AccountRequest, account_slug: str, media_id: int
) -> FileResponse | HttpResponseBadRequest:
    """A stored file, through a URL from ``media.media_url``: 404 for another account's file,
    403 when the URL expired or was altered."""
    token = request.GET.get("t")
    if not token:
        return HttpResponseBadRequest()
    found = (
        MediaFile.objects.for_account(request.account)
        .filter(id=media_id, state=MediaFile.State.READY)
        .first()
    )
    if found is None or not found.file:
        raise Http404
    media.check_token(token, found)
    return media.file_response(found)
