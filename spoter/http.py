"""One HTTP client per process for calls to providers (Meta's Graph API, the simulator's
webhooks, a Twilio-compatible API).

``httpx.post`` builds a new client each time: it loads the CA bundle into a new SSL context (about
20 ms of CPU, even for plain http) and opens a new connection. The benchmark of campaigns found it
was most of the outbox's cost per message (benchmarks/README.md). A shared client keeps both and
is safe across threads; a forked child builds its own instead of using its parent's connections.
It keeps no cookies: what one line's provider sets must not go out with another's requests.
"""

from __future__ import annotations

import os
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

_clients: dict[int, httpx.Client] = {}
_lock = threading.Lock()


def shared_client() -> httpx.Client:
    pid = os.getpid()
    client = _clients.get(pid)
    if client is None:
        with _lock:
            client = _clients.get(pid)
            if client is None:
                _clients.clear()  # a parent's, inherited by fork
                client = _clients[pid] = httpx.Client(
                    limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                    cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                )
    return client
