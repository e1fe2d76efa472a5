"""Where the CPU of one campaign message goes: each step of its way, run in this process under
cProfile, one step for all messages at a time, against this benchmark's own uvicorn.

    .venv/bin/python benchmarks/campaign/profile_steps.py --recipients 300

Steps: the runner's send (claim, throttle, message and outbox entry), the outbox's POST to the
simulator's Graph API, the simulator's two status webhooks posted back to our endpoint, and the
drain of the stored webhooks. For each: CPU ms per message in this process and in the web
processes, and the top functions (written to var/ as text). No Celery worker runs: the tasks
these steps would queue are dropped from Redis at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.campaign import run  # noqa: E402 -- after the path is set
from benchmarks.campaign.figures import snapshot  # noqa: E402


def step(name: str, work: Callable[[], int], out: Path) -> dict[str, float]:
    """Run ``work`` (returns how many messages it handled) under cProfile."""
    web_before = snapshot(os.getpid(), run.DB_NAME)["web"]
    cpu_before = time.process_time()
    profiler = cProfile.Profile()
    count = profiler.runcall(work)
    cpu = time.process_time() - cpu_before
    time.sleep(1)  # the web processes finish their last requests
    web = snapshot(os.getpid(), run.DB_NAME)["web"] - web_before
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    (out / f"campaign_profile_{name}.txt").write_text(text.getvalue())
    return {
        "messages": count,
        "this_process_ms_per_message": round(cpu * 1000 / max(count, 1), 2),
        "web_ms_per_message": round(web * 1000 / max(count, 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=300)
    args = parser.parse_args()
    run.prepare()
    env = {**os.environ, **run.ENV}
    uvicorn = [str(run.BIN / "uvicorn"), "spoter.asgi:application", "--port", str(run.PORT)]
    web = subprocess.Popen([*uvicorn, "--workers", "2", "--no-access-log", "--log-level", "warning"], env=env)
    try:
        print(json.dumps(profile(args.recipients)), flush=True)
    finally:
        web.terminate()
        web.wait(timeout=30)
        subprocess.run(["redis-cli", "-n", run.REDIS_DB, "flushdb"], check=True, capture_output=True)


def profile(recipients: int) -> dict[str, object]:
    import httpx

    from benchmarks.campaign import fixtures
    from campaigns import runner
    from inbox import outbox, webhook_events
    from inbox.models import OutboxEntry
    from inbox.simulator import webhooks
    from inbox.simulator.models import SimWebhook

    line, _audience = fixtures.create_line_and_audience(run.SITE_URL, recipients)
    run.wait_for_server()
    campaign = fixtures.start_campaign(line, rate=10_000)  # the throttle never waits here
    out = ROOT / "var"
    out.mkdir(exist_ok=True)

    def send() -> int:
        return runner.run_slice(campaign, 600).sent

    def post() -> int:
        ids = list(OutboxEntry.objects.for_account(campaign.account).values_list("id", flat=True))
        return sum(outbox.deliver(entry_id) == "sent" for entry_id in ids)

    def statuses() -> int:
        pending = SimWebhook.objects.select_related("number").filter(delivered_at=None)
        for webhook in pending:
            webhooks.post(webhook)
        return recipients  # two webhooks per message

    def drain() -> int:
        webhook_events.drain(600)
        return recipients

    started = time.process_time()
    for _ in range(20):
        httpx.Client()
    client_ms = (time.process_time() - started) * 1000 / 20
    return {
        "send": step("send", send, out),
        "post": step("post", post, out),
        "status_webhooks": step("status_webhooks", statuses, out),
        "drain": step("drain", drain, out),
        "httpx_client_creation_ms": round(client_ms, 2),
    }


if __name__ == "__main__":
    main()
