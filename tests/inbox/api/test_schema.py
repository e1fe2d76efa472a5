"""The OpenAPI schema validates without warnings, names the Bearer key, and the docs page is
served from our own static files."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import Client


def test_the_schema_validates_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any drf-spectacular warning (an undescribed field, path parameter or
    # auth class) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/conversations/{number}/messages/" in out.read_text()


def test_the_schema_describes_the_key() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "spk_...",
        "description": schema["components"]["securitySchemes"]["ApiKey"]["description"],
    }
    send = schema["paths"]["/api/v1/messages/"]["post"]
    assert send["security"] == [{"ApiKey": []}]
    assert {"201", "400", "401", "404", "409"} <= set(send["responses"])


def test_the_docs_page_loads_without_a_cdn() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    script = page.split('src="/static/drf_spectacular_sidecar/swagger-ui-dist/')[1].split('"')[0]
    assert Client().get(f"/static/drf_spectacular_sidecar/swagger-ui-dist/{script}").status_code == 200
