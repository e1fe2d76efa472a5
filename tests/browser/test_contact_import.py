"""A supervisor uploads a spreadsheet, keeps the preselected columns, and watches a real worker
import it through the page's progress (htmx polling), in Chromium.

Selectors go by names and data-testid, never by words (the interface is translated).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from audience.models import Contact, ContactImport, JobState
from tests.browser.conftest import NewContext, member_page
from tests.conftest import Team

pytestmark = pytest.mark.browser


def test_upload_map_and_watch_the_import(
    live_server: Any, new_context: NewContext, acme: Team, worker: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    rows = "".join(f"11 5000-{n:04d};Cliente {n}\n" for n in range(300))
    upload = tmp_path / "clientes.csv"
    upload.write_bytes(("Teléfono;Nombre\n" + rows + "123;Malo\n").encode("cp1252"))

    page = member_page(new_context, live_server.url, acme.supervisor, "contacts/imports/new/")
    form = page.get_by_test_id("import-upload")
    form.locator('input[type="file"]').set_input_files(str(upload))
    form.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/contacts/imports/\d+/$"))
    expect(page.locator('select[name="column_0"]')).to_have_value("phone")
    expect(page.locator('select[name="column_1"]')).to_have_value("name")
    expect(page.get_by_test_id("import-preview")).to_contain_text("Cliente 9")
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/import-mapping.png", full_page=True)

    page.get_by_test_id("start-import").click()
    progress = page.get_by_test_id("import-progress")
    expect(progress).to_have_attribute("data-state", JobState.DONE, timeout=30_000)
    expect(progress.get_by_test_id("created")).to_have_text("300")
    expect(progress.get_by_test_id("errors")).to_have_text("1")
    expect(progress.get_by_test_id("errors-file")).to_be_visible()
    if os.environ.get("SCREENSHOTS"):
        page.screenshot(path=os.environ["SCREENSHOTS"] + "/import-done.png", full_page=True)
    assert ContactImport.objects.for_account(acme.account).get().state == JobState.DONE
    assert Contact.objects.for_account(acme.account).count() == 300
