"""Contact import pages (AUD-2): upload checks, preview and mapping, progress, errors file, resume."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audience.imports import runner
from audience.models import Contact, ContactImport, CustomField, Dedupe, JobState
from spoter.accounts.models import Membership
from tests.audience.test_import_runner import csv_upload, run, start, uploaded, xlsx_upload
from tests.conftest import Team
from tests.conftest import client_for as member_client


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english(acme: Team) -> None:
    """Pages (by the language cookie) and row errors (the account's language) in English."""
    acme.account.language = "en"
    acme.account.save(update_fields=["language"])


def client_for(membership: Membership) -> Client:
    client = member_client(membership)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(team: Team, name: str, **kwargs: object) -> str:
    return reverse(name, kwargs={"account_slug": team.account.slug, **kwargs})


def upload(
    team: Team, file: SimpleUploadedFile, client: Client | None = None
) -> tuple[int, ContactImport | None]:
    client = client or client_for(team.supervisor)
    response = client.post(url(team, "contact_import_create"), {"file": file})
    return response.status_code, ContactImport.objects.for_account(team.account).first()


ACCENTS = "teléfono;nombre\n011 15-2233-4455;José Núñez\n\n1122334466;María Peña\n"


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        (ACCENTS.encode("utf-8"), "utf-8-sig", ";"),
        (b"\xef\xbb\xbf" + ACCENTS.encode("utf-8"), "utf-8-sig", ";"),
        (ACCENTS.encode("cp1252"), "cp1252", ";"),
        (ACCENTS.replace(";", ",").encode("utf-8"), "utf-8-sig", ","),
        (ACCENTS.replace("\n", "\r\n").encode("cp1252"), "cp1252", ";"),
    ],
    ids=["utf8", "utf8-bom", "latin1", "comma", "latin1-crlf"],
)
def test_csv_encodings_and_delimiters(acme: Team, data: bytes, encoding: str, delimiter: str) -> None:
    status, created = upload(acme, SimpleUploadedFile("clientes.csv", data))
    assert status == 302
    assert created is not None
    assert (created.encoding, created.delimiter) == (encoding, delimiter)
    assert created.headers == ["teléfono", "nombre"]
    assert (created.total_rows, created.state) == (2, JobState.PENDING)  # the empty line is skipped
    page = client_for(acme.supervisor).get(url(acme, "contact_import", import_id=created.id)).content.decode()
    assert "José Núñez" in page
    assert "María Peña" in page
    done = run(start(created))
    assert done.created_count == 2
    names = sorted(Contact.objects.for_account(acme.account).values_list("name", flat=True))
    assert names == ["José Núñez", "María Peña"]


def damaged_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    return buffer.getvalue()


