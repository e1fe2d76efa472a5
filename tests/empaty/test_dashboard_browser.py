"""A supervisor opens the EMPATY dashboard in Chromium and clicks a bar of the polarity chart to
reach the messages behind it. Selectors go by data-testid, never by words (translated UI)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NewContext, browser, member_page, new_context  # noqa: F401  # the fixtures
from tests.conftest import Team
from tests.empaty.test_dashboard_queries import Data

pytestmark = pytest.mark.browser


def test_a_click_on_a_bar_opens_its_messages(
    live_server: Any,
    new_context: NewContext,  # noqa: F811  # the fixture imported above
    acme: Team,
) -> None:
    data = Data(acme)
    page = member_page(
        new_context,
        live_server.url,
        acme.supervisor,
        "empaty/dashboard/?period=custom&start=2025-03-09&end=2025-03-10",
    )
    chart = page.get_by_test_id("chart-polarity")
    expect(chart).to_be_visible()
    bar = chart.locator('[data-testid="bar"][data-key="negative"][data-point="2025-03-10"]')
    expect(bar).to_have_count(1)
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/empaty-dashboard.png", full_page=True)

    bar.locator("rect").click()

    expect(page).to_have_url(re.compile(r"/empaty/dashboard/messages/"))
    rows = page.get_by_test_id("drill-row")
    expect(rows).to_have_count(2)
    shown = {int(rows.nth(index).get_attribute("data-message") or 0) for index in range(2)}
    assert shown == {data.angry.message_id, data.fixed.message_id}
    page.get_by_test_id("back-to-dashboard").click()
    expect(page.get_by_test_id("chart-polarity")).to_be_visible()
