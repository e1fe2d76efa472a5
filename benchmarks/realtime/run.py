"""Live inbox events under load (issue 4, INB-3; benchmarks/README.md).

Starts uvicorn and a Celery worker on PostgreSQL and Redis (the production setup), connects the
operator websockets of --accounts accounts (each with a line and a team: a supervisor in ten,
half the operators on private inboxes, round robin on; --all-shared: every member sees every
chat) and the sockets of one more account without a line (must get nothing), then posts signed
inbound-message webhooks open-loop at a fixed rate, spread over the accounts' lines. Every
message.created event is timed from the moment its webhook was scheduled to the moment each
socket had it. Afterwards every socket is checked against the messages it should have had (its
account's, all or only those assigned to it, INB-2): each one either reached it, or its absence
shows as a gap in the socket's sequence numbers (so the browser resyncs and reads it from the
database, where it is checked to be stored); a message it should not have had is a leak.

    .venv/bin/python benchmarks/realtime/run.py --sockets 500 --accounts 10 --rate 100 --seconds 20

Listeners run in their own processes (--listeners) and share the machine's cores with the server.
The CPU each kind of process used per message is reported from /proc (cpu.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import run as ingest  # noqa: E402  # the server start and signed bodies
from benchmarks.realtime import cpu  # noqa: E402

DB_NAME = "spoter_bench_realtime"
REDIS_DB = "15"
ENV = {
    **ingest.ENV,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
}
ORIGIN = f"http://127.0.0.1:{ingest.PORT}"
TEXT = re.compile(r"^hola (\d+)$")
# In the frames as the publishers encode them (json.dumps, with or without spaces).
SEQ = re.compile(r'"seq": ?(\d+)')
PREVIEW = re.compile(r'"preview": ?"hola (\d+)"')
CHATTING = 10  # customers of an account writing at the same time


@dataclass(frozen=True)
class Bench:
    """The accounts whose lines receive the messages: message ``n`` goes to ``accounts[n % K]``."""

    accounts: list[tuple[str, str, str]]  # slug, webhook path, phone_number_id
    sockets: list[tuple[str, str, str]]  # slug, member email, session (the outsiders' last)

    def slug(self, n: int) -> str:
        return self.accounts[n % len(self.accounts)][0]

    def post(self, n: int, per_customer: int) -> tuple[str, bytes]:
        """Message n's webhook. Each account has ``CHATTING`` customers writing at a time, in
        turn, ``per_customer`` messages each; then the next ones start: new conversations come
        all along (1 message in ``per_customer``), as in a working day, not all at the start."""
        _slug, path, phone_number_id = self.accounts[n % len(self.accounts)]
        turn = n // len(self.accounts)  # this account's message number
        customer = turn % CHATTING + CHATTING * (turn // (CHATTING * per_customer))
        return path, ingest.inbound_body(n, customer, phone_number_id)[1]


def prepare(args: argparse.Namespace) -> Bench:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True)
    subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=True, capture_output=True)
    os.environ.update(ENV)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from benchmarks.realtime.fixtures import Team, create_account, line_uuid

    size = args.sockets // args.accounts
    # A team as accounts have them: a supervisor per ten, half the operators on private inboxes.
    team = Team(size) if args.all_shared else Team(size, supervisors=max(1, size // 10), private=size // 2)
    accounts, sockets = [], []
    for index in range(args.accounts):
        slug, phone_number_id = f"bench{index}", str(int(ingest.PHONE_NUMBER_ID) + index)
        line = {"phone_number_id": phone_number_id, "waba_id": ingest.WABA_ID, "access_token": "unused"}
        sessions = create_account(slug, team, line={**line, "app_secret": ingest.APP_SECRET})
        accounts.append((slug, f"/webhooks/whatsapp/{line_uuid(slug)}/", phone_number_id))
        sockets += [(slug, *pair) for pair in sessions]
    sockets += [("other", *pair) for pair in create_account("other", Team(args.outsiders))]
    return Bench(accounts, sockets)


# --- Listeners (separate processes) ---------------------------------------------------------


Socket = tuple[str, str, str]  # account slug, operator email, session


def listen(sockets: list[Socket], inbox: Any, outbox: Any) -> None:
    asyncio.run(_listen(sockets, inbox, outbox))


async def _listen(sockets: list[Socket], inbox: Any, outbox: Any) -> None:
    from websockets.asyncio.client import connect

    records: list[dict[str, Any]] = [
        {"slug": slug, "email": email, "got": {}, "seqs": [], "other": 0} for slug, email, _ in sockets
    ]

    async def run_one(index: int, slug: str, session: str, opened: asyncio.Event) -> None:
        record = records[index]
        url = f"ws://127.0.0.1:{ingest.PORT}/ws/a/{slug}/inbox/"
        headers = {"Cookie": f"sessionid={session}"}
        async with connect(url, origin=ORIGIN, additional_headers=headers, max_queue=None) as socket:  # type: ignore[arg-type]
            hello = json.loads(await socket.recv())
            record["hello"] = hello["seq"]
            opened.set()
            async for frame in socket:
                # Read with two regexes, not json.loads: the listeners share the server's cores, and
                # parsing every frame was a tenth of the CPU of a run.
                now = time.time()
                raw = frame if isinstance(frame, str) else frame.decode()
                if seq := SEQ.search(raw):
                    record["seqs"].append(int(seq.group(1)))
                match = PREVIEW.search(raw) if '"message.created"' in raw else None
                if match:
                    record["got"][int(match.group(1))] = now
                else:
                    record["other"] += 1

    limit = asyncio.Semaphore(16)  # connect gradually: each connect costs the server a few queries
    tasks = []
    for index, (slug, _email, session) in enumerate(sockets):
        opened = asyncio.Event()
        async with limit:
            tasks.append(asyncio.create_task(run_one(index, slug, session, opened)))
            await asyncio.wait_for(opened.wait(), 30)
    outbox.put("ready")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, inbox.get)  # "stop"
    for task in tasks:
        task.cancel()
    outbox.put(records)


# --- Driver ---------------------------------------------------------------------------------


def start_processes(web_workers: int, celery_concurrency: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, **ENV}
    bin_dir = Path(sys.executable).parent
    uvicorn = [str(bin_dir / "uvicorn"), "spoter.asgi:application", "--port", str(ingest.PORT)]
    celery = [str(bin_dir / "celery"), "-A", "spoter", "worker", "-l", "warning"]
    return [
        subprocess.Popen(
            [*uvicorn, "--workers", str(web_workers), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen([*celery, "--concurrency", str(celery_concurrency)], cwd=ROOT, env=env),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", type=int, default=500, help="members connected, split over the accounts")
    parser.add_argument(
        "--accounts",
        type=int,
        default=10,
        help="accounts (each with a line) the sockets and messages split over",
    )
    parser.add_argument(
        "--all-shared",
        action="store_true",
        help="every member a shared-inbox operator (no assignment): each message goes to every "
        "socket of its account",
    )
    parser.add_argument("--outsiders", type=int, default=50, help="sockets of an account without a line")
    parser.add_argument("--rate", type=int, default=100, help="inbound messages per second")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--per-customer", type=int, default=4, help="messages a conversation (1: each opens one)"
    )
    parser.add_argument("--listeners", type=int, default=2, help="processes holding the sockets")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument(
        "--direct",
        action="store_true",
        help="publish the events from here at the rate (inbox.event_delivery) to the members who see "
        "every conversation, without webhooks or the worker: the fan-out to the sockets alone",
    )
    args = parser.parse_args()

    bench = prepare(args)
    processes = start_processes(args.web_workers, args.celery_concurrency)
    context = multiprocessing.get_context("spawn")
    shares = [bench.sockets[i :: args.listeners] for i in range(args.listeners)]
    pipes = [(context.Queue(), context.Queue()) for _ in shares]
    listeners = [
        context.Process(target=listen, args=(share, *pipe)) for share, pipe in zip(shares, pipes, strict=True)
    ]
    try:
        ingest.wait_for_server()
        for listener in listeners:
            listener.start()
        for _, outbox in pipes:
            assert outbox.get(timeout=300) == "ready"  # a benchmark's own precondition
        count = args.rate * args.seconds
        cpu_before = cpu.snapshot()
        start = time.time()
        if args.direct:
            publish_directly(bench, args.rate, count, start)
            drain = 0.0
        else:
            paths, bodies = zip(*(bench.post(n, args.per_customer) for n in range(count)), strict=True)
            posted = asyncio.run(ingest.run_rate(list(paths), args.rate, list(bodies), connections=32))
            print(json.dumps({"webhooks": posted}), flush=True)
            from benchmarks.ingest.fixtures import wait_for_drain

            drain = wait_for_drain(600)
        time.sleep(3)  # the last events' way from the worker to the sockets
        cpu_used = cpu.per_message(cpu_before, cpu.snapshot(), count)
        for inbox, _ in pipes:
            inbox.put("stop")
        records = [record for _, outbox in pipes for record in outbox.get(timeout=300)]
        timing = Timing(start, args.rate, count)
        result = summarize(records, timing, expected_messages(bench, timing, direct=args.direct), drain)
        print(json.dumps({**result, "cpu_ms_per_message": cpu_used}), flush=True)
    finally:
        for listener in listeners:
            listener.join(10)
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@dataclass(frozen=True)
class Timing:
    start: float
    rate: int
    count: int

    def sent(self, n: int) -> float:
        """When message n's webhook was scheduled (open loop)."""
        return self.start + n / self.rate


