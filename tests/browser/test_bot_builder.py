"""A supervisor builds a two-level bot in the builder (htmx edits) and plays it in the test
console, in Chromium. Selectors go by names and data-testid, never by words."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bots.definition import parse
from bots.models import Bot
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team

pytestmark = pytest.mark.browser
OPTION_TITLES = ".bot-option > details > summary"  # each option's own, not its HTTP step's


@contextmanager
def edited(page: Page) -> Iterator[None]:
    """An editing action: its answer (the tree) swapped in before the next one starts."""
    with page.expect_response(lambda response: response.url.endswith("/tree/")):
        yield
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_build_a_two_level_bot_and_play_it(live_server: Any, new_context: NewContext, acme: Team) -> None:
    page = member_page(new_context, live_server.url, acme.supervisor, "bots/")
    form = page.get_by_test_id("new-bot")
    form.locator('input[name="name"]').fill("Atención")
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/bots/\d+/$"))

    first = page.get_by_test_id("level-1")
    first.locator('input[name="text"]').first.fill("¿En qué podemos ayudarle?")
    with edited(page):
        first.locator('input[name="text"]').first.press("Enter")
    for label in ("Ventas", "Soporte"):
        adder = page.get_by_test_id("level-1").locator('[data-testid^="add-option-"]').last
        adder.locator('input[name="label"]').fill(label)
        with edited(page):
            adder.locator('input[name="label"]').press("Enter")
        expect(page.get_by_test_id("level-1").locator(OPTION_TITLES)).to_contain_text([label])
    expect(page.locator('[data-testid^="preview-"]').first).to_have_attribute("data-kind", "buttons")
    expect(page.get_by_test_id("bot-warnings")).to_be_visible()  # nobody is assigned yet

    # A deeper level under Ventas, with two options; the second assigns the operator.
    opener = page.get_by_test_id("level-1").locator('[data-testid^="add-level-"]').first
    opener.locator('input[name="question"]').fill("¿Qué busca?")
    with edited(page):
        opener.locator('button[type="submit"]').click()
    second = page.get_by_test_id("level-2")
    expect(second).to_be_visible()
    for label in ("Autos", "Motos"):
        adder = page.get_by_test_id("level-2").locator('[data-testid^="add-option-"]')
        adder.locator('input[name="label"]').fill(label)
        with edited(page):
            adder.locator('input[name="label"]').press("Enter")
        expect(page.get_by_test_id("level-2").locator(OPTION_TITLES)).to_contain_text([label])
    motos = page.get_by_test_id("level-2").locator(".bot-option").nth(1)
    motos.locator("> details > summary").click()
    motos.locator('select[name="assign"]').select_option(str(acme.operator.id))
    motos.locator('textarea[name="closing"]').fill("Un asesor le escribe enseguida.")
    with edited(page):
        motos.locator('[data-testid^="option-form-"] button[type="submit"]').click()
    expect(page.get_by_test_id("bot-warnings")).to_have_count(0)

    bot = Bot.objects.for_account(acme.account).get()
    tree = parse(bot.tree)
    assert [o.label for o in tree.options] == ["Ventas", "Soporte"]
    level = tree.options[0].level
    assert level is not None
    assert [o.label for o in level.options] == ["Autos", "Motos"]
    assert level.options[1].assign == (acme.operator.id,)

    # The console: tap Ventas, then answer by number.
    page.get_by_test_id("console-reset").click()
    console = page.get_by_test_id("transcript")
    expect(console).to_contain_text("¿En qué podemos ayudarle?")
    console.get_by_test_id("tap").first.click()
    expect(console).to_contain_text("¿Qué busca?")
    page.get_by_test_id("console-text").fill("2")
    page.get_by_test_id("console-text").press("Enter")
    expect(console).to_contain_text("Un asesor le escribe enseguida.")
    expect(console.locator('[data-who="system"]').last).to_be_visible()
    expect(page.get_by_test_id("console-text")).to_have_count(0)  # finished: only "start again"
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['SCREENSHOTS']}/bot-builder.png", full_page=True)
