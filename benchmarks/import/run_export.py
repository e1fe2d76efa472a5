"""Contact export at scale (issue 5, AUD-4): 100,000 contacts to CSV and to XLSX.

Builds a fresh database (`spoter_bench_export`, dropped first) with one account, 100,000
contacts (bulk_create) carrying 0-3 of 10 tags and 3 custom fields (text, number, date), then
runs ``audience.exports.run_export`` once per format, each in a fresh process, and prints its
seconds and the process's peak RSS. Goal: <= 30 s each.

    .venv/bin/python benchmarks/import/run_export.py [--contacts 100000] [--reuse]

The database shares the machine's cores with the writer, so figures are pessimistic.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "spoter_bench_export"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"b" * 32).decode(),
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
    "MEDIA_ROOT": str(ROOT / "var" / "bench-export-media"),
    "DJANGO_SETTINGS_MODULE": "spoter.settings",
}
SLUG = "bench-export"
BATCH = 5000


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def psql_db(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB_NAME, "-qc", sql], check=True)


def prepare(count: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env={**os.environ, **ENV}, check=True
    )
    setup()
    from audience.models import Contact, CustomField, FieldKind, Tag
    from spoter.accounts.models import Account

    rng = random.Random(5)
    account = Account.objects.create(name="Bench export", slug=SLUG)
    tags = Tag.objects.for_account(account).bulk_create(
        [Tag(account=account, name=f"Etiqueta {n}") for n in range(10)]
    )
    for position, (key, kind) in enumerate(
        (("empresa", FieldKind.TEXT), ("compras", FieldKind.NUMBER), ("alta", FieldKind.DATE))
    ):
        CustomField.objects.for_account(account).create(
            account=account, key=key, label=key.title(), kind=kind, position=position
        )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    links = Contact.tags.through
    for first in range(0, count, BATCH):
        contacts = Contact.objects.for_account(account).bulk_create(
            [
                Contact(
                    account=account,
                    phone=f"+54911{n:08d}",
                    name=f"Cliente Pérez {n}",
                    nickname=f"=apodo{n}" if n % 100 == 0 else "",  # some cells to neutralise
                    email=f"cliente{n}@example.com",
                    dni=f"{20_000_000 + n}",
                    custom_fields={
                        "empresa": f"Empresa {n % 500}",
                        "compras": n % 97,
                        "alta": (start + timedelta(days=n % 365)).date().isoformat(),
                    },
                    created_at=start + timedelta(minutes=n),
                    last_seen_at=start + timedelta(minutes=2 * n) if n % 3 else None,
                    opted_out_at=start if n % 50 == 0 else None,
                )
                for n in range(first, min(first + BATCH, count))
            ]
        )
        links.objects.bulk_create(
            [
                links(contact_id=contact.id, tag_id=tag.id)
                for contact in contacts
                for tag in rng.sample(tags, rng.randint(0, 3))
            ]
        )
    psql_db("ANALYZE")  # what autovacuum would have done by the time anyone exports


def setup() -> None:
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def export_once(file_format: str) -> None:
    """In a fresh process: one export, printed as JSON (seconds, peak RSS, rows, file size)."""
    setup()
    from audience.exports import request_export, run_export
    from audience.filters import ContactFilter
    from audience.models import ContactExport
    from spoter.accounts.models import Account, Role, User

    account = Account.objects.get(slug=SLUG)
    user, _ = User.objects.get_or_create(email="bench@example.com")
    membership, _ = account.memberships.get_or_create(user=user, defaults={"role": Role.SUPERVISOR})
    export = request_export(account, contact_filter=ContactFilter(), file_format=file_format, by=membership)
    began = time.perf_counter()
    state = run_export(account, export.id)
    seconds = time.perf_counter() - began
    export = ContactExport.objects.for_account(account).get(id=export.id)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "format": file_format,
                "state": state,
                "rows": export.total_rows,
                "seconds": round(seconds, 1),
                "peak_rss_mib": round(peak_mib),
                "file_mib": round(export.file.size / 2**20, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--only", choices=["csv", "xlsx"], help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.only:
        export_once(args.only)
        return
    if not args.reuse:
        began = time.perf_counter()
        prepare(args.contacts)
        print(f"{args.contacts} contacts created in {time.perf_counter() - began:.1f} s", flush=True)
    for file_format in ("csv", "xlsx"):
        subprocess.run([sys.executable, __file__, "--only", file_format], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
