"""Chromium through Playwright's sync API, against pytest-django's live server.

Debian's Chromium is launched (never `playwright install`). Playwright's sync API keeps an asyncio
loop marked as running in the test thread, which makes Django refuse ORM calls there (the live
server's flush at teardown among them): DJANGO_ALLOW_ASYNC_UNSAFE lifts that while the browser
lives. The browser is module-scoped, so it outlives each test's database flush.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from spoter.accounts.models import Membership
from tests.conftest import client_for

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TIMEOUT_MS = 5_000  # a local page that takes longer than this is a failure worth seeing
LIVE_MS = 10_000  # webhook -> worker -> socket -> fragment, on a busy test machine


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
                headless=True,
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser) -> Iterator[NewContext]:
    """Open browser contexts (separate cookies: separate people), closed after the test."""
    contexts: list[BrowserContext] = []

    def open_context(viewport: ViewportSize = DESKTOP) -> BrowserContext:
        context = browser.new_context(viewport=viewport, locale="es-AR")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def member_page(
    new_context: NewContext, base: str, member: Membership, path: str, *, live: bool = False
) -> Page:
    """A browser of its own logged in as ``member`` (their session), on ``path`` of their account;
    ``live``: once the inbox's websocket is connected, marked so a reload would show."""
    context = new_context()
    session = client_for(member).cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/a/{member.account.slug}/{path}")
    if live:
        page.wait_for_function("window.InboxLive && window.InboxLive.state.connected", timeout=LIVE_MS)
        page.evaluate("window.notReloaded = true")
    return page


def wait_for_link(to: str, pattern: str, timeout: float = 5.0) -> str:
    """The first URL matching ``pattern`` in an email sent to ``to`` (locmem outbox)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in mail.outbox:
            if to in message.to and (found := re.search(pattern, str(message.body))):
                return found.group(0)
        if time.monotonic() > deadline:
            sent = [(m.to, m.subject) for m in mail.outbox]
            raise AssertionError(f"no email to {to} with a link matching {pattern!r}; sent: {sent}")
        time.sleep(0.05)
