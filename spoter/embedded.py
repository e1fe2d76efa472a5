"""The embedded default's worker and scheduler, run as threads of the web process.

With no Redis, Celery's broker is kombu's in-memory transport, which only the same process can
read: so the worker (solo pool) and beat (the database scheduler, as in production) run here,
beside uvicorn, and the tasks are the same code production's separate processes run.
"""

from __future__ import annotations

import logging
import threading

from celery.beat import EmbeddedService
from celery.worker import WorkController
from django.conf import settings

from spoter.celery import app

log = logging.getLogger(__name__)


def start_worker_and_beat() -> None:
    if not settings.EMBEDDED:
        raise RuntimeError("the embedded worker is only for the embedded default (no REDIS_URL)")
    worker = WorkController(
        app=app,
        pool_cls="solo",
        concurrency=1,
        hostname="embedded@spoter",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
    )
    threading.Thread(target=worker.start, name="celery-worker", daemon=True).start()
    beat = EmbeddedService(app, thread=True, scheduler_cls=settings.CELERY_BEAT_SCHEDULER)
    beat.start()  # type: ignore[union-attr]  # thread=True gives the threaded service, with start()
    log.info("embedded Celery worker and beat started (in-memory broker)")
