"""Entry points (LIN-9): a line's wa.me link and its QR code, with an optional prefilled message."""

from __future__ import annotations

import io

import pytest
import segno
from django.urls import reverse

from inbox.lines import QR_BORDER, QR_ERROR, QR_SCALE
from inbox.models import Line
from tests.conftest import Team, client_for

PREFILLED = "Hola, quiero saber el precio de la ñoquera & más"
ENCODED_LINK = "https://wa.me/5491155551234?text=Hola%2C%20quiero%20saber%20el%20precio%20de%20la%20%C3%B1oquera%20%26%20m%C3%A1s"


@pytest.fixture
def line(acme: Team) -> Line:
    return acme.account.lines.create(name="Ventas", display_number="+5491155551234")


def url(line: Line, name: str) -> str:
    return reverse(name, kwargs={"account_slug": line.account.slug, "line_id": line.id})


def rendered(link: str, kind: str) -> bytes:
    """The QR code segno draws for ``link``: what the endpoint must serve, byte for byte."""
    buffer = io.BytesIO()
    segno.make(link, error=QR_ERROR).save(buffer, kind=kind, scale=QR_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def test_the_link_carries_the_number_and_the_encoded_message(acme: Team, line: Line) -> None:
    response = client_for(acme.supervisor).get(url(line, "settings_line_entry_point"), {"text": PREFILLED})
    assert response.status_code == 200
    assert response.context["link"] == ENCODED_LINK
    assert f'href="{ENCODED_LINK}"' in response.content.decode()


def test_without_a_message_the_link_is_the_bare_number(acme: Team, line: Line) -> None:
    page = client_for(acme.supervisor).get(url(line, "settings_line"))
    assert page.context["link"] == "https://wa.me/5491155551234"


def test_png_qr_code_encodes_the_link(acme: Team, line: Line) -> None:
    response = client_for(acme.supervisor).get(url(line, "settings_line_qr_png"), {"text": PREFILLED})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.content == rendered(ENCODED_LINK, "png")


def test_svg_qr_code_encodes_the_link_and_downloads(acme: Team, line: Line) -> None:
    response = client_for(acme.supervisor).get(
        url(line, "settings_line_qr_svg"), {"text": PREFILLED, "download": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")
    assert b"<svg" in response.content
    assert response.content == rendered(ENCODED_LINK, "svg")
    assert response["Content-Disposition"] == 'attachment; filename="whatsapp-5491155551234.svg"'


def test_a_message_too_long_for_a_qr_code_is_refused(acme: Team, line: Line) -> None:
    client = client_for(acme.supervisor)
    assert client.get(url(line, "settings_line_qr_png"), {"text": "á" * 301}).status_code == 400
    assert client.get(url(line, "settings_line_entry_point"), {"text": "á" * 301}).status_code == 400
    # The longest accepted message still fits in a QR code.
    assert client.get(url(line, "settings_line_qr_svg"), {"text": "á" * 300}).status_code == 200


def test_it_checks_ownership(acme: Team, globex: Team, line: Line) -> None:
    client = client_for(globex.admin)
    for name in ("settings_line_entry_point", "settings_line_qr_png", "settings_line_qr_svg"):
        foreign = reverse(name, kwargs={"account_slug": globex.account.slug, "line_id": line.id})
        assert client.get(foreign, {"text": "hola"}).status_code == 404
    assert client_for(acme.operator).get(url(line, "settings_line_qr_png")).status_code == 403
