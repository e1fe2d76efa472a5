"""The WhatsApp Cloud API over HTTP (Meta's Graph API, or the simulator at the same paths).

Graph errors become TransportError: 5xx, timeouts, throughput (130429) and per-user pair rate
(131056) limits are transient and retried by the outbox; every other error is permanent and
recorded on the message with Meta's code, title and details.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from django.conf import settings

from inbox.models import MEDIA_TYPES, MessageType
from inbox.providers.base import Download, Provider, RemoteTemplate, TransportError
from spoter.http import shared_client

if TYPE_CHECKING:
    from inbox.models import Message

JSON = dict[str, Any]
TRANSIENT_CODES = frozenset({130429, 131056})
# Failures that happen before a byte of the request left: safe to send again at once.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def message_body(message: Message, to: str) -> JSON:
    """The POST /messages body for a stored outbound message (its payload holds the type's object)."""
    body: JSON = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": message.type,
        # Echoed on statuses: finds this message if our HTTP answer is lost (inbox/statuses.py).
        "biz_opaque_callback_data": str(message.id),
    }
    if message.reply_to_wamid:
        body["context"] = {"message_id": message.reply_to_wamid}
    payload = message.payload
    if message.type == MessageType.TEXT:
        body["text"] = {"body": message.text, "preview_url": bool(payload.get("preview_url"))}
    elif message.type in MEDIA_TYPES:
        if message.media is None or not message.media.provider_media_id:
            raise ValueError(f"message {message.id}: media not uploaded")
        media: JSON = {"id": message.media.provider_media_id}
        if message.text:
            media["caption"] = message.text
        if payload.get("filename"):
            media["filename"] = payload["filename"]
        body[message.type] = media
    elif message.type in (MessageType.TEMPLATE, MessageType.INTERACTIVE):
        body[message.type] = payload[message.type]
    else:
        raise ValueError(f"message {message.id}: cannot send a {message.type} message")
    return body


def graph_error(status: int, answer: Any) -> TransportError:
    """A Graph API error answer as a TransportError, transient or permanent."""
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code")
    code = code if isinstance(code, int) else None
    data = error.get("error_data")
    details = str(data.get("details") or "") if isinstance(data, dict) else ""
    title = str(error.get("error_user_title") or error.get("message") or f"HTTP {status}")
    message = str(error.get("message") or title)
    transient = status >= 500 or status == 429 or code in TRANSIENT_CODES
    return TransportError(
        message, permanent=not transient, code=code, title=title, details=details or message
    )


class WhatsAppCloud(Provider):
    kind = "whatsapp_cloud"

    def _request(self, method: str, path_or_url: str, **kwargs: Any) -> httpx.Response:
        base = f"{self.line.api_base_url}/{settings.WHATSAPP_API_VERSION}"
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else f"{base}/{path_or_url}"
        headers = {"Authorization": f"Bearer {self.line.access_token}"}
        try:
            response = shared_client().request(
                method, url, headers=headers, timeout=settings.WHATSAPP_TIMEOUT_SECONDS, **kwargs
            )
        except httpx.HTTPError as error:
            raise TransportError(
                f"{type(error).__name__}: {error}",
                permanent=False,
                title="Network error",
                sent=not isinstance(error, _NOT_SENT),
            ) from error
        if response.is_error:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            raise graph_error(response.status_code, answer)
        return response

    def _json(self, method: str, path_or_url: str, **kwargs: Any) -> JSON:
        response = self._request(method, path_or_url, **kwargs)
        try:
            answer = response.json()
        except ValueError as error:
            raise TransportError(
                "Graph API answered with something that is not JSON", permanent=False
            ) from error
        if not isinstance(answer, dict):
            raise TransportError("Graph API answered with an unexpected shape", permanent=False)
        return answer

    def send(self, message: Message, to: str) -> str:
        answer = self._json("POST", f"{self.line.phone_number_id}/messages", json=message_body(message, to))
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as error:
            # Accepted (200) but no wamid: the status webhook will still find it by callback data.
            raise TransportError(
                "Graph API accepted the message without an id", permanent=False, sent=True
            ) from error

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        answer = self._json(
            "POST",
            f"{self.line.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename or "file", data, mime_type)},
        )
        return str(answer["id"])

    def download_media(self, media_id: str) -> Download:
        info = self._json("GET", media_id)
        url = str(info.get("url") or "")
        if not url.startswith(("http://", "https://")):
            raise TransportError("Graph API gave no download URL", permanent=True)
        response = self._request("GET", url)
        return Download(
            response.content, str(info.get("mime_type") or response.headers.get("content-type", ""))
        )

    def fetch_templates(self) -> list[RemoteTemplate]:
        templates: list[RemoteTemplate] = []
        page: str | None = f"{self.line.waba_id}/message_templates"
        params: JSON | None = {"limit": 100}
        while page:
            answer = self._json("GET", page, params=params)
            templates += [_remote_template(item) for item in answer.get("data", []) if isinstance(item, dict)]
            following = answer.get("paging", {}).get("next")
            # The next page's URL carries the query; only follow it to the same Graph host (token).
            page = (
                following
                if isinstance(following, str) and following.startswith(self.line.api_base_url)
                else None
            )
            params = None
        return templates

    def create_template(
        self, name: str, language: str, category: str, components: list[dict[str, Any]]
    ) -> RemoteTemplate:
        body = {"name": name, "language": language, "category": category, "components": components}
        answer = self._json("POST", f"{self.line.waba_id}/message_templates", json=body)
        return RemoteTemplate(
            provider_id=str(answer.get("id", "")),
            name=name,
            language=language,
            category=str(answer.get("category") or category),
            status=str(answer.get("status") or "PENDING"),
            components=components,
        )

    def mark_read(self, wamid: str) -> None:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        self._json("POST", f"{self.line.phone_number_id}/messages", json=body)


def _remote_template(item: JSON) -> RemoteTemplate:
    reason = str(item.get("rejected_reason") or "")
    return RemoteTemplate(
        provider_id=str(item.get("id", "")),
        name=str(item.get("name", "")),
        language=str(item.get("language", "")),
        category=str(item.get("category", "")),
        status=str(item.get("status", "")),
        components=list(item.get("components") or []),
        rejection_reason="" if reason == "NONE" else reason,  # Meta says NONE when not rejected
    )
