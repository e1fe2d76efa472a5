"""The embedded default, as `make run` starts it: no DATABASE_URL, no REDIS_URL, no SECRET_KEY.

migrate, demo and serve run as subprocesses in a throwaway var directory; the test then talks to
the server over HTTP like a browser would.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
STARTUP_SECONDS = 30


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env["SPOTER_VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_health(base: str, server: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(f"{base}/healthz", timeout=5)
        except httpx.TransportError:
            pass
        else:
            if response.status_code == 200:
                return response
        time.sleep(0.2)
    raise AssertionError(f"/healthz did not answer 200 within {STARTUP_SECONDS} s:\n{log.read_text()}")


def wait_for_log(log: Path, line: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while line not in log.read_text():
        if time.monotonic() > deadline:
            raise AssertionError(f"{line!r} not in the server log:\n{log.read_text()}")
        time.sleep(0.1)


def csrf_token(page: httpx.Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, "no CSRF token in the form"
    return match.group(1)


def sqlite_rows(var_dir: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(var_dir / "spoter.sqlite3", timeout=20)) as db:
        return db.execute(sql).fetchall()


STALE_INVITATION = """
from datetime import timedelta
from django.utils import timezone
from spoter.accounts.models import Account
Account.objects.get(slug="demo").invitations.create(
    email="stale@example.com", token_hash="s" * 64, expires_at=timezone.now() - timedelta(days=40)
)
"""


def run_periodic_task_from_the_admin(base: str, var_dir: Path, name: str) -> None:
    """Platform staff's "Run selected tasks" (django-celery-beat's admin) on beat's entry ``name``."""
    deadline = time.monotonic() + 10
    query = f"SELECT id FROM django_celery_beat_periodictask WHERE name = '{name}'"  # noqa: S608 -- a constant
    while not (rows := sqlite_rows(var_dir, query)):
        assert time.monotonic() < deadline, f"beat never installed {name!r} in the database scheduler"
        time.sleep(0.2)
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as staff:
        login = staff.get("/admin/login/")
        staff.post(
            "/admin/login/?next=/admin/",
            data={
                "username": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
                "csrfmiddlewaretoken": csrf_token(login),
            },
        )
        changelist = staff.get("/admin/django_celery_beat/periodictask/")
        assert changelist.status_code == 200
        assert changelist.url.path == "/admin/django_celery_beat/periodictask/", "staff login failed"
        staff.post(
            "/admin/django_celery_beat/periodictask/",
            data={
                "action": "run_tasks",
                "_selected_action": str(rows[0][0]),
                "csrfmiddlewaretoken": csrf_token(changelist),
            },
        )


STAFF_EMAIL, STAFF_PASSWORD = "staff@example.com", "staff password for the smoke test"

QUEUED_MESSAGE = """
from django.db import transaction
from django.utils import timezone
from audience.models import Contact
from inbox.content import Text
from inbox.conversations import current_conversation
from inbox.models import Initiator, Line, OutboxEntry
from inbox.sending import send
from spoter.accounts.models import Account
account = Account.objects.get(slug="demo")
line = Line.objects.for_account(account).create(
    account=account, name="Sandbox", provider="sandbox", display_number="+5491100000009"
)
contact = Contact.objects.for_account(account).create(
    account=account, phone="+5491155550009", wa_id="5491155550009", registered=True
)
with transaction.atomic():
    conversation = current_conversation(line, contact, initiated_by=Initiator.CUSTOMER)
    conversation.last_inbound_at = timezone.now()
    conversation.save(update_fields=["last_inbound_at"])
send(conversation, Text("queued before the server started"))
# This shell's in-memory broker dies with it: the server's beat sweep has to find the entry.
OutboxEntry.objects.for_account(account).update(available_at=timezone.now())
"""


def test_embedded_default_serves_the_demo(tmp_path: Path) -> None:
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "--no-input")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": STAFF_PASSWORD},
        "createsuperuser",
        "--no-input",
        "--email",
        STAFF_EMAIL,
    )
    demo = json.loads(manage(env, "demo", "--json"))
    manage(env, "shell", "-c", STALE_INVITATION)
    manage(env, "shell", "-c", QUEUED_MESSAGE)
    admin = next(user for user in demo["users"] if user["role"] == "admin")
    assert demo["account"]["slug"] == "demo"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 -- our own interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        health = wait_for_health(base, server, log)
        assert health.json()["checks"] == {"database": "ok", "channel_layer": "ok", "broker": "ok"}

        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
            form = client.get("/accounts/login/")
            assert form.status_code == 200
            assert client.cookies.get("csrftoken")
            page = client.post(
                "/accounts/login/",
                data={
                    "login": admin["email"],
                    "password": admin["password"],
                    "csrfmiddlewaretoken": csrf_token(form),
                },
            )
            assert page.status_code == 200, page.text[:2000]
            assert page.url.path == "/a/demo/inbox/"
            assert page.history, "the login did not redirect"

        # Beat installed its schedule, and the in-process worker runs what is sent to the in-memory
        # broker: the stale invitation disappears.
        wait_for_log(log, "embedded Celery worker and beat started")
        run_periodic_task_from_the_admin(base, tmp_path / "var", "purge-stale-invitations")
        deadline = time.monotonic() + 10
        while sqlite_rows(tmp_path / "var", "SELECT id FROM accounts_invitation"):
            assert time.monotonic() < deadline, (
                f"the embedded worker did not run the task:\n{log.read_text()}"
            )
            time.sleep(0.2)

        # The outbox sweep (beat, every few seconds) delivers through the in-process worker.
        sent = "SELECT wamid FROM inbox_message WHERE text = 'queued before the server started'"
        while not sqlite_rows(tmp_path / "var", sent)[0][0]:
            assert time.monotonic() < deadline + 10, f"the outbox was not delivered:\n{log.read_text()}"
            time.sleep(0.2)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
