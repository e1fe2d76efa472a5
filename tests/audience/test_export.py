"""Contact exports (AUD-4): the file's content, formula neutralisation, filters, reruns."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.utils import timezone
from openpyxl import load_workbook

from audience.exports import STALE_AFTER, neutralise, request_export, requeue_lost_exports, run_export
from audience.filters import ContactFilter
from audience.models import Contact, ContactExport, CustomField, FieldKind, JobState, Source
from audience.tags import get_or_create_tag
from audience.tasks import export_contacts
from spoter.accounts.models import Account
from tests.conftest import Team

NOON = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)  # 12:30 in Buenos Aires


@pytest.fixture(autouse=True)
def _media_root(settings: LazySettings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture(autouse=True)
def _english(acme: Team) -> None:
    """Headers in English here; test_headers_follow_the_accounts_language checks Spanish."""
    acme.account.language = "en"
    acme.account.save(update_fields=["language"])


def contact(account: Account, phone: str, **fields: object) -> Contact:
    return Contact.objects.for_account(account).create(account=account, phone=phone, **fields)


def export_of(team: Team, file_format: str = "csv", **query: list[str]) -> ContactExport:
    export = request_export(
        team.account,
        contact_filter=ContactFilter.from_query(query),
        file_format=file_format,
        by=team.supervisor,
    )
    assert run_export(team.account, export.id) == JobState.DONE
    export.refresh_from_db()
    return export


def read_csv(export: ContactExport) -> list[list[str]]:
    data = export.file.open("rb").read()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(export: ContactExport) -> list[list[object]]:
    sheet = load_workbook(export.file.open("rb"), read_only=True).active
    assert sheet is not None
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def ana(acme: Team) -> Contact:
    CustomField.objects.for_account(acme.account).create(account=acme.account, key="empresa", label="Empresa")
    CustomField.objects.for_account(acme.account).create(
        account=acme.account, key="compras", label="Compras", kind=FieldKind.NUMBER, position=1
    )
    ana = contact(
        acme.account,
        "+5491122334455",
        name="Ana Pérez",
        nickname="Anita",
        email="ana@example.com",
        dni="30123456",
        source=Source.IMPORT,
        custom_fields={"empresa": "Ñandú SRL", "compras": 12},
        created_at=NOON,
        last_seen_at=NOON,
        opted_out_at=NOON,
        consent_at=NOON,
        consent_source="import: ferias.csv",
    )
    ana.tags.add(get_or_create_tag(acme.account, "VIP"), get_or_create_tag(acme.account, "Clientes"))
    return ana


def test_csv_has_every_column_in_the_accounts_zone(acme: Team, ana: Contact) -> None:
    export = export_of(acme)
    header, row = read_csv(export)
    assert header == [
        "Phone",
        "Name",
        "Nickname",
        "Email",
        "DNI",
        "Tags",
        "Empresa",
        "Compras",
        "Opted out",
        "Blocked",
        "Source",
        "Added",
        "Last seen",
        "Consent given at",
        "Consent given through",
    ]
    assert row == [
        "+5491122334455",  # a plain signed number is not a formula: no quote
        "Ana Pérez",
        "Anita",
        "ana@example.com",
        "30123456",
        "Clientes, VIP",
        "Ñandú SRL",
        "12",
        "2026-11-21 12:30",
        "",
        "imported",
        "2026-11-21 12:30",
        "2026-11-21 12:30",
        "2026-11-21 12:30",
        "import: ferias.csv",
    ]
    assert (export.state, export.total_rows, export.processed_rows) == (JobState.DONE, 1, 1)
    assert export.finished_at is not None


def test_xlsx_has_the_same_rows_with_numbers_as_numbers(acme: Team, ana: Contact) -> None:
    rows = read_xlsx(export_of(acme, "xlsx"))
    assert rows[0][:3] == ["Phone", "Name", "Nickname"]
    assert rows[1][:8] == [
        "+5491122334455",
        "Ana Pérez",
        "Anita",
        "ana@example.com",
        "30123456",
        "Clientes, VIP",
        "Ñandú SRL",
        12,
    ]
    assert len(rows) == 2


def test_headers_follow_the_accounts_language(acme: Team, ana: Contact) -> None:
    acme.account.language = "es"
    acme.account.save(update_fields=["language"])
    header = read_csv(export_of(acme))[0]
    assert header[:2] == ["Teléfono", "Nombre"]


DANGEROUS = {
    "name": '=HYPERLINK("http://evil","x")',
    "nickname": "+SUM(A1:A2)",
    "email": "@cmd",
    "consent_source": "-2+3",
}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formulas_are_neutralised(acme: Team, file_format: str) -> None:
    CustomField.objects.for_account(acme.account).create(account=acme.account, key="nota", label="Nota")
    contact(acme.account, "+5491100000001", custom_fields={"nota": "\t=1+1"}, **DANGEROUS)
    export = export_of(acme, file_format)
    rows = read_csv(export) if file_format == "csv" else read_xlsx(export)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Name"] == '\'=HYPERLINK("http://evil","x")'
    assert row["Nickname"] == "'+SUM(A1:A2)"
    assert row["Email"] == "'@cmd"
    assert row["Consent given through"] == "'-2+3"
    assert row["Nota"] == "'\t=1+1"
    assert row["Phone"] == "+5491100000001"


def test_neutralise_leaves_plain_text_and_numbers() -> None:
    assert neutralise("Ana") == "Ana"
    assert neutralise("-12,5") == "-12,5"
    assert neutralise("+5491122334455") == "+5491122334455"
    assert neutralise("\rx") == "'\rx"
    assert neutralise("-") == "'-"


def test_only_the_filters_contacts_are_exported(acme: Team, globex: Team) -> None:
    vip = get_or_create_tag(acme.account, "VIP")
    kept = contact(acme.account, "+5491100000001", name="Kept")
    kept.tags.add(vip)
    contact(acme.account, "+5491100000002", name="Untagged")
    contact(acme.account, "+5491100000003", name="Opted out", opted_out_at=NOON).tags.add(vip)
    outsider = contact(globex.account, "+5491100000004", name="Globex")
    outsider.tags.add(get_or_create_tag(globex.account, "VIP"))

    rows = read_csv(export_of(acme, tag_any=[str(vip.id)], opted_out=["no"]))
    assert [row[1] for row in rows[1:]] == ["Kept"]


def test_another_accounts_tag_ids_match_nothing(acme: Team, globex: Team) -> None:
    contact(acme.account, "+5491100000001", name="Acme")
    theirs = get_or_create_tag(globex.account, "VIP")
    contact(globex.account, "+5491100000002", name="Globex").tags.add(theirs)

    assert read_csv(export_of(acme, tag_any=[str(theirs.id)]))[1:] == []
    everyone = read_csv(export_of(acme, tag_none=[str(theirs.id)]))
    assert [row[1] for row in everyone[1:]] == ["Acme"]


def test_an_export_with_no_filter_has_every_contact_of_the_account_only(acme: Team, globex: Team) -> None:
    for number in range(5):
        contact(acme.account, f"+549110000000{number}")
    contact(globex.account, "+5491199999999")
    rows = read_csv(export_of(acme))
    assert len(rows) == 6
    assert "+5491199999999" not in {row[0] for row in rows}


def test_running_twice_keeps_the_first_file(acme: Team, ana: Contact) -> None:
    export = export_of(acme)
    first = export.file.name
    ana.name = "Changed"
    ana.save(update_fields=["name"])
    assert run_export(acme.account, export.id) == JobState.DONE
    export.refresh_from_db()
    assert export.file.name == first
    assert read_csv(export)[1][1] == "Ana Pérez"


def test_an_interrupted_run_is_written_again(acme: Team, ana: Contact) -> None:
    export = request_export(
        acme.account, contact_filter=ContactFilter(), file_format="csv", by=acme.supervisor
    )
    ContactExport.objects.for_account(acme.account).filter(id=export.id).update(
        state=JobState.RUNNING, processed_rows=1
    )
    assert run_export(acme.account, export.id) == JobState.DONE
    export.refresh_from_db()
    assert len(read_csv(export)) == 2


def test_another_accounts_export_is_not_run(acme: Team, globex: Team, ana: Contact) -> None:
    export = request_export(
        acme.account, contact_filter=ContactFilter(), file_format="csv", by=acme.supervisor
    )
    assert run_export(globex.account, export.id) == "missing"
    export.refresh_from_db()
    assert (export.state, export.file.name) == (JobState.QUEUED, "")


def test_a_failure_is_recorded_and_leaves_no_file(acme: Team, ana: Contact, tmp_path: Path) -> None:
    export = request_export(
        acme.account, contact_filter=ContactFilter(), file_format="csv", by=acme.supervisor
    )
    # An account zone that does not exist makes the writer fail after the file was started.
    Account.objects.filter(id=acme.account.id).update(time_zone="Mars/Olympus")
    acme.account.refresh_from_db()
    assert run_export(acme.account, export.id) == JobState.FAILED
    export.refresh_from_db()
    assert export.state == JobState.FAILED
    assert "Mars/Olympus" in export.failure
    assert export.file.name == ""
    assert not list(tmp_path.rglob("*.csv"))


def test_control_characters_do_not_break_the_workbook(acme: Team) -> None:
    contact(acme.account, "+5491100000001", name="Ana\x07 Pérez\x1b")
    rows = read_xlsx(export_of(acme, "xlsx"))
    assert rows[1][1] == "Ana Pérez"


def test_a_lost_export_is_queued_again_by_the_sweep_and_a_live_one_is_not(
    acme: Team, django_capture_on_commit_callbacks: Any
) -> None:
    contact(acme.account, "+5491122334455")
    with django_capture_on_commit_callbacks(execute=False):  # their tasks are lost: never run
        everyone = ContactFilter()
        lost, live = (
            request_export(acme.account, contact_filter=everyone, file_format="csv", by=acme.supervisor)
            for _ in range(2)
        )
    later = timezone.now() + STALE_AFTER + timedelta(seconds=1)
    ContactExport.objects.for_account(acme.account).filter(id=live.id).update(
        state=JobState.RUNNING,
        heartbeat_at=later,  # a worker writing it right then
    )
    assert requeue_lost_exports() == 0  # nothing is stale yet
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks() as enqueued:
        assert requeue_lost_exports() == 1
    assert len(enqueued) == 1
    lost.refresh_from_db()
    assert lost.state == JobState.QUEUED
    export_contacts(acme.account.id, lost.id)  # what the queued task does
    lost.refresh_from_db()
    assert lost.state == JobState.DONE
    assert read_csv(lost)[1][0] == "+5491122334455"
