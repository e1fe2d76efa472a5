"""``python manage.py empaty_backfill [--account SLUG]``: analyse the inbound messages stored before
EMPATY ran (or that a worker missed), account by account, with progress."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from empaty import analysis, hooks
from spoter.accounts.models import Account


class Command(BaseCommand):
    help = "Analyses every inbound text message that has no EMPATY analysis yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", help="only this account (its slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = Account.objects.order_by("id")
        if options["account"]:
            accounts = accounts.filter(slug=options["account"])
            if not accounts.exists():
                raise CommandError(f"no account {options['account']!r}")
        for account in accounts:
            done = 0
            while batch := analysis.pending(account):
                hooks.process(account, batch)
                done += len(batch)
                self.stdout.write(f"{account.slug}: {done} analysed", ending="\r")
            self.stdout.write(f"{account.slug}: {done} analysed")
