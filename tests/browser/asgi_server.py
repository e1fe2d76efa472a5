"""The whole ASGI application (http and websockets) served by uvicorn in a thread, for browser tests
of live pages: pytest-django's live_server speaks WSGI only, so it has no websockets.

Import the fixture into a test module: ``from tests.browser.asgi_server import asgi_server``. It
serves the test database (transactional) the same way live_server does, in this process.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn


@dataclass(frozen=True)
class AsgiServer:
    url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def asgi_server(transactional_db: None) -> Iterator[AsgiServer]:
    from spoter.asgi import application

    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield AsgiServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
