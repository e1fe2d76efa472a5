"""The import worker (AUD-2): rows into contacts, dedupe, per-row errors, resume, tenancy."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audience.imports import runner, services
from audience.models import (
    AudienceAudit,
    AuditAction,
    Contact,
    ContactImport,
    CustomField,
    Dedupe,
    FieldKind,
    JobState,
    Source,
    Tag,
)
from spoter.accounts.models import Account
from tests.conftest import Team


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english(acme: Team) -> None:
    """Row errors are written in the account's language; these tests read the English ones."""
    acme.account.language = "en"
    acme.account.save(update_fields=["language"])


def csv_upload(text: str, name: str = "clientes.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list[Any]], name: str = "clientes.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def uploaded(team: Team, upload: SimpleUploadedFile) -> ContactImport:
    return services.create_import(team.account, team.supervisor.user, upload)


def start(
    contact_import: ContactImport,
    mapping: dict[str, str] | None = None,
    tags: list[str] | None = None,
    dedupe: str = Dedupe.UPDATE,
) -> ContactImport:
    mapping = mapping or services_guess(contact_import)
    return services.start_import(contact_import, mapping, tags or [], dedupe)


def services_guess(contact_import: ContactImport) -> dict[str, str]:
    from audience.imports import mapping

    account = contact_import.account
    return mapping.guess(account, contact_import, services.fields_of(account))


def run(contact_import: ContactImport, **kwargs: int) -> ContactImport:
    account = contact_import.account
    runner.claim(account, contact_import.id)
    runner.run(account, contact_import.id, **kwargs)
    contact_import.refresh_from_db()
    return contact_import


def imported(team: Team, upload: SimpleUploadedFile, **kwargs: object) -> ContactImport:
    return run(start(uploaded(team, upload), **kwargs))  # type: ignore[arg-type]


def phones(account: Account) -> list[str]:
    return sorted(Contact.objects.for_account(account).values_list("phone", flat=True))


def tag_names(contact: Contact) -> list[str]:
    return sorted(
        Tag.objects.for_account(contact.account).filter(contacts=contact).values_list("name", flat=True),
        key=str.casefold,
    )


def test_local_argentine_formats_become_e164(acme: Team) -> None:
    done = imported(
        acme,
        csv_upload(
            "telefono,nombre\n011 15-2233-4455,Ana\n(0351) 15 612-3456,Beto\n+54 9 341 555-1234,Caro\n"
            "5491144445555,Dani\n"
        ),
    )
    assert done.state == JobState.DONE
    assert (done.created_count, done.error_count) == (4, 0)
    assert phones(acme.account) == ["+5491122334455", "+5491144445555", "+5493415551234", "+5493516123456"]
    ana = Contact.objects.for_account(acme.account).get(phone="+5491122334455")
    assert (ana.name, ana.source, ana.registered) == ("Ana", Source.IMPORT, True)


def test_per_row_errors_name_the_row_and_reason(acme: Team) -> None:
    CustomField.objects.create(account=acme.account, key="cumple", label="Cumpleaños", kind=FieldKind.DATE)
    done = imported(
        acme,
        csv_upload(
            "telefono,email,dni,cumple\n"
            "1122334455,ana@example.com,30.123.456,31/12/1990\n"
            "12,,,\n"
            "\n"
            "1122334466,no-es-mail,,\n"
            "1122334477,,123,\n"
            "1122334488,,,ayer\n"
        ),
    )
    assert (done.created_count, done.error_count, done.processed_rows, done.total_rows) == (1, 4, 5, 5)
    rows = [number for number, _reason in done.errors]
    assert rows == [3, 5, 6, 7]  # the header is row 1; the empty line 4 still counts as a line
    reasons = [reason for _number, reason in done.errors]
    assert "12 is not a valid phone number." in reasons[0]
    assert "no-es-mail" in reasons[1]
    assert "7 or 8 digits" in reasons[2]
    assert "Cumpleaños" in reasons[3]
    ana = Contact.objects.for_account(acme.account).get()
    assert (ana.email, ana.dni, ana.custom_fields) == (
        "ana@example.com",
        "30123456",
        {"cumple": "1990-12-31"},
    )


def test_xlsx_excel_dates_and_numbers_as_phones(acme: Team) -> None:
    CustomField.objects.create(account=acme.account, key="alta", label="Alta", kind=FieldKind.DATE)
    CustomField.objects.create(account=acme.account, key="compras", label="Compras", kind=FieldKind.NUMBER)
    done = imported(
        acme,
        xlsx_upload(
            [
                ["Celular", "Nombre", "Alta", "Compras"],
                [5491122334455, "Ana", datetime(2024, 3, 1), 3],
                [5491122334466.0, "Beto", 45000, 2.5],  # 45000: an Excel serial day
                [None, None, None, None],
                ["1.122334477E+9", "Caro", "01/02/2024", "1.234,5"],
            ]
        ),
    )
    assert (done.created_count, done.error_count) == (3, 0), done.errors
    contacts = {c.name: c for c in Contact.objects.for_account(acme.account)}
    assert contacts["Ana"].phone == "+5491122334455"
    assert contacts["Ana"].custom_fields == {"alta": "2024-03-01", "compras": 3}
    assert contacts["Beto"].phone == "+5491122334466"
    assert contacts["Beto"].custom_fields == {"alta": "2023-03-15", "compras": 2.5}
    assert contacts["Caro"].phone == "+5491122334477"  # as Excel shows a number
    assert contacts["Caro"].custom_fields == {"alta": "2024-02-01", "compras": 1234.5}


def test_duplicates_update_merges_non_empty_cells(acme: Team) -> None:
    vip = Tag.objects.create(account=acme.account, name="VIP")
    old = Contact.objects.create(
        account=acme.account,
        phone="+5491122334455",
        name="Ana Vieja",
        email="ana@old.com",
        custom_fields={"empresa": "Acme", "zona": "Sur"},
    )
    old.tags.add(vip)
    CustomField.objects.create(account=acme.account, key="zona", label="Zona")
    done = imported(
        acme,
        csv_upload(
            "telefono;nombre;email;zona;etiquetas\n"
            "11 2233-4455;Ana Nueva;;Norte;feria\n"
            "1122334466;Beto;;;\n"
            "+5491122334466;Beto Bis;beto@example.com;;Feria, otoño\n"
        ),
        tags=["Lista marzo"],
    )
    assert (done.created_count, done.updated_count, done.skipped_count, done.error_count) == (1, 2, 0, 0)
    old.refresh_from_db()
    assert (old.name, old.email) == ("Ana Nueva", "ana@old.com")  # an empty cell keeps the old value
    assert old.custom_fields == {"empresa": "Acme", "zona": "Norte"}
    assert tag_names(old) == ["feria", "Lista marzo", "VIP"]
    beto = Contact.objects.for_account(acme.account).get(phone="+5491122334466")
    assert (beto.name, beto.email) == ("Beto Bis", "beto@example.com")  # the later row wins
    assert tag_names(beto) == ["feria", "Lista marzo", "otoño"]
    assert Tag.objects.for_account(acme.account).count() == 4  # "Feria" is the same tag as "feria"


def test_duplicates_skip_leaves_existing_contacts_alone(acme: Team) -> None:
    Contact.objects.create(account=acme.account, phone="+5491122334455", name="Ana Vieja")
    done = imported(
        acme,
        csv_upload("telefono,nombre\n1122334455,Ana Nueva\n1122334466,Beto\n1122334466,Beto Bis\n"),
        dedupe=Dedupe.SKIP,
    )
    assert (done.created_count, done.updated_count, done.skipped_count) == (1, 0, 2)
    names = dict(Contact.objects.for_account(acme.account).values_list("phone", "name"))
    assert names == {"+5491122334455": "Ana Vieja", "+5491122334466": "Beto"}


def test_consent_column_records_when_and_from_which_file(acme: Team) -> None:
    done = imported(
        acme,
        csv_upload(
            "telefono,acepta marketing\n1122334455,Sí\n1122334466,no\n1122334477,quizás\n", "ferias.csv"
        ),
        mapping={"0": "phone", "1": "consent"},
    )
    assert (done.created_count, done.error_count) == (2, 1)
    given = Contact.objects.for_account(acme.account).get(phone="+5491122334455")
    assert given.consent_at is not None
    assert given.consent_source == "import: ferias.csv"
    assert Contact.objects.for_account(acme.account).get(phone="+5491122334466").consent_at is None


def test_interrupted_import_resumes_with_exact_counts(acme: Team) -> None:
    lines = [f"11{5000_0000 + n},Cliente {n}" for n in range(25)]
    lines[7] = "123,Malo"  # one bad row in the first batch
    lines[20] = lines[3]  # a duplicate in a later batch
    contact_import = start(uploaded(acme, csv_upload("telefono,nombre\n" + "\n".join(lines) + "\n")))
    half = run(contact_import, batch_size=10, max_batches=1)  # the worker "dies" after one batch
    assert (half.state, half.processed_rows) == (JobState.RUNNING, 10)
    assert (half.created_count, half.error_count) == (9, 1)
    assert Contact.objects.for_account(acme.account).count() == 9
    assert not runner.is_stale(half)
    with time_machine.travel(timezone.now() + runner.STALE_AFTER + timedelta(seconds=1)):
        half.refresh_from_db()
        assert services.resume_import(half)
    done = run(half, batch_size=10)
    assert done.state == JobState.DONE
    assert (done.processed_rows, done.created_count, done.updated_count, done.error_count) == (25, 23, 1, 1)
    assert Contact.objects.for_account(acme.account).count() == 23
    assert done.errors == [[9, "123 is not a valid phone number."]]
    audit = AudienceAudit.objects.for_account(acme.account).get()
    assert audit.action == AuditAction.IMPORTED
    assert "23 created" in audit.summary


def test_a_second_worker_cannot_count_twice(acme: Team) -> None:
    contact_import = start(uploaded(acme, csv_upload("telefono\n1122334455\n1122334466\n")))
    assert runner.claim(acme.account, contact_import.id)
    assert not runner.claim(acme.account, contact_import.id)  # a duplicate task does nothing
    runner.run(acme.account, contact_import.id)
    assert runner.run(acme.account, contact_import.id) == JobState.DONE
    contact_import.refresh_from_db()
    assert (contact_import.created_count, contact_import.processed_rows) == (2, 2)


def test_a_lost_file_fails_with_a_message(acme: Team) -> None:
    contact_import = start(uploaded(acme, csv_upload("telefono\n1122334455\n")))
    Path(contact_import.file.path).unlink()
    failed = run(contact_import)
    assert failed.state == JobState.FAILED
    assert failed.failure
    assert runner.is_stale(failed)  # offered to resume once the file is back


def test_contacts_land_only_in_the_importing_account(acme: Team, globex: Team) -> None:
    theirs = Contact.objects.create(account=globex.account, phone="+5491122334455", name="De Globex")
    done = imported(acme, csv_upload("telefono,nombre\n1122334455,De Acme\n"))
    assert (done.created_count, done.updated_count) == (1, 0)
    theirs.refresh_from_db()
    assert theirs.name == "De Globex"
    assert list(Contact.objects.for_account(globex.account).values_list("name", flat=True)) == ["De Globex"]
    assert phones(acme.account) == ["+5491122334455"]