def publish_directly(bench: Bench, rate: int, count: int, start: float) -> None:
    from inbox.event_delivery import deliver
    from inbox.visibility import sees_all
    from spoter.accounts.models import Membership

    # The benchmark's own database: each account's members who see every conversation.
    everyone: dict[str, tuple[int, list[int]]] = {}
    for member in Membership.objects.unscoped().select_related("account"):
        if sees_all(member):
            everyone.setdefault(member.account.slug, (member.account_id, []))[1].append(member.id)
    for n in range(count):
        delay = start + n / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        account_id, ids = everyone[bench.slug(n)]
        deliver(
            account_id, {"type": "message.created", "account_id": account_id, "preview": f"hola {n}"}, ids
        )


def expected_messages(bench: Bench, timing: Timing, *, direct: bool) -> dict[int, Any]:
    """Message n -> where it was stored: in --direct, "stored" when published, never assigned."""
    from benchmarks.realtime.fixtures import Stored, stored

    if direct:
        return {n: Stored(timing.sent(n), bench.slug(n), None) for n in range(timing.count)}
    return {int(match.group(1)): row for text, row in stored().items() if (match := TEXT.match(text))}


def summarize(
    records: list[dict[str, Any]], timing: Timing, messages: dict[int, Any], drain: float
) -> dict[str, Any]:
    """Each socket against the messages it should have had: those of its account that its
    member sees (every one, or the ones assigned to them on a private inbox)."""
    from benchmarks.realtime.fixtures import audience, final_seqs

    members = audience()
    seqs_now = final_seqs()
    latencies: list[float] = []
    after_store: list[float] = []
    expected_total = missing = undetected = foreign = 0
    for record in records:
        slug, everything = members[record["email"]]
        expected = {
            n
            for n, row in messages.items()
            if row.slug == slug and (everything or row.assignee == record["email"])
        }
        got = record["got"]
        foreign += len(got.keys() - expected)  # a message this member may not see: a leak
        latencies.extend(at - timing.sent(n) for n, at in got.items() if n in expected)
        after_store.extend(at - messages[n].at for n, at in got.items() if n in expected)
        lost = len(expected - got.keys())
        expected_total += len(expected)
        missing += lost
        # Seen gaps, plus the tail a reconnect's hello reveals: the events the browser knows it lacks.
        known_missing = seqs_now[record["email"]] - record["hello"] - len(set(record["seqs"]))
        undetected += max(0, lost - known_missing)
    latencies.sort()
    after_store.sort()

    def pct(p: float, values: list[float] = latencies) -> float:
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else -1

    return {
        "sockets": len(records),
        "messages": timing.count,
        "stored": len(messages),
        "frames_per_s": round(expected_total / (timing.count / timing.rate)),
        "deliveries_expected": expected_total,
        "deliveries_live": len(latencies),
        "missed_live": missing,
        "missed_without_gap": undetected,
        "foreign_deliveries": foreign,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        # From the message's row (written in the worker) to the socket: the realtime path alone.
        "stored_to_socket_p50_ms": pct(0.50, after_store),
        "stored_to_socket_p95_ms": pct(0.95, after_store),
        "stored_to_socket_p99_ms": pct(0.99, after_store),
        "outsider_events": sum(len(r["seqs"]) for r in records if r["slug"] == "other"),
        "drain_s": round(drain, 1),
    }


if __name__ == "__main__":
    main()
