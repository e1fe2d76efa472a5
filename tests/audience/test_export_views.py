"""The export pages (AUD-4): request, progress, download, the list with the personal data log."""

from __future__ import annotations

import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import LazySettings
from django.urls import reverse

from audience.exports import request_export, run_export
from audience.filters import ContactFilter
from audience.models import AudienceAudit, AuditAction, Contact, ContactExport, JobState
from audience.tags import get_or_create_tag
from tests.conftest import Team, client_for

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _media_root(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


def url(team: Team, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def queued(team: Team, file_format: str = "csv") -> ContactExport:
    return request_export(
        team.account, contact_filter=ContactFilter(), file_format=file_format, by=team.supervisor
    )


def test_a_supervisor_requests_an_export_with_the_pages_filter(acme: Team) -> None:
    vip = get_or_create_tag(acme.account, "VIP")
    response = client_for(acme.supervisor).post(
        url(acme, "contact_export_create"),
        {"tag_any": [str(vip.id)], "opted_out": "no", "q": "ana", "file_format": "xlsx"},
    )
    export = ContactExport.objects.for_account(acme.account).get()
    assert response.status_code == 302
    assert response["Location"] == url(acme, "contact_export", export_id=export.id)
    assert (export.file_format, export.state) == ("xlsx", JobState.QUEUED)
    assert export.created_by == acme.supervisor.user
    expected = ContactFilter(q="ana", tags_any=(vip.id,), opted_out="no")
    assert ContactFilter.from_json(export.filters) == expected

    audit = AudienceAudit.objects.for_account(acme.account).get()
    assert (audit.action, audit.actor) == (AuditAction.EXPORTED, acme.supervisor.user)
    assert f"#{export.id}" in audit.summary
    assert "XLSX" in audit.summary
    assert "VIP" in audit.summary
    assert "opted out: no" in audit.summary


@pytest.mark.parametrize("file_format", ["", "pdf", "CSV "])
def test_a_bad_file_format_is_refused_and_writes_nothing(acme: Team, file_format: str) -> None:
    response = client_for(acme.admin).post(url(acme, "contact_export_create"), {"file_format": file_format})
    assert response.status_code == 400
    assert "csv, xlsx" in response.content.decode()
    assert not ContactExport.objects.for_account(acme.account).exists()
    assert not AudienceAudit.objects.for_account(acme.account).exists()


def test_operators_cannot_export(acme: Team) -> None:
    response = client_for(acme.operator).post(url(acme, "contact_export_create"), {"file_format": "csv"})
    assert response.status_code == 403
    assert not ContactExport.objects.for_account(acme.account).exists()
    assert client_for(acme.operator).get(url(acme, "contact_exports")).status_code == 403


def test_the_worker_writes_the_file_after_commit(acme: Team, worker: None) -> None:
    Contact.objects.for_account(acme.account).create(account=acme.account, phone="+5491122334455", name="Ana")
    client = client_for(acme.supervisor)
    client.post(url(acme, "contact_export_create"), {"file_format": "csv"})
    export = ContactExport.objects.for_account(acme.account).get()
    deadline = time.monotonic() + 20
    while export.state != JobState.DONE and time.monotonic() < deadline:
        time.sleep(0.1)
        export.refresh_from_db()
    assert export.state == JobState.DONE
    response = client.get(url(acme, "contact_export_download", export_id=export.id))
    assert response.status_code == 200
    assert "Ana" in response.getvalue().decode("utf-8-sig")


def test_the_download_is_an_attachment_named_by_day(acme: Team) -> None:
    Contact.objects.for_account(acme.account).create(account=acme.account, phone="+5491122334455")
    export = queued(acme, "xlsx")
    run_export(acme.account, export.id)
    export.refresh_from_db()
    response = client_for(acme.supervisor).get(url(acme, "contact_export_download", export_id=export.id))
    assert response.status_code == 200
    day = export.created_at.astimezone(ZoneInfo(acme.account.time_zone)).date()
    assert response["Content-Disposition"] == f'attachment; filename="contactos-{day.isoformat()}.xlsx"'
    assert response.getvalue().startswith(b"PK")


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING, JobState.FAILED])
def test_an_unfinished_export_is_not_downloadable(acme: Team, state: JobState) -> None:
    export = queued(acme)
    ContactExport.objects.for_account(acme.account).filter(id=export.id).update(
        state=state, file="exports/half.csv"
    )
    response = client_for(acme.supervisor).get(url(acme, "contact_export_download", export_id=export.id))
    assert response.status_code == 302
    assert response["Location"] == url(acme, "contact_export", export_id=export.id)


def test_progress_page_for_each_state(acme: Team) -> None:
    export = queued(acme)
    client = client_for(acme.supervisor)
    page = url(acme, "contact_export", export_id=export.id)

    response = client.get(page)
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.content.decode()

    ContactExport.objects.for_account(acme.account).filter(id=export.id).update(
        state=JobState.RUNNING, total_rows=200, processed_rows=50
    )
    fragment = client.get(page, headers=HTMX).content.decode()
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="50"' in fragment
    assert "50 of 200" in fragment

    run_export(acme.account, export.id)
    fragment = client.get(page, headers=HTMX).content.decode()
    assert "every 1s" not in fragment
    assert url(acme, "contact_export_download", export_id=export.id) in fragment

    ContactExport.objects.for_account(acme.account).filter(id=export.id).update(
        state=JobState.FAILED, failure="disk full"
    )
    fragment = client.get(page, headers=HTMX).content.decode()
    assert "disk full" in fragment
    assert "every 1s" not in fragment
    assert "download" not in fragment


def test_the_list_shows_exports_and_the_personal_data_log(acme: Team, globex: Team) -> None:
    mine = queued(acme)
    theirs = queued(globex)
    AudienceAudit.objects.for_account(acme.account).create(
        account=acme.account, actor=acme.admin.user, action=AuditAction.ERASED, summary="Contact #17"
    )
    AudienceAudit.objects.for_account(globex.account).create(
        account=globex.account, actor=globex.admin.user, action=AuditAction.ERASED, summary="Contact #99"
    )
    response = client_for(acme.supervisor).get(url(acme, "contact_exports"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="export-{mine.id}"' in page
    assert f'data-testid="export-{theirs.id}"' not in page
    assert "all contacts" in page
    assert "Contact #17" in page
    assert "Contact #99" not in page
    assert acme.supervisor.user.email in page  # who exported


def test_the_list_costs_a_fixed_number_of_queries(acme: Team, django_assert_max_num_queries: object) -> None:
    client = client_for(acme.supervisor)
    client.get(url(acme, "contact_exports"))
    for _ in range(5):
        queued(acme)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(url(acme, "contact_exports")).status_code == 200


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    export = queued(acme)
    run_export(acme.account, export.id)
    outsider = client_for(globex.admin)
    for name in ("contact_export", "contact_export_download"):
        assert outsider.get(url(acme, name, export_id=export.id)).status_code == 404
    # Their own URL with our export's id: still nothing.
    assert outsider.get(url(globex, "contact_export_download", export_id=export.id)).status_code == 404
    assert outsider.get(url(globex, "contact_export", export_id=export.id)).status_code == 404
    assert outsider.post(url(acme, "contact_export_create"), {"file_format": "csv"}).status_code == 404
    assert not ContactExport.objects.for_account(globex.account).exists()
