"""Create (or bring back to its known state) the demo account, its people and its WhatsApp line
wired to the simulator; --json adds the line's connection details and a fresh API key."""

from __future__ import annotations

import json
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from inbox.api.keys import create_api_key, revoke_api_key
from inbox.lines import webhook_url
from inbox.models import ApiKey, Line
from inbox.simulator.demo import wire_demo_line
from spoter.accounts.models import Account, InboxMode, Role, User

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "demo"
DEMO_PASSWORD = "spoter-demo-2026"  # noqa: S105 -- the demo's published password, in the README
PEOPLE = [
    ("admin@demo.spoter.local", "Ana", "Admin", Role.ADMIN, InboxMode.SHARED),
    ("supervisor@demo.spoter.local", "Sergio", "Supervisor", Role.SUPERVISOR, InboxMode.SHARED),
    ("operador1@demo.spoter.local", "Olga", "Operadora", Role.OPERATOR, InboxMode.SHARED),
    ("operador2@demo.spoter.local", "Omar", "Operador", Role.OPERATOR, InboxMode.PRIVATE),
]


class Command(BaseCommand):
    help = (
        "Create the demo account with an admin, a supervisor, two operators and a WhatsApp line wired "
        "to the simulator (idempotent)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        account, _created = Account.objects.get_or_create(slug=DEMO_SLUG, defaults={"name": "Demo Spoter"})
        people = []
        for email, first, last, role, inbox_mode in PEOPLE:
            user, _created = User.objects.get_or_create(
                email=email, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            account.memberships.update_or_create(
                user=user, defaults={"role": role, "inbox_mode": inbox_mode, "is_active": True}
            )
            people.append({"email": email, "password": DEMO_PASSWORD, "role": role.value})
        line, _number = wire_demo_line(account)
        result = {"account": {"id": account.id, "slug": account.slug, "name": account.name}, "users": people}
        if options["json"]:
            # A key is shown only once, so every --json run makes a new one and revokes the last.
            for old in ApiKey.objects.for_account(account).filter(name=DEMO_KEY_NAME, revoked_at=None):
                revoke_api_key(old)
            _key, raw_key = create_api_key(account, DEMO_KEY_NAME, by=None)
            result |= {"line": line_details(line), "api_key": raw_key}
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(f"Demo account {account.name!r} at /a/{account.slug}/")
        for person in people:
            self.stdout.write(f"  {person['role']:<11} {person['email']:<32} {person['password']}")
        self.stdout.write(f"WhatsApp line {line.display_number}: play its customers at /simulator/")


def line_details(line: Line) -> dict[str, object]:
    return {
        "id": line.id,
        "uuid": str(line.uuid),
        "name": line.name,
        "display_number": line.display_number,
        "phone_number_id": line.phone_number_id,
        "waba_id": line.waba_id,
        "webhook_url": webhook_url(line),
        "verify_token": line.verify_token,
        "app_secret": line.app_secret,
    }
