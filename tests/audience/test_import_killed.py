"""An import whose worker process is killed halfway (AUD-2): the counts say exactly what was
written, and the beat's sweep has it go on from there to the right totals, with no duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audience import tasks
from audience.imports import runner, services
from audience.models import Contact, ContactImport, JobState
from tests.audience.test_import_runner import csv_upload, start, uploaded
from tests.conftest import Team

ROWS = 20_000
# The worker: this test database, this media folder, small batches so it is caught halfway.
WORKER = """
import django
django.setup()
from audience.imports import runner
from spoter.accounts.models import Account
account = Account.objects.get(id={account_id})
assert runner.claim(account, {import_id})
runner.run(account, {import_id}, batch_size=100)
"""


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


def counts(contact_import: ContactImport) -> tuple[int, int, int, int, int]:
    contact_import.refresh_from_db()
    return (
        contact_import.processed_rows,
        contact_import.created_count,
        contact_import.updated_count,
        contact_import.skipped_count,
        contact_import.error_count,
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_exact_counts_and_the_sweep_finishes_the_import(acme: Team) -> None:
    lines = [f"11{5000_0000 + n},Cliente {n}" for n in range(ROWS)]
    contact_import = start(uploaded(acme, csv_upload("telefono,nombre\n" + "\n".join(lines) + "\n")))
    worker = subprocess.Popen(  # noqa: S603  # this interpreter running the fixed script above
        [sys.executable, "-c", WORKER.format(account_id=acme.account.id, import_id=contact_import.id)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
    )
    try:
        deadline = time.monotonic() + 60
        while counts(contact_import)[0] < 1_000 and time.monotonic() < deadline:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    processed, created, *_ = counts(contact_import)
    assert 1_000 <= processed < ROWS, "the worker was not caught halfway"
    assert processed % 100 == 0  # whole batches only
    assert created == processed == Contact.objects.for_account(acme.account).count()
    assert contact_import.state == JobState.RUNNING  # as the dead worker left it

    with time_machine.travel(timezone.now() + runner.STALE_AFTER + timedelta(seconds=1), tick=False):
        assert services.resume_stale_imports() == 1
    contact_import.refresh_from_db()
    assert contact_import.state == JobState.QUEUED
    tasks.run_contact_import(acme.account.id, contact_import.id)  # what the queued task does

    assert counts(contact_import) == (ROWS, ROWS, 0, 0, 0)
    assert contact_import.state == JobState.DONE
    phones = Contact.objects.for_account(acme.account).values_list("phone", flat=True)
    assert phones.count() == len(set(phones)) == ROWS


@pytest.mark.django_db
def test_the_sweep_waits_for_the_stale_limit_and_leaves_failed_imports_to_people(acme: Team) -> None:
    lost = start(uploaded(acme, csv_upload("telefono\n1122334455\n")))  # its task never runs
    failed = start(uploaded(acme, csv_upload("telefono\n1122334466\n")))
    ContactImport.objects.for_account(acme.account).filter(id=failed.id).update(state=JobState.FAILED)
    assert services.resume_stale_imports() == 0  # queued a moment ago: its task may still come
    with time_machine.travel(timezone.now() + runner.STALE_AFTER + timedelta(seconds=1), tick=False):
        assert services.resume_stale_imports() == 1
    lost.refresh_from_db()
    failed.refresh_from_db()
    assert (lost.state, failed.state) == (JobState.QUEUED, JobState.FAILED)
    assert lost.heartbeat_at is not None
    assert lost.heartbeat_at > timezone.now()  # set at the travelled time: not stale again at once


def _database_url() -> str:
    database = connection.settings_dict
    return f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
