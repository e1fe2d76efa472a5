"""Campaign throughput against the WhatsApp simulator, with workers killed (issue 7, CAM-2/CAM-3).

Builds a fresh database with one account, one line wired to the in-project simulator served by
this benchmark's own uvicorn, an approved template, ``--recipients`` contacts plus excluded ones
(1% blocked, 1% opted out, 0.5% without a valid number), the line's throttle at ``--rate``, and
starts the campaign. Celery worker processes (threads, like production) send it while real
``celery beat`` runs the production sweeps; one worker process is killed with SIGKILL at about a
third and two thirds of the sends and a fresh one started each time. Everything is measured on
the simulator's side (the messages the phones got, with their arrival times):

    .venv/bin/python benchmarks/campaign/run.py --recipients 100000 --rate 80
    .venv/bin/python benchmarks/campaign/run.py --recipients 600 --rate 4

The simulator answers 130429 above SIMULATOR_RATE a second; it is set to 1000 so Meta's own
80/s is not what is measured. It also posts the sent and delivered status webhooks of every
message back to the line's webhook endpoint (2 per message), through the same workers and web
processes: that load is part of the run. The load generator (this driver) shares the box.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.campaign.figures import rates, snapshot  # noqa: E402 -- after the path is set

DB_NAME = "spoter_bench_campaign"
REDIS_DB = "10"
PORT = 8771
SITE_URL = f"http://127.0.0.1:{PORT}"
ENV = {
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    "SECRET_KEY": "benchmark-only-secret-key-not-for-production",
    "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(b"c" * 32).decode(),
    "DEBUG": "false",
    "SECURE_COOKIES": "false",
    "LOG_LEVEL": "WARNING",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": SITE_URL,
    "DJANGO_SETTINGS_MODULE": "spoter.settings",
    "SIMULATOR_ENABLED": "1",
    "SIMULATOR_RATE": "1000",
}
BIN = Path(sys.executable).parent


def prepare() -> None:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True)
    subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=True, capture_output=True)
    os.environ.update(ENV)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    import django

    django.setup()


class Processes:
    """uvicorn, celery beat and the Celery worker processes; workers can be killed and replaced."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.env = {**os.environ, **ENV, **leases(args)}
        uvicorn = [str(BIN / "uvicorn"), "spoter.asgi:application", "--port", str(PORT)]
        options = ["--workers", str(args.web_workers), "--no-access-log", "--log-level", "warning"]
        self.web = subprocess.Popen([*uvicorn, *options], cwd=ROOT, env=self.env)
        beat = [str(BIN / "celery"), "-A", "spoter", "beat", "-l", "warning"]
        self.beat = subprocess.Popen(beat, cwd=ROOT, env=self.env)
        self.workers = [self.start_worker() for _ in range(args.workers)]
        self.killed: list[float] = []

    def start_worker(self) -> subprocess.Popen[bytes]:
        command = [
            "nice",
            "-n",
            str(self.args.worker_nice),
            str(BIN / "celery"),
            "-A",
            "spoter",
            "worker",
            "--pool",
            "threads",
            "-c",
            str(self.args.threads),
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ]
        return subprocess.Popen(command, cwd=ROOT, env=self.env)

    def kill_one(self) -> None:
        """SIGKILL the oldest worker process (each kill hits another one) and start a fresh one."""
        victim = self.workers.pop(0)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        self.killed.append(time.time())
        self.workers.append(self.start_worker())

    def stop(self) -> None:
        everything = [self.web, self.beat, *self.workers]
        for process in everything:
            process.terminate()
        for process in everything:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def leases(args: argparse.Namespace) -> dict[str, str]:
    """How soon a killed worker's claimed recipients and half-posted messages are taken up again
    (the production defaults, 60/90/120 s, only make these stragglers arrive later)."""
    return {
        "CAMPAIGN_LEASE_SECONDS": str(args.campaign_lease),
        "OUTBOX_LEASE_SECONDS": str(args.outbox_lease),
        "OUTBOX_OUTCOME_GRACE_SECONDS": str(args.outcome_grace),
    }


def wait_for_server(timeout: float = 90) -> None:
    """Until both web workers answer: healthz 200 twenty times in a row."""
    deadline = time.monotonic() + timeout
    ok = 0
    while ok < 20:
        try:
            with urllib.request.urlopen(f"{SITE_URL}/healthz", timeout=5) as answer:  # noqa: S310 -- our own http URL
                ok = ok + 1 if answer.status == 200 else 0
        except OSError:
            ok = 0
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    time.sleep(2)


