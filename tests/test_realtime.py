"""The embedded channel layer delivers events published from worker threads promptly."""

from __future__ import annotations

import asyncio
import threading
import time

from asgiref.sync import async_to_sync

from spoter.realtime import EmbeddedChannelLayer


def test_a_publish_from_another_thread_wakes_the_receiver() -> None:
    layer = EmbeddedChannelLayer()
    received: list[tuple[dict[str, str], float]] = []
    ready = threading.Event()

    async def serve() -> None:
        # Like a websocket consumer on the server's loop: join a group and wait.
        channel = await layer.new_channel()
        await layer.group_add("user.1", channel)
        ready.set()
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        received.append((message, time.monotonic()))

    server = threading.Thread(target=asyncio.run, args=(serve(),))
    server.start()
    assert ready.wait(5)
    time.sleep(0.05)  # the receiver is parked in receive()
    sent_at = time.monotonic()
    # Like a Celery task in the embedded worker thread.
    async_to_sync(layer.group_send)("user.1", {"type": "message.created", "id": "42"})
    server.join(5)
    assert received, "the event never reached the receiving loop"
    message, arrived_at = received[0]
    assert message == {"type": "message.created", "id": "42"}
    assert arrived_at - sent_at < 0.5
