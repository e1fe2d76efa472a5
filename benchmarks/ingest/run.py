"""Webhook ingest under load, on the production setup (issue 3, benchmarks/README.md).

Starts uvicorn (N workers) and a Celery worker on PostgreSQL and Redis, then posts signed Cloud
API webhooks at increasing open-loop rates: Meta's mix of 3 status updates (sent, delivered, read)
per outbound message and 1 inbound message, 30% of all posts being replays of an earlier body, as
Meta's retries are. Latency is measured from each request's scheduled time (no coordinated
omission). Afterwards it waits for the worker to drain and checks the stored state: every inbound
message stored exactly once, every outbound message at its last status, nothing lost.

    .venv/bin/python benchmarks/ingest/run.py --rates 100,200,300,400,500 --seconds 20

The load generator shares the machine's cores with the server, so figures are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "spoter_bench_ingest"
PORT = 8765
APP_SECRET = "bench-app-secret"  # noqa: S105 -- a throwaway line's secret
PHONE_NUMBER_ID = "100200300400"
WABA_ID = "500600700800"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"b" * 32).decode(),
    "DEBUG": "false",
    "SECURE_COOKIES": "false",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": f"http://127.0.0.1:{PORT}",
    "DJANGO_SETTINGS_MODULE": "spoter.settings",
}


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def envelope(value: dict[str, object], phone_number_id: str = PHONE_NUMBER_ID) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5491100000000", "phone_number_id": phone_number_id},
        **value,
    }
    change = {"field": "messages", "value": value}
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}
    ).encode()


def inbound_body(
    n: int, customer: int | None = None, phone_number_id: str = PHONE_NUMBER_ID
) -> tuple[str, bytes]:
    """Message ``n`` (text "hola <n>") from ``customer`` (by default one of 5,000 by n)."""
    wamid = f"wamid.bench-in-{n}"
    customer = n % 5000 if customer is None else customer
    wa_id = f"54911{customer:08d}"
    body = envelope(
        {
            "contacts": [{"profile": {"name": f"Cliente {customer}"}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": f"hola {n}"},
                }
            ],
        },
        phone_number_id,
    )
    return wamid, body


def status_body(wamid: str, status: str, recipient: str) -> bytes:
    return envelope(
        {
            "statuses": [
                {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": recipient}
            ]
        }
    )


@dataclass
class Plan:
    """The bodies to post: fresh ones in Meta's 1 inbound : 3 statuses mix, plus replays. Only
    what is actually posted counts as expected."""

    bodies: list[bytes] = field(default_factory=list)
    inbound_wamids: set[str] = field(default_factory=set)
    outbound_read: set[str] = field(default_factory=set)  # all three statuses were posted
    outbound_used: int = 0


def make_plan(
    total: int, replay: float, outbound: list[tuple[str, str]], rng: random.Random, start: int
) -> Plan:
    plan = Plan()
    fresh: list[bytes] = []
    pending: list[tuple[bytes, str]] = []  # (body, the wamid it completes or "")
    n = start
    while len(plan.bodies) < total:
        if fresh and rng.random() < replay:
            plan.bodies.append(rng.choice(fresh))
            continue
        if not pending:
            wamid, body = inbound_body(n)
            n += 1
            out_wamid, recipient = outbound[plan.outbound_used]
            plan.outbound_used += 1
            statuses = [status_body(out_wamid, s, recipient) for s in ("sent", "delivered", "read")]
            rng.shuffle(statuses)  # order is not guaranteed (FACTS.md)
            pending = [(statuses[0], out_wamid), (statuses[1], ""), (statuses[2], ""), (body, wamid)]
        body, completes = pending.pop()
        if completes.startswith("wamid.bench-in"):
            plan.inbound_wamids.add(completes)
        elif completes:
            plan.outbound_read.add(completes)
        fresh.append(body)
        plan.bodies.append(body)
    return plan


async def post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes) -> int:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: {sign(body)}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def run_rate(
    path: str | list[str], rate: int, bodies: list[bytes], connections: int
) -> dict[str, float]:
    """Post ``bodies`` open-loop at ``rate``, each to ``path`` (or to its own path of a list)."""
    paths = [path] * len(bodies) if isinstance(path, str) else path
    queue: asyncio.Queue[tuple[float, str, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        while (item := await queue.get()) is not None:
            scheduled, target, body = item
            try:
                status = await post(reader, writer, target, body)
            except (ConnectionError, asyncio.IncompleteReadError):
                status = 0
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
            latencies.append(time.perf_counter() - scheduled)
            errors += status != 200
        writer.close()

    workers = [asyncio.create_task(client()) for _ in range(connections)]
    start = time.perf_counter()
    for i, (target, body) in enumerate(zip(paths, bodies, strict=True)):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((scheduled, target, body))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "offered": rate,
        "achieved": round(len(bodies) / elapsed, 1),
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "errors": errors,
    }


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **ENV}, check=True)


def prepare(outbound_count: int) -> tuple[str, list[tuple[str, str]]]:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)",
        ],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DB_NAME}"], check=True
    )
    subprocess.run(["redis-cli", "-n", "9", "flushdb"], check=True, capture_output=True)
    manage("migrate", "-v", "0")
    os.environ.update(ENV)
    import django

    django.setup()
    from benchmarks.ingest.fixtures import create_line_with_outbound

    return create_line_with_outbound(
        app_secret=APP_SECRET, phone_number_id=PHONE_NUMBER_ID, waba_id=WABA_ID, count=outbound_count
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="100,200,300,400,500")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--replay", type=float, default=0.3)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="niceness of the Celery worker: on one 2-core box the backlog yields the CPU to the "
        "ingest path Meta times (separate hosts need no such thing)",
    )
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    total = sum(rate * args.seconds for rate in rates)
    line_uuid, outbound = prepare(outbound_count=total // 3 + 10)
    path = f"/webhooks/whatsapp/{line_uuid}/"
    env = {**os.environ, **ENV}
    bin_dir = Path(sys.executable).parent
    processes = [
        subprocess.Popen(
            [
                str(bin_dir / "uvicorn"),
                "spoter.asgi:application",
                "--port",
                str(PORT),
                "--workers",
                str(args.web_workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                "nice",
                "-n",
                str(args.worker_nice),
                str(bin_dir / "celery"),
                "-A",
                "spoter",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                str(args.celery_concurrency),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    try:
        wait_for_server()
        rng = random.Random(3)
        results = []
        expected = Plan()
        used = 0
        start_n = 0
        for rate in rates:
            plan = make_plan(rate * args.seconds, args.replay, outbound[used:], rng, start_n)
            used += plan.outbound_used
            start_n += len(plan.inbound_wamids)
            expected.inbound_wamids |= plan.inbound_wamids
            expected.outbound_read |= plan.outbound_read
            result = asyncio.run(run_rate(path, rate, plan.bodies, args.connections))
            results.append(result)
            print(json.dumps(result), flush=True)
        print(json.dumps(check(expected)), flush=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def wait_for_server(timeout: float = 60) -> None:
    """Until every web worker is up: healthz answers 200 several times in a row."""
    import urllib.request

    deadline = time.monotonic() + timeout
    ok = 0
    while ok < 20:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5) as answer:
                ok = ok + 1 if answer.status == 200 else 0
        except OSError:
            ok = 0
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    time.sleep(2)  # the last workers finish importing


def check(expected: Plan, timeout: float = 300) -> dict[str, object]:
    """Wait for the worker to drain, then compare the stored state with what was posted."""
    from benchmarks.ingest.fixtures import stored_state, wait_for_drain

    drain_seconds = wait_for_drain(timeout)
    inbound, duplicates, statuses = stored_state()
    lost_inbound = len(expected.inbound_wamids - inbound)
    not_read = sum(1 for wamid in expected.outbound_read if statuses.get(wamid) != "read")
    return {
        "drain_s": round(drain_seconds, 1),
        "inbound_expected": len(expected.inbound_wamids),
        "inbound_stored": len(inbound),
        "duplicates_stored": duplicates,
        "messages_lost": lost_inbound + not_read,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
