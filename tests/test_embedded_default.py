"""The embedded default, as `make run` starts it: no DATABASE_URL, no REDIS_URL, no SECRET_KEY.

migrate, demo and serve run as subprocesses in a throwaway var directory; the test then talks to
the server over HTTP like a browser would.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
STARTUP_SECONDS = 30


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env["SPOTER_VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_health(base: str, server: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            response = httpx.get(f"{base}/healthz", timeout=5)
        except httpx.TransportError:
            pass
        else:
            if response.status_code == 200:
                return response
        time.sleep(0.2)
    raise AssertionError(f"/healthz did not answer 200 within {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_embedded_default_serves_the_demo(tmp_path: Path) -> None:
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "--no-input")
    demo = json.loads(manage(env, "demo", "--json"))
    admin = next(user for user in demo["users"] if user["role"] == "admin")
    assert demo["account"]["slug"] == "demo"

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 -- our own interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        health = wait_for_health(base, server, log)
        assert health.json()["checks"] == {"database": "ok", "channel_layer": "ok", "broker": "ok"}

        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as client:
            form = client.get("/accounts/login/")
            assert form.status_code == 200
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
            assert csrf, "no CSRF token in the login form"
            assert client.cookies.get("csrftoken")
            page = client.post(
                "/accounts/login/",
                data={
                    "login": admin["email"],
                    "password": admin["password"],
                    "csrfmiddlewaretoken": csrf.group(1),
                },
            )
            assert page.status_code == 200, page.text[:2000]
            assert page.url.path == "/a/demo/inbox/"
            assert page.history, "the login did not redirect"

        assert "embedded Celery worker and beat started" in log.read_text()
        assert (tmp_path / "var" / "spoter.sqlite3").exists()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
