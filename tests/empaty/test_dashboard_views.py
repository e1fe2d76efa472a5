"""The dashboard and drill-down pages: a bar links to exactly its rows, bad filters are form
errors (400), operators get 403, other accounts 404, and the menu shows EMPATY to supervisors."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from spoter.accounts.models import Role
from tests.conftest import Team, client_for
from tests.empaty.test_dashboard_queries import Data, analysed, local
from tests.inbox.sending.conftest import make_conversation, make_line

PERIOD = {"period": "custom", "start": "2025-03-09", "end": "2025-03-10"}


def url(team: Team, name: str = "empaty_dashboard") -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug})


def bar_link(page: str, key: str, point: str) -> str:
    """The href of the chart piece with this key (emotion or polarity) and point (day or row)."""
    found = re.search(rf'<a href="([^"]+)" aria-label="[^"]*" data-testid="bar" data-key="{key}" '
                      rf'data-point="{point}"', page)  # fmt: skip
    assert found, f"no bar {key} at {point}"
    return unescape(found.group(1))


def drilled(client: Client, link: str) -> set[int]:
    response = client.get(link)
    assert response.status_code == 200
    return {
        int(found) for found in re.findall(r'data-testid="drill-row" data-message="(\d+)"', response.text)
    }


@pytest.fixture
def data(acme: Team) -> Data:
    return Data(acme)


def test_a_bar_leads_to_exactly_its_messages(acme: Team, data: Data) -> None:
    client = client_for(acme.supervisor)
    page = client.get(url(acme), PERIOD).text

    negative_10 = bar_link(page, "negative", "2025-03-10")
    assert drilled(client, negative_10) == {data.angry.message_id, data.fixed.message_id}
    assert drilled(client, bar_link(page, "joy", "2025-03-09")) == {data.late.message_id}
    assert drilled(client, bar_link(page, "sadness", "2025-03-10")) == {data.fixed.message_id}
    # The comparisons: Soporte's neutral share, the operator's negative share, the VIP tag's.
    assert drilled(client, bar_link(page, "neutral", str(data.soporte.id))) == {data.neutral.message_id}
    assert drilled(client, bar_link(page, "negative", str(acme.operator.id))) == {data.angry.message_id}
    assert drilled(client, bar_link(page, "positive", str(data.vip.id))) == {data.late.message_id}
    assert drilled(client, bar_link(page, "neutral", "none")) == {data.neutral.message_id}
    # A point of the mean-score line: the whole day.
    day = re.search(
        r'<a href="([^"]+)" aria-label="[^"]*" data-testid="mean-point" data-point="2025-03-10"', page
    )
    assert day
    assert drilled(client, unescape(day.group(1))) == {
        data.angry.message_id, data.fixed.message_id, data.neutral.message_id
    }  # fmt: skip


def test_the_drill_down_shows_the_contact_conversation_text_and_final_labels(
    acme: Team, data: Data, english: None
) -> None:
    client = client_for(acme.supervisor)
    page = client.get(url(acme), PERIOD).text
    response = client.get(bar_link(page, "sadness", "2025-03-10"))
    chat = reverse(
        "inbox_conversation", kwargs={"account_slug": acme.account.slug, "number": data.chat.number}
    )
    assert chat in response.text
    assert data.fixed.message.text in response.text
    assert "sadness" in response.text
    assert "negative" in response.text
    assert "corrected" in response.text


def test_the_drill_down_is_paged(acme: Team, data: Data) -> None:
    for minute in range(55):
        analysed(data.chat, local(10, 15, minute), "negative", "anger")
    client = client_for(acme.supervisor)
    link = bar_link(client.get(url(acme), PERIOD).text, "anger", "2025-03-10")
    first = drilled(client, link)
    second = drilled(client, link + "&page=2")
    assert len(first) == 50
    assert len(second) == 6
    assert not first & second
    assert client.get(link + "&page=zzz").status_code == 200


def test_the_page_shows_charts_with_titles_and_a_legend(acme: Team, data: Data, english: None) -> None:
    page = client_for(acme.supervisor).get(url(acme), PERIOD).text
    for chart in ("emotions", "polarity", "by-line", "by-operator", "by-tag"):
        assert f'data-testid="chart-{chart}"' in page
        assert f'<title id="{chart}-title">' in page
    assert "Emotions per day" in page
    assert 'class="legend"' in page
    assert 'data-key="others"' in page
    assert (
        'data-key="others"'
        not in client_for(acme.supervisor).get(url(acme), {**PERIOD, "hide_others": "on"}).text
    )


def test_a_period_without_data_says_so(acme: Team) -> None:
    response = client_for(acme.supervisor).get(url(acme))
    assert response.status_code == 200
    assert 'data-testid="dashboard-empty"' in response.text


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "start": "2025-03-10"},
        {"period": "custom", "start": "2025-13-01", "end": "2025-03-01"},
        {"period": "forever"},
        {"line": "abc"},
        {"operator": "12345678"},
        {"tag": "12345678"},
    ],
)
def test_bad_filters_are_form_errors(acme: Team, query: dict[str, str]) -> None:
    client = client_for(acme.supervisor)
    for name in ("empaty_dashboard", "empaty_dashboard_messages"):
        response = client.get(url(acme, name), query)
        assert response.status_code == 400
        assert 'data-testid="filter-errors"' in response.text


@pytest.mark.parametrize("query", [{"day": "ayer"}, {"emotion": "rage"}, {"polarity": "meh"}])
def test_a_bad_point_is_a_form_error(acme: Team, query: dict[str, str]) -> None:
    response = client_for(acme.supervisor).get(url(acme, "empaty_dashboard_messages"), query)
    assert response.status_code == 400


def test_operators_get_no_access_and_no_menu_item(acme: Team, data: Data) -> None:
    operator = client_for(acme.operator)
    for name in ("empaty_dashboard", "empaty_dashboard_messages", "empaty_alerts"):
        assert operator.get(url(acme, name)).status_code == 403
    home = reverse("account_home", kwargs={"account_slug": acme.account.slug})
    assert url(acme) not in operator.get(home, follow=True).text
    for role in (Role.SUPERVISOR, Role.ADMIN):
        client = client_for(acme.member(role))
        assert client.get(url(acme)).status_code == 200
        assert url(acme) in client.get(home, follow=True).text


def test_it_checks_ownership(acme: Team, globex: Team, data: Data) -> None:
    outsider = client_for(globex.admin)
    for name in ("empaty_dashboard", "empaty_dashboard_messages", "empaty_alerts"):
        assert outsider.get(url(acme, name)).status_code == 404


def test_another_accounts_rows_never_reach_the_charts_or_drill_downs(
    acme: Team, globex: Team, data: Data
) -> None:
    theirs = make_conversation(make_line(globex), "+5491100000009")
    secret = analysed(theirs, local(10, 12), "negative", "anger", text="secreto de globex")
    client = client_for(acme.supervisor)
    page = client.get(url(acme), PERIOD).text
    assert drilled(client, bar_link(page, "anger", "2025-03-10")) == {data.angry.message_id}
    everything = url(acme, "empaty_dashboard_messages") + "?period=custom&start=2025-03-09&end=2025-03-10"
    assert len(drilled(client, everything)) == 4
    assert secret.message_id not in drilled(client, everything)
    assert "secreto de globex" not in client.get(everything).text


def test_the_page_costs_a_fixed_number_of_queries(
    acme: Team, data: Data, django_assert_max_num_queries: object
) -> None:
    for minute in range(30):
        analysed(data.other_chat, local(10, 16, minute), "positive", "joy")
    client = client_for(acme.supervisor)
    client.get(url(acme), PERIOD)  # warm the session and the menu's caches
    with django_assert_max_num_queries(16):  # type: ignore[operator]  # pytest-django's fixture
        assert client.get(url(acme), PERIOD).status_code == 200
