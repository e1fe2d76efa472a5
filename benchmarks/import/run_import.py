"""Contact imports of 100,000 rows (issue 5, AUD-2): time and peak memory of the real runner.

Builds a fresh PostgreSQL database, writes realistic CSV and XLSX files (benchmarks/import/data.py:
local phone formats, some emails, a tags column, 1% bad rows), then imports each one in its own
process, so the peak RSS (VmHWM) is that run's: the upload check (a streaming pass that counts
rows) and the worker's batches. A smaller file shows whether memory grows with the file.

    .venv/bin/python benchmarks/import/run_import.py --rows 20000,100000

Goal: at most 60 s per 100,000-row file on a 2-core box, and flat memory. The files, the database
and the runner share the machine, so the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.ingest.run import ENV as INGEST_ENV  # noqa: E402  # the production-like settings

DB_NAME = "spoter_bench_import"
ENV = {
    **INGEST_ENV,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/11",
}


def build_database() -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env={**os.environ, **ENV}, check=True
    )


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def import_one(path: Path) -> dict[str, object]:
    """In a child process: upload check, then the worker's run, of one file into a new account."""
    import django

    django.setup()
    from django.core.files.uploadedfile import UploadedFile

    from audience.imports import mapping, runner, services
    from spoter.accounts.models import Account, User

    account = Account.objects.create(name=path.name, slug=path.name.replace(".", "-"))
    user = User.objects.create_user(email=f"bench@{account.slug}.test", password=None)
    started = time.monotonic()
    with path.open("rb") as file:
        # A file-backed upload, as Django hands big uploads over (TemporaryUploadedFile).
        upload = UploadedFile(file, name=path.name, size=path.stat().st_size)
        contact_import = services.create_import(account, user, upload)
    checked = time.monotonic()
    columns = mapping.guess(account, contact_import, [])
    services.start_import(contact_import, columns, ["benchmark"], "update")
    runner.claim(account, contact_import.id)
    state = runner.run(account, contact_import.id)
    finished = time.monotonic()
    contact_import.refresh_from_db()
    return {
        "file": path.name,
        "state": state,
        "rows": contact_import.total_rows,
        "upload_check_s": round(checked - started, 1),
        "worker_s": round(finished - checked, 1),
        "total_s": round(finished - started, 1),
        "rows_per_s": round(contact_import.total_rows / (finished - started)),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "created": contact_import.created_count,
        "updated": contact_import.updated_count,
        "errors": contact_import.error_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="20000,100000", help="file sizes, comma separated")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: import this file and print JSON
    args = parser.parse_args()
    if args.one:
        os.environ.update(ENV)
        print(json.dumps(import_one(Path(args.one))), flush=True)
        return
    # benchmarks/import/data.py, next to this script ("import" cannot be a package name).
    data = importlib.import_module("data")

    build_database()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, **ENV, "MEDIA_ROOT": str(Path(folder) / "media")}
        for count in (int(value) for value in args.rows.split(",")):
            for file_format in args.formats.split(","):
                started = time.monotonic()
                writer = data.write_csv if file_format == "csv" else data.write_xlsx
                path = writer(Path(folder) / f"contacts-{count}.{file_format}", count)
                written = round(time.monotonic() - started, 1)
                result = subprocess.run(
                    [sys.executable, __file__, "--one", str(path)],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(result.stdout.strip().splitlines()[-1])
                print(json.dumps({**figures, "file_written_s": written}), flush=True)


if __name__ == "__main__":
    main()
