"""The campaign settings: each line's sending limits (CAM-3) and the opt-out words (CAM-1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from campaigns.content import footer, keywords
from campaigns.models import LineThrottle, OptOutSettings
from campaigns.throttle import limits_for
from inbox.models import Line
from tests.campaigns.test_views import make_line, url
from tests.conftest import Team, client_for


@pytest.fixture
def client(acme: Team) -> Client:
    return client_for(acme.supervisor)


@pytest.fixture
def line(acme: Team) -> Line:
    return make_line(acme.account)


def limits(line: Line, **changes: Any) -> dict[str, Any]:
    prefix = f"line{line.id}-"
    values = {
        "per_second": "4",
        "daily_cap": "6000",
        "warmup_from": "",
        "warmup_per_5_minutes": "10",
        "warmup_growth": "2",
    } | changes
    return {"line": str(line.id), **{prefix + key: value for key, value in values.items()}}


def test_the_page_lists_lines_with_defaults_and_presets(acme: Team, client: Client, line: Line) -> None:
    page = client.get(url(acme, "campaigns_throttle")).content.decode()
    assert f'data-testid="throttle-{line.id}"' in page
    assert 'value="20.0"' in page  # the default rate
    assert "WOZTELL basic" in page
    assert "Cloud API default" in page
    assert 'value="6000"' in page


def test_save_a_lines_limits_and_the_runner_uses_them(acme: Team, client: Client, line: Line) -> None:
    other = make_line(acme.account, name="Soporte", display_number="+5491100000002")
    response = client.post(url(acme, "campaigns_throttle"), limits(line, warmup_from="2026-01-01"))
    assert response.status_code == 302
    throttle = LineThrottle.objects.for_account(acme.account).get()
    assert (throttle.line, throttle.per_second, throttle.daily_cap) == (line, 4.0, 6000)
    assert limits_for(line, date(2030, 1, 1)).per_second == 4.0
    assert limits_for(line, date(2026, 1, 1)).per_second == pytest.approx(10 / 300)  # warm-up, day one
    assert limits_for(other, date(2030, 1, 1)).per_second == LineThrottle.DEFAULT_PER_SECOND
    # Saved again: the same row changes.
    client.post(url(acme, "campaigns_throttle"), limits(line, per_second="80", daily_cap=""))
    throttle.refresh_from_db()
    assert (throttle.per_second, throttle.daily_cap) == (80.0, None)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"per_second": "0"}, "Between more than 0 and 1000 messages per second."),
        ({"per_second": "1001"}, "Between more than 0 and 1000 messages per second."),
        ({"per_second": "abc"}, "Enter a number."),
        ({"daily_cap": "0"}, "Between 1 and 10,000,000 messages a day"),
        ({"warmup_per_5_minutes": "0"}, "Between 1 and 300,000 messages."),
        ({"warmup_growth": "0.5"}, "A daily growth between 1 (none) and 10."),
    ],
)
def test_bad_limits_answer_400(
    acme: Team, client: Client, line: Line, changes: dict[str, str], error: str
) -> None:
    response = client.post(url(acme, "campaigns_throttle"), limits(line, **changes))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not LineThrottle.objects.for_account(acme.account).exists()


def test_a_line_of_another_account_cannot_be_limited(acme: Team, globex: Team, line: Line) -> None:
    response = client_for(globex.supervisor).post(url(globex, "campaigns_throttle"), limits(line))
    assert response.status_code == 400
    assert not LineThrottle.objects.for_account(acme.account).exists()
    assert not LineThrottle.objects.for_account(globex.account).exists()


def test_opt_out_words_and_confirmation(acme: Team, client: Client) -> None:
    page = client.get(url(acme, "campaigns_opt_out")).content.decode()
    assert "0, BAJA, STOP" in page
    response = client.post(
        url(acme, "campaigns_opt_out"), {"keywords": " salir,baja , ,Salir", "confirmation": " Listo. "}
    )
    assert response.status_code == 302
    settings = OptOutSettings.objects.for_account(acme.account).get()
    assert (settings.keywords, settings.confirmation) == ("SALIR, BAJA", "Listo.")
    assert keywords(acme.account) == ["SALIR", "BAJA"]
    assert footer(acme.account) == "Write SALIR to stop receiving these messages."


@pytest.mark.parametrize(
    ("keywords_typed", "error"), [(" , ", "Give at least one word."), ("x" * 31, "at most 30 characters")]
)
def test_bad_opt_out_words(acme: Team, client: Client, keywords_typed: str, error: str) -> None:
    response = client.post(url(acme, "campaigns_opt_out"), {"keywords": keywords_typed, "confirmation": ""})
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not OptOutSettings.objects.for_account(acme.account).exists()


def test_operators_are_refused(acme: Team, line: Line) -> None:
    operator = client_for(acme.operator)
    for name in ("campaigns_throttle", "campaigns_opt_out"):
        assert operator.get(url(acme, name)).status_code == 403
    assert operator.post(url(acme, "campaigns_throttle"), limits(line)).status_code == 403
    assert not LineThrottle.objects.for_account(acme.account).exists()


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    assert client_for(globex.admin).get(url(acme, "campaigns_opt_out")).status_code == 404
