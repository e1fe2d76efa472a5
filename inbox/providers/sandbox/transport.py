"""The sandbox provider: a WhatsApp Cloud look-alike that lives in the process.

It builds the same request bodies as the real adapter and keeps them in ``Sandbox.sent``, so a
test can read what would have gone to Meta. ``Sandbox.fail_next`` scripts the next sends'
outcomes: a Graph error by code, a timeout after the request left, or the worker dying.
State is per process and shared by threads (the test worker runs in one); ``reset`` clears it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from inbox.providers.base import Download, Provider, RemoteTemplate, TransportError
from inbox.providers.whatsapp_cloud.transport import graph_error, message_body

if TYPE_CHECKING:
    from inbox.models import Message


class WorkerDied(BaseException):
    """Stands for a worker killed mid-task: nothing of ours catches it, like a real SIGKILL."""


def meta_error(code: int, *, status: int = 400, message: str = "") -> TransportError:
    """The TransportError the real adapter raises for a Graph error with ``code``."""
    return graph_error(
        status, {"error": {"code": code, "message": message or f"error {code}", "type": "OAuthException"}}
    )


def timeout_after_send() -> TransportError:
    return TransportError("ReadTimeout", permanent=False, title="Network error", sent=True)


@dataclass(frozen=True)
class Sent:
    line_id: int
    body: dict[str, Any]
    wamid: str


class Sandbox(Provider):
    kind = "sandbox"
    _lock: ClassVar[threading.Lock] = threading.Lock()
    sent: ClassVar[list[Sent]] = []
    uploads: ClassVar[dict[str, tuple[bytes, str, str]]] = {}  # media id -> data, mime type, filename
    templates: ClassVar[dict[str, list[RemoteTemplate]]] = {}  # WABA id -> templates
    read: ClassVar[list[str]] = []
    _plan: ClassVar[deque[BaseException]] = deque()
    send_seconds: ClassVar[float] = 0.0  # how long a send takes, to make concurrent workers overlap

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls.sent.clear()
            cls.uploads.clear()
            cls.templates.clear()
            cls.read.clear()
            cls._plan.clear()
            cls.send_seconds = 0.0

    @classmethod
    def fail_next(cls, *outcomes: BaseException) -> None:
        """The next sends raise these, in order; then sends succeed again."""
        with cls._lock:
            cls._plan.extend(outcomes)

    @classmethod
    def sent_on(cls, line_id: int) -> list[dict[str, Any]]:
        with cls._lock:
            return [item.body for item in cls.sent if item.line_id == line_id]

    def send(self, message: Message, to: str) -> str:
        body = message_body(message, to)
        with self._lock:
            outcome = self._plan.popleft() if self._plan else None
        if isinstance(outcome, TransportError) and not outcome.sent:
            raise outcome  # refused: nothing went out
        time.sleep(self.send_seconds)
        wamid = f"wamid.sandbox.{uuid.uuid4().hex}"
        with self._lock:
            self.sent.append(Sent(self.line.id, body, wamid))
        if outcome is not None:
            raise outcome  # it went out, but the answer never came back
        return wamid

    def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        media_id = f"sandbox-media-{uuid.uuid4().hex}"
        with self._lock:
            self.uploads[media_id] = (data, mime_type, filename)
        return media_id

    def download_media(self, media_id: str) -> Download:
        with self._lock:
            found = self.uploads.get(media_id)
        if found is None:
            raise TransportError("unknown media id", permanent=True, code=100)
        return Download(found[0], found[1])

    def fetch_templates(self) -> list[RemoteTemplate]:
        with self._lock:
            return list(self.templates.get(self.line.waba_id, []))

    def create_template(
        self, name: str, language: str, category: str, components: list[dict[str, Any]]
    ) -> RemoteTemplate:
        template = RemoteTemplate(uuid.uuid4().hex[:16], name, language, category, "PENDING", components)
        with self._lock:
            self.templates.setdefault(self.line.waba_id, []).append(template)
        return template

    def mark_read(self, wamid: str) -> None:
        with self._lock:
            self.read.append(wamid)
