"""The browser fixtures of tests/browser, for the phone page's browser test."""

from tests.browser.conftest import browser, new_context  # noqa: F401 -- re-exported fixtures
