"""The shared HTTP client: one per process, reused, and it keeps no cookies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from spoter.http import shared_client


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """Sets a cookie on every answer and records the Cookie header of each request."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            seen.append(self.headers.get("Cookie", ""))
            self.send_response(200)
            self.send_header("Set-Cookie", "sessionid=secret; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", seen
    httpd.shutdown()
    httpd.server_close()


def test_one_client_per_process_that_sends_no_cookies_back(server: tuple[str, list[str]]) -> None:
    url, seen = server
    assert shared_client() is shared_client()
    assert shared_client().get(url).status_code == 200
    assert shared_client().get(url).status_code == 200
    assert seen == ["", ""]