def drive(args: argparse.Namespace, processes: Processes) -> dict[str, Any]:
    """Start the campaign, kill workers along the way, wait for the end; the driver's view."""
    from benchmarks.campaign import fixtures
    from campaigns import services

    line, audience = fixtures.create_line_and_audience(SITE_URL, args.recipients)
    wait_for_server()
    started = time.time()
    campaign = fixtures.start_campaign(line, args.rate)
    materialised = time.time() - started
    # Kills at thirds of the sends, or of the sending time when the run is cut short.
    sending = time.time()
    stop_at = sending + args.max_seconds if args.max_seconds else None
    total = args.max_seconds or args.recipients
    kill_at = [total * (k + 1) / (args.kills + 1) for k in range(args.kills)]
    deadline = time.time() + args.recipients / args.rate * 2 + 600
    samples = [(time.time(), snapshot(os.getpid(), DB_NAME))]
    too_fast: set[int] = set()
    tick = 0
    while not fixtures.finished(campaign):
        if time.time() > deadline:
            print(json.dumps({"timeout": True, "sent": fixtures.sends_so_far()}), flush=True)
            break
        time.sleep(1)
        tick += 1
        sent = fixtures.sends_so_far()
        if kill_at and (time.time() - sending if args.max_seconds else sent) >= kill_at[0]:
            kill_at.pop(0)
            processes.kill_one()
            print(json.dumps({"killed_worker_at_sends": sent}), flush=True)
        if stop_at and time.time() > stop_at:
            stop_at = None
            services.cancel(campaign)
            print(json.dumps({"cancelled_at_sends": sent}), flush=True)
        if tick % 5 == 0:
            samples.append((time.time(), snapshot(os.getpid(), DB_NAME)))
            too_fast |= fixtures.too_fast_seen(campaign.account)
        if tick % 60 == 0:
            print(json.dumps({"progress_sends": sent, "elapsed_s": round(time.time() - started)}), flush=True)
    samples.append((time.time(), snapshot(os.getpid(), DB_NAME)))
    webhooks_drain = fixtures.wait_for_status_webhooks(timeout=180)
    return {
        "started": started,
        "materialise_s": round(materialised, 1),
        "campaign": campaign,
        "audience": audience,
        "samples": samples,
        "too_fast": too_fast,
        "status_webhooks_drain_s": webhooks_drain,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=80, help="the line's configured messages per second")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker process")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="niceness of the workers: the web processes (Graph API of the simulator, webhooks) go first",
    )
    parser.add_argument("--kills", type=int, default=2, help="workers killed, evenly spread over the sends")
    parser.add_argument(
        "--trim",
        type=float,
        default=10,
        help="seconds left out at each end of the steady window",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=0,
        help="cancel the campaign this long after it started sending (kills at thirds of it)",
    )
    parser.add_argument("--campaign-lease", type=int, default=15)
    parser.add_argument("--outbox-lease", type=int, default=15)
    parser.add_argument("--outcome-grace", type=int, default=20)
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the processes on the way out
    prepare()
    processes = Processes(args)
    try:
        run = drive(args, processes)
    finally:
        processes.stop()
    from benchmarks.campaign import fixtures

    found = fixtures.results(run["campaign"], run["audience"])
    times: list[float] = found.pop("times")  # type: ignore[assignment]
    summary = {
        "recipients": args.recipients,
        "configured_rate": args.rate,
        "materialise_s": run["materialise_s"],
        "status_webhooks_drain_s": run["status_webhooks_drain_s"],
        "first_send_after_start_s": round(times[0] - run["started"], 1) if times else None,
        **rates(times, args.trim, processes.killed),
        **found,
        "recipients_with_130429_retry": len(run["too_fast"]),
        "cpu": busy_cores(run["samples"], len(times)),
    }
    print(json.dumps(summary, default=str), flush=True)


def busy_cores(samples: list[tuple[float, dict[str, float]]], sends: int) -> dict[str, Any]:
    """Cores busy by kind of process (web, worker incl. beat, postgres, redis, this driver): the
    mean over the run, the peak 5-s interval, and CPU ms per message. A kind whose total went
    down in an interval (a worker killed took its seconds along) counts 0 there; an interval
    under a second (the last one) counts in the means, not in the peaks."""
    kinds = list(samples[0][1])
    peaks = dict.fromkeys(kinds, 0.0)
    used = dict.fromkeys(kinds, 0.0)
    total_peak = 0.0
    for (t0, before), (t1, after) in itertools.pairwise(samples):
        deltas = {kind: max(after[kind] - before[kind], 0.0) for kind in kinds}
        for kind, delta in deltas.items():
            used[kind] += delta
        if t1 - t0 >= 1:  # shorter is too short for /proc's 10-ms ticks to give a rate
            for kind, delta in deltas.items():
                peaks[kind] = max(peaks[kind], delta / (t1 - t0))
            total_peak = max(total_peak, sum(deltas.values()) / (t1 - t0))
    span = samples[-1][0] - samples[0][0]
    return {
        "mean_cores": {kind: round(used[kind] / span, 2) for kind in kinds},
        "peak_cores_5s": {kind: round(peaks[kind], 2) for kind in kinds},
        "peak_cores_all_5s": round(total_peak, 2),
        "ms_per_message": {kind: round(used[kind] * 1000 / max(sends, 1), 2) for kind in kinds},
    }


if __name__ == "__main__":
    main()
