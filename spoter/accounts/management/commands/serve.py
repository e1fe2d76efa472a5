"""Serve Spoter with uvicorn; on the embedded default, with its worker and scheduler inside."""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from spoter.embedded import start_worker_and_beat


class Command(BaseCommand):
    help = "Serve the product (ASGI). Without REDIS_URL the Celery worker and beat run in-process."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.EMBEDDED:
            start_worker_and_beat()
        self.stdout.write(f"Spoter at http://{options['host']}:{options['port']}/")
        uvicorn.run("spoter.asgi:application", host=options["host"], port=options["port"], log_config=None)
