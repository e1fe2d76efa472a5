"""Inbox reads at scale (issue 4, benchmarks/README.md).

Builds (or, with --reuse, keeps) a PostgreSQL database with one account of 100,000 conversations,
1,000,000 messages and 50 operators beside two smaller accounts, then times the inbox's own views
in-process through Django's test client (the whole view: middleware, queries, templates; no
socket): the conversation list with each filter, as a supervisor, a shared and a private
operator; opening a chat (its last 50 messages); and search.

    .venv/bin/python benchmarks/inbox/run.py            # build, then measure
    .venv/bin/python benchmarks/inbox/run.py --reuse    # measure the database built before

Goals: list and chat p95 <= 100 ms; search p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from benchmarks.ingest.run import ENV as INGEST_ENV  # noqa: E402  # the production-like settings

DB_NAME = "spoter_bench_inbox"
ENV = {
    **INGEST_ENV,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/10",
    "ALLOWED_HOSTS": "testserver",
}
BIG = "grande"
SEARCHES = ["envio", "factura", "González", "cancelación turno", "seguimiento del paquete", "5491"]


def build_database(conversations: int) -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env={**os.environ, **ENV}, check=True
    )
    from benchmarks.inbox.data import analyze, build

    started = time.monotonic()
    build("otra", conversations=20_000, messages_each=5, operators=5, seed=2)
    build(BIG, conversations=conversations, messages_each=10, operators=50, seed=1)
    build("tercera", conversations=20_000, messages_each=5, operators=5, seed=3)
    analyze()
    print(json.dumps({"built_s": round(time.monotonic() - started, 1)}), flush=True)


def timed(label: str, fetch: Callable[[], int], runs: int) -> dict[str, object]:
    fetch()  # warm the caches this query uses, as a working inbox has them
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status = fetch()
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"{label}: HTTP {status}")
    times.sort()
    return {
        "what": label,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "runs": runs,
    }


def status(client: Any, url: str, params: dict[str, str]) -> int:
    code: int = client.get(url, params).status_code
    return code


def measure(runs: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from audience.models import Tag
    from inbox.models import Conversation, Line
    from spoter.accounts.models import Account, InboxMode, Membership, Role

    account = Account.objects.get(slug=BIG)
    members = Membership.objects.for_account(account)
    supervisor = members.filter(role=Role.SUPERVISOR).first()
    shared = members.filter(role=Role.OPERATOR, inbox_mode=InboxMode.SHARED).first()
    private = members.filter(role=Role.OPERATOR, inbox_mode=InboxMode.PRIVATE).first()
    assert supervisor
    assert shared
    assert private
    tag = Tag.objects.for_account(account).first()
    line = Line.objects.for_account(account).first()
    assert tag
    assert line
    numbers = list(Conversation.objects.for_account(account).values_list("number", flat=True)[:100_000])
    rng = random.Random(7)
    list_url = reverse("inbox_list", kwargs={"account_slug": BIG})
    filters = {
        "all": {},
        "mine": {"view": "mine"},
        "unassigned": {"view": "unassigned"},
        "operator": {"operator": str(shared.id)},
        "tag": {"tag": str(tag.id)},
        "line": {"line": str(line.id)},
        "status open": {"status": "open"},
        "status pending": {"status": "pending"},
        "status closed": {"status": "closed"},
        "unread": {"unread": "1"},
    }
    for who, membership in (
        ("supervisor", supervisor),
        ("shared operator", shared),
        ("private operator", private),
    ):
        client = Client()
        client.force_login(membership.user)
        for name, params in filters.items():
            if name == "operator" and membership.role != Role.SUPERVISOR:
                continue
            result = timed(f"list {name} ({who})", functools.partial(status, client, list_url, params), runs)
            print(json.dumps(result), flush=True)
    client = Client()
    client.force_login(supervisor.user)

    def open_chat() -> int:
        url = reverse("inbox_conversation", kwargs={"account_slug": BIG, "number": rng.choice(numbers)})
        return client.get(url).status_code

    print(json.dumps(timed("open chat, last 50 messages (supervisor)", open_chat, runs)), flush=True)
    search_url = reverse("inbox_search", kwargs={"account_slug": BIG})
    for query in SEARCHES:
        result = timed(f"search {query!r}", functools.partial(status, client, search_url, {"q": query}), runs)
        print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    os.environ.update(ENV)
    import django

    django.setup()
    if not args.reuse:
        build_database(args.conversations)
    measure(args.runs)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
