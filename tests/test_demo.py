"""`manage.py demo`: the demo account with its four people, idempotent, with a JSON form."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client

from spoter.accounts.models import Account, User


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_is_idempotent_and_its_people_can_log_in(db: None) -> None:
    first = json.loads(run_demo("--json"))
    second = json.loads(run_demo("--json"))
    assert first == second
    assert Account.objects.count() == 1
    assert User.objects.count() == 4
    roles = sorted(person["role"] for person in first["users"])
    assert roles == ["admin", "operator", "operator", "supervisor"]
    for person in first["users"]:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": person["email"], "password": person["password"]}, follow=True
        )
        assert response.redirect_chain[-1][0] == "/a/demo/inbox/", person
    assert "admin@demo.spoter.local" in run_demo()
