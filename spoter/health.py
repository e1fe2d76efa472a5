"""/healthz: is the database, the channel layer and the broker up? 200 when all are, else 503."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

from spoter.celery import app as celery_app

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned another message")

    async_to_sync(round_trip)()


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "channel_layer": _channel_layer,
    "broker": _broker,
}


def healthz(request: HttpRequest) -> JsonResponse:
    status: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 -- any failure means "down", reported by name
            log.warning("healthz: %s is down: %s", name, error)
            status[name] = "down"
        else:
            status[name] = "ok"
    down = [name for name, state in status.items() if state != "ok"]
    return JsonResponse(
        {"status": "down" if down else "ok", "checks": status, "down": down}, status=503 if down else 200
    )
