"""Templates: synced from the WABA, validated and submitted to Meta."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from inbox.models import Line, Template, TemplateStatus
from inbox.providers.base import RemoteTemplate
from inbox.providers.sandbox.transport import Sandbox
from inbox.templates_service import submit_template, sync_templates
from tests.conftest import Team
from tests.inbox.sending.conftest import make_line, make_template

BODY = {"type": "BODY", "text": "Hola {{1}}", "example": {"body_text": [["Ana"]]}}


def test_sync_upserts_the_wabas_templates(
    acme: Team, globex: Team, line: Line, sandbox: type[Sandbox]
) -> None:
    stale = make_template(line, "vieja")
    other_account = make_template(make_line(globex, waba_id=line.waba_id), "vieja")
    sandbox.templates[line.waba_id] = [
        RemoteTemplate("1", "saludo", "es_AR", "UTILITY", "APPROVED", [BODY]),
        RemoteTemplate(
            "2", "promo", "es_AR", "MARKETING", "REJECTED", [BODY], rejection_reason="INVALID_FORMAT"
        ),
    ]
    assert sync_templates(line) == 2
    templates = {t.name: t for t in Template.objects.for_account(acme.account)}
    assert templates["saludo"].status == TemplateStatus.APPROVED
    assert templates["saludo"].components == [BODY]
    assert (templates["promo"].status, templates["promo"].rejection_reason) == ("REJECTED", "INVALID_FORMAT")
    stale.refresh_from_db()
    assert stale.status == TemplateStatus.DELETED  # Meta no longer lists it
    other_account.refresh_from_db()
    assert other_account.status == TemplateStatus.APPROVED  # another account's row is not touched
    sandbox.templates[line.waba_id][0] = RemoteTemplate("1", "saludo", "es_AR", "UTILITY", "PAUSED", [BODY])
    sync_templates(line)
    assert Template.objects.for_account(acme.account).get(name="saludo").status == TemplateStatus.PAUSED


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "Saludo Nuevo"}, "name"),
        ({"language": "espanol"}, "language"),
        ({"category": "OTHER"}, "category"),
        ({"components": [{"type": "HEADER", "format": "TEXT", "text": "Hola"}]}, "body"),
        ({"components": [{"type": "BODY", "text": "Hola {{1}}"}]}, "example"),
        (
            {"components": [{"type": "BODY", "text": "Hola {{2}}", "example": {"body_text": [["Ana"]]}}]},
            "example",
        ),
        ({"components": [{"type": "BODY", "text": "Hola {{nombre}}"}]}, "example"),
        ({"components": [{"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"}, BODY]}, "example"),
    ],
)
def test_submit_validates(line: Line, sandbox: type[Sandbox], fields: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {
        "name": "saludo",
        "language": "es_AR",
        "category": "UTILITY",
        "components": [BODY],
    }
    with pytest.raises(ValidationError) as caught:
        submit_template(line, **{**values, **fields})
    assert caught.value.code == code
    assert not Template.objects.for_account(line.account).exists()
    assert sandbox.templates == {}


def test_submit_creates_it_at_meta_and_stores_it_pending(line: Line, sandbox: type[Sandbox]) -> None:
    named = {
        "type": "BODY",
        "text": "Hola {{nombre}}",
        "example": {"body_text_named_params": [{"param_name": "nombre", "example": "Ana"}]},
    }
    template = submit_template(line, name="saludo", language="es_AR", category="UTILITY", components=[named])
    assert (template.status, template.waba_id, template.components) == ("PENDING", line.waba_id, [named])
    [remote] = sandbox.templates[line.waba_id]
    assert (remote.name, template.provider_id) == ("saludo", remote.provider_id)
    with pytest.raises(ValidationError) as caught:
        submit_template(line, name="saludo", language="es_AR", category="UTILITY", components=[BODY])
    assert caught.value.code == "duplicate"
