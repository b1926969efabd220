"""`orgkit serve` as a process: a clear error for a taken port, prompt shutdown under latency."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.app import MockApp
from mockserver.mock import Faults

SERVE = [sys.executable, "-m", "orgkit_cli", "serve", "--host", "127.0.0.1"]


@pytest.fixture()
def taken_port() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_port_in_use_is_one_error_line_before_the_banner(taken_port: int) -> None:
    done = subprocess.run([*SERVE, "--port", str(taken_port)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"orgkit: error: cannot listen on 127.0.0.1:{taken_port}: the port is in use"]


def _wait_for_banner(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("orgkit mock is up"), line


def test_sigterm_stops_the_server_while_a_request_sleeps_in_latency() -> None:
    port = _free_port()
    proc = subprocess.Popen([*SERVE, "--port", str(port), "--latency", "30000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_banner(proc)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(b"GET /svx/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.5)  # the request is now asleep in the injected latency
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            answer = client.recv(4096)
        assert time.monotonic() - started < 5
        assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
        assert b"shutting down" in answer
        assert "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def _call_then_leave(app: MockApp, seconds: float) -> list[dict[str, Any]]:
    """A GET whose client disconnects right after sending it; the messages the app sent."""
    sent: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": b"", "more_body": False},
                {"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/svx/me", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1")], "scheme": "http"}
    await asyncio.wait_for(app(scope, receive, send), timeout=seconds)
    return sent


def test_a_client_that_leaves_ends_its_latency_wait(app: MockApp) -> None:
    app.mock.faults = Faults(latency_ms=30_000)
    started = time.monotonic()
    assert asyncio.run(_call_then_leave(app, 5)) == []
    assert time.monotonic() - started < 5


def test_the_banner_columns_align(app: MockApp) -> None:
    from mockserver.serve import banner

    rows = [line for line in banner(app).splitlines() if line.startswith("  ")]
    starts = {re.match(r"  (.+?)  +\S", line).end() for line in rows}  # type: ignore[union-attr]
    assert len(rows) >= 12 and len(starts) == 1, banner(app)
    docs = {line.index("docs:") for line in rows if "docs:" in line}
    assert len(docs) == 1