BAD_FILES = [
    (SimpleUploadedFile("vacio.csv", b""), ""),  # refused by Django's FileField itself
    (SimpleUploadedFile("solo.csv", b"telefono,nombre\n\n"), "only a header row"),
    (SimpleUploadedFile("foto.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "not a spreadsheet"),
    (SimpleUploadedFile("doc.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), "not a spreadsheet"),
    (SimpleUploadedFile("viejo.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100), "(.xls)"),
    (SimpleUploadedFile("roto.xlsx", damaged_xlsx()), "could not be read"),
    (SimpleUploadedFile("otro.zip", b"PK\x03\x04" + b"\x00" * 30), "not a spreadsheet"),
    (SimpleUploadedFile("sin.csv", b"nombre,ciudad\nAna,Rosario\nBeto,Salta\n"), "looks like a phone"),
]


@pytest.mark.parametrize(("file", "message"), BAD_FILES, ids=lambda value: getattr(value, "name", ""))
def test_bad_files_are_refused_and_store_nothing(
    acme: Team, tmp_path: Path, file: SimpleUploadedFile, message: str
) -> None:
    response = client_for(acme.supervisor).post(url(acme, "contact_import_create"), {"file": file})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactImport.objects.for_account(acme.account).exists()
    assert not list(tmp_path.rglob("*"))  # no file kept either


def test_too_large_files_are_refused(acme: Team, settings: object, tmp_path: Path) -> None:
    settings.CONTACT_IMPORT_MAX_MB = 1  # type: ignore[attr-defined]
    big = "telefono\n" + "1122334455\n" * 100_000  # 1.1 MB
    status, created = upload(acme, csv_upload(big))
    assert status == 400
    assert created is None
    assert not list(tmp_path.rglob("*"))


def test_headers_in_spanish_are_preselected(acme: Team) -> None:
    CustomField.objects.create(account=acme.account, key="empresa", label="Empresa")
    _status, created = upload(
        acme, csv_upload("Celular,Nombre,Apodo,Correo,DNI,Etiquetas,Empresa,Otra\n1122334455,Ana,,,,,,\n")
    )
    assert created is not None
    page = client_for(acme.supervisor).get(url(acme, "contact_import", import_id=created.id))
    form = page.context["form"]
    assert [form[name].initial for name in form.columns] == [
        "phone",
        "name",
        "nickname",
        "email",
        "dni",
        "tags",
        "field:empresa",
        "",
    ]


def test_mapping_is_remembered_from_the_last_import(acme: Team) -> None:
    first = start(
        uploaded(acme, xlsx_upload([["Movil", "Cliente", "Rubro"], [5491122334455, "Ana", "x"]])),
        mapping={"0": "phone", "1": "name", "2": ""},
    )
    assert first.state == JobState.QUEUED
    _status, second = upload(acme, xlsx_upload([["Rubro", "Cliente", "Movil"], ["y", "Beto", 5491122334466]]))
    assert second is not None
    assert second.id != first.id
    form = client_for(acme.supervisor).get(url(acme, "contact_import", import_id=second.id)).context["form"]
    assert [form[name].initial for name in form.columns] == ["", "name", "phone"]


def test_mapping_needs_exactly_one_phone_column(acme: Team) -> None:
    created = uploaded(acme, csv_upload("telefono,celular,nombre\n1122334455,1122334466,Ana\n"))
    client = client_for(acme.supervisor)
    for columns, message in (
        (["", "", "name"], "Choose which column has the phone numbers."),
        (["phone", "phone", "name"], "Only one column can be the phone"),
        (["phone", "name", "name"], "for one column only"),
    ):
        data = {f"column_{i}": target for i, target in enumerate(columns)} | {"dedupe": Dedupe.UPDATE}
        response = client.post(url(acme, "contact_import", import_id=created.id), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    data = {"column_0": "phone", "tags": "x" * 61, "dedupe": Dedupe.UPDATE}
    response = client.post(url(acme, "contact_import", import_id=created.id), data)
    assert response.status_code == 400
    assert "At most 60 characters." in response.content.decode()
    created.refresh_from_db()
    assert (created.state, created.mapping) == (JobState.PENDING, {})


def test_mapping_queues_and_the_page_shows_progress(acme: Team) -> None:
    created = uploaded(acme, csv_upload("telefono,nombre\n1122334455,Ana\nx,Beto\n"))
    client = client_for(acme.supervisor)
    data = {"column_0": "phone", "column_1": "name", "tags": "Feria; Marzo", "dedupe": Dedupe.SKIP}
    response = client.post(url(acme, "contact_import", import_id=created.id), data)
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.state, created.mapping, created.tags, created.dedupe) == (
        JobState.QUEUED,
        {"0": "phone", "1": "name"},
        ["Feria", "Marzo"],
        Dedupe.SKIP,
    )
    page = client.get(url(acme, "contact_import", import_id=created.id)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "0 of 2 rows (0%)" in page
    run(created)
    fragment = client.get(url(acme, "contact_import_progress", import_id=created.id)).content.decode()
    assert "every 1s" not in fragment
    assert "2 of 2 rows (100%)" in fragment
    assert 'data-testid="created">1<' in fragment
    assert 'data-testid="errors">1<' in fragment
    listing = client.get(url(acme, "contact_imports")).content.decode()
    assert "clientes.csv" in listing


def test_errors_file_names_rows_and_is_safe_for_excel(acme: Team) -> None:
    done = run(
        start(
            uploaded(acme, csv_upload("telefono,email\n1122334455,ok@example.com\n=1+2,\n1122334466,@malo\n"))
        )
    )
    assert done.error_count == 2
    response = client_for(acme.supervisor).get(url(acme, "contact_import_errors", import_id=done.id))
    body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    assert body.startswith("\ufeff")
    assert 'filename="clientes-errors.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == ["Row", "Error"]
    assert rows[1][0] == "3"
    assert rows[1][1].startswith("'=1+2")
    assert rows[2][0] == "4"
    assert "@malo" in rows[2][1]


def test_stuck_import_offers_resume(acme: Team) -> None:
    contact_import = start(
        uploaded(acme, csv_upload("telefono\n" + "".join(f"11{50000000 + n}\n" for n in range(30))))
    )
    run(contact_import, batch_size=10, max_batches=2)
    client = client_for(acme.supervisor)
    resume = url(acme, "contact_import_resume", import_id=contact_import.id)
    client.post(resume)
    contact_import.refresh_from_db()
    assert contact_import.state == JobState.RUNNING  # a worker may still be on it
    page = client.get(url(acme, "contact_import", import_id=contact_import.id)).content.decode()
    assert "resume-import" not in page
    with time_machine.travel(timezone.now() + runner.STALE_AFTER + timedelta(seconds=5)):
        page = client.get(url(acme, "contact_import", import_id=contact_import.id)).content.decode()
        assert "resume-import" in page
        response = client.post(resume, follow=True)
        assert "The import goes on from row 21." in response.content.decode()
    done = run(contact_import, batch_size=10)
    assert (done.state, done.created_count, done.processed_rows) == (JobState.DONE, 30, 30)


def test_operators_cannot_import(acme: Team) -> None:
    status, created = upload(acme, csv_upload("telefono\n1122334455\n"), client_for(acme.operator))
    assert status == 403
    assert created is None


def test_it_checks_ownership(acme: Team, globex: Team) -> None:
    theirs = uploaded(globex, csv_upload("telefono\n1122334455\n"))
    client = client_for(acme.admin)
    for name in (
        "contact_import",
        "contact_import_progress",
        "contact_import_errors",
        "contact_import_resume",
    ):
        target = reverse(name, kwargs={"account_slug": globex.account.slug, "import_id": theirs.id})
        assert client.get(target).status_code == 404
        own_slug = reverse(name, kwargs={"account_slug": acme.account.slug, "import_id": theirs.id})
        assert client.get(own_slug).status_code in (404, 405)
        assert client.post(own_slug, {"column_0": "phone", "dedupe": "update"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == JobState.PENDING
    assert "clientes.csv" not in client.get(url(acme, "contact_imports")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_import(acme: Team, worker: None) -> None:
    client = client_for(acme.supervisor)
    _status, created = upload(
        acme,
        xlsx_upload([["Teléfono", "Nombre"], *([f"11 5000-{n:04d}", f"N{n}"] for n in range(50))]),
        client,
    )
    assert created is not None
    client.post(
        url(acme, "contact_import", import_id=created.id),
        {"column_0": "phone", "column_1": "name", "dedupe": "update"},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        created.refresh_from_db()
        if created.state == JobState.DONE:
            break
        time.sleep(0.2)
    assert (created.state, created.created_count) == (JobState.DONE, 50)
    assert Contact.objects.for_account(acme.account).count() == 50
