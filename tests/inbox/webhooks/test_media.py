"""Received media: downloaded by the real whatsapp_cloud adapter from the simulator, checked,
stored per account, and served only through signed, expiring URLs of the file's account."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.core.files.base import ContentFile
from django.utils import timezone

from inbox import media
from inbox.models import Line, MediaFile
from inbox.providers import TransportError
from inbox.simulator import services as simulator
from inbox.simulator.models import SimNumber
from tests.conftest import Team, client_for
from tests.inbox.webhooks.conftest import deliver, fixture, make_line

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def media_root(settings: LazySettings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def cloud_line(acme: Team, live_server: Any, media_root: Path) -> Line:
    line = make_line(
        acme,
        phone_number_id="109000000000007",
        provider="whatsapp_cloud",
        graph_url=f"{live_server.url}/simulator/graph",
        access_token="sim-token",
    )
    simulator.register_number(
        phone_number_id=line.phone_number_id,
        waba_id=line.waba_id,
        display_number=line.display_number,
        verified_name="Acme",
        access_token="sim-token",
        app_secret=line.app_secret,
        webhook_url=f"{live_server.url}/webhooks/whatsapp/{line.uuid}/",
    )
    return line


def receive_image(line: Line, data: bytes, *, sha256: str | None = None) -> MediaFile:
    """The customer sends ``data`` as an image: the simulator holds it, the webhook names it."""
    number = SimNumber.objects.get(phone_number_id=line.phone_number_id)
    stored = simulator.store_media(number, data, "image/png", "")
    body = fixture(
        "image",
        **{
            "106540352242922": line.phone_number_id,
            "1003383421387256": stored.media_id,
            "Qm9ndXMgaGFzaA==": sha256 if sha256 is not None else stored.sha256,
        },
    )
    deliver(body, line)
    return MediaFile.objects.for_account(line.account).get(provider_media_id=stored.media_id)


@pytest.mark.django_db(transaction=True)
def test_the_download_task_refuses_another_accounts_file(cloud_line: Line, globex: Team) -> None:
    """Task arguments carry the account: a file id paired with another account does nothing."""
    pending = receive_image(cloud_line, PNG)
    assert media.download(globex.account, pending.id) is None
    pending.refresh_from_db()
    assert (pending.state, pending.file.name) == (MediaFile.State.PENDING, "")
    assert media.download(cloud_line.account, pending.id) is not None


@pytest.mark.django_db(transaction=True)
def test_a_received_image_is_downloaded_checked_and_stored_under_its_account(
    cloud_line: Line, media_root: Path
) -> None:
    pending = receive_image(cloud_line, PNG)
    SimNumber.objects.filter(phone_number_id=cloud_line.phone_number_id).update(fail_next=1)
    with pytest.raises(TransportError) as outage:  # a 500 from Meta: the task retries later
        media.download(cloud_line.account, pending.id)
    assert not outage.value.permanent
    stored = media.download(cloud_line.account, pending.id)
    assert stored is not None
    assert (stored.state, stored.mime_type, stored.size) == ("ready", "image/png", len(PNG))
    assert stored.file.name.startswith(f"{cloud_line.account_id}/in/")
    assert (media_root / stored.file.name).read_bytes() == PNG
    assert media.download(cloud_line.account, pending.id) is None  # done: a second run does nothing


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("data", "sha256", "reason"),
    [
        (PNG, hashlib.sha256(b"something else").hexdigest(), "sha256_mismatch"),
        (b"<html><script>alert(1)</script></html>", None, "media_type"),
    ],
)
def test_a_file_that_fails_the_checks_is_marked_failed(
    cloud_line: Line, media_root: Path, data: bytes, sha256: str | None, reason: str
) -> None:
    pending = receive_image(cloud_line, data, sha256=sha256)
    failed = media.download(cloud_line.account, pending.id)
    assert failed is not None
    assert (failed.state, failed.error, failed.file.name) == ("failed", reason, "")
    assert not any(media_root.rglob("*.*"))


def stored_file(team: Team, data: bytes, mime_type: str, filename: str = "") -> MediaFile:
    line = Line.objects.for_account(team.account).filter(phone_number_id="").first() or make_line(
        team, phone_number_id=""
    )
    media_file = MediaFile(
        account=team.account, line=line, mime_type=mime_type, filename=filename, state="ready"
    )
    media_file.file.save(f"{team.account.id}/in/test.bin", ContentFile(data), save=True)
    return media_file


def test_the_signed_url_serves_the_file_to_the_accounts_members(acme: Team, media_root: Path) -> None:
    image = stored_file(acme, PNG, "image/png")
    response = client_for(acme.operator).get(media.media_url(image))
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_documents_are_downloaded_with_a_safe_name(acme: Team, media_root: Path) -> None:
    document = stored_file(acme, PDF, "application/pdf", filename='../../etc/"passwd"\r\n.pdf')
    response = client_for(acme.operator).get(media.media_url(document))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert not {"/", "\r", "\n"} & set(disposition)


def test_the_url_expires(acme: Team, media_root: Path, settings: LazySettings) -> None:
    image = stored_file(acme, PNG, "image/png")
    url = media.media_url(image)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.MEDIA_URL_MAX_AGE + 5)):
        assert client_for(acme.operator).get(url).status_code == 403


def test_a_tampered_or_missing_token_is_refused(acme: Team, media_root: Path) -> None:
    image, other = stored_file(acme, PNG, "image/png"), stored_file(acme, PDF, "application/pdf")
    client = client_for(acme.operator)
    wrong_file = media.media_url(other).replace(f"/media/{other.id}/", f"/media/{image.id}/")
    assert client.get(wrong_file).status_code == 403
    assert client.get(media.media_url(image) + "x").status_code == 403
    assert client.get(media.media_url(image).partition("?")[0]).status_code == 400


def test_a_file_not_downloaded_yet_is_404(acme: Team, media_root: Path) -> None:
    image = stored_file(acme, PNG, "image/png")
    MediaFile.objects.for_account(acme.account).filter(id=image.id).update(state="pending")
    assert client_for(acme.operator).get(media.media_url(image)).status_code == 404


def test_it_checks_ownership(acme: Team, globex: Team, media_root: Path) -> None:
    image = stored_file(acme, PNG, "image/png")
    url = media.media_url(image)
    stranger = client_for(globex.admin)
    assert stranger.get(url).status_code == 404  # acme's URL: not a member
    own_account_url = url.replace("/a/acme/", "/a/globex/")  # globex's URL, acme's file and token
    assert stranger.get(own_account_url).status_code == 404
