"""The mock on a real socket: header limits, slow clients and idle connections are cut off."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from mockserver.config import ServeConfig
from tests.mockserver.livemock import free_port, serving

PORTS = range(9740, 9760)  # this suite's share of the project's test ports
READ_TIMEOUT = 1.0


def _free_port() -> int:
    return free_port(PORTS)


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    """A mock served by uvicorn as `orgkit serve` runs it, with a short read deadline."""
    config = ServeConfig(port=_free_port(), request_read_timeout_s=READ_TIMEOUT,
                         keep_alive_timeout_s=1)
    with serving(config) as base_url:
        yield base_url


def _connect(origin: str) -> socket.socket:
    port = int(origin.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    return sock


def _answer(sock: socket.socket, within: float) -> bytes | None:
    """What the server sends before closing (b'' if it closes silently); None: still open."""
    sock.settimeout(0.1)
    got, deadline = b"", time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionError:
            return got
        if not chunk:
            return got
        got += chunk
    return None


def _still_up(origin: str) -> None:
    assert httpx.get(f"{origin}/__mock/faults", timeout=5).status_code == 200


def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send as much as the server takes (it may close the connection half-way)."""
    try:
        for start in range(0, len(data), 65536):
            sock.sendall(data[start:start + 65536])
    except ConnectionError:
        pass


def _dribble(origin: str, start: bytes, drop: bytes) -> bytes | None:
    """Send `start`, then `drop` every 0.2 s; what the server answered (None: still open)."""
    with _connect(origin) as sock:
        sock.sendall(start)
        started = time.monotonic()
        while time.monotonic() - started < READ_TIMEOUT * 4:
            try:
                sock.sendall(drop)
            except ConnectionError:
                return b""
            answer = _answer(sock, within=0.2)
            if answer is not None:
                return answer
    return None


HEADS = [
    ("one-1-MB-header", b"X-Big: " + b"a" * 1_000_000 + b"\r\n"),
    ("100k-headers", b"".join(b"X-%d: 1\r\n" % i for i in range(100_000))),
]


@pytest.mark.parametrize("extra", [h[1] for h in HEADS], ids=[h[0] for h in HEADS])
def test_oversized_heads_are_cut_off_at_the_socket(origin: str, extra: bytes) -> None:
    with _connect(origin) as sock:
        _send_all(sock, b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")
        answer = _answer(sock, within=5)
    assert answer is not None, "the connection stayed open"
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431"), answer[:200]
    _still_up(origin)


def test_a_client_dribbling_its_head_is_timed_out(origin: str) -> None:
    answer = _dribble(origin, b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                      b"X-Slow: 1\r\n")
    assert answer is not None, "a slow client kept its connection"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    _still_up(origin)


def test_a_client_dribbling_its_body_is_timed_out(origin: str) -> None:
    answer = _dribble(origin, b"PUT /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", b" ")
    assert answer is not None, "a slow client kept its connection"
    _still_up(origin)


def test_a_silent_connection_is_closed(origin: str) -> None:
    with _connect(origin) as sock:
        answer = _answer(sock, within=READ_TIMEOUT * 4)
    assert answer is not None, "a connection that never sent anything stayed open"


def test_an_idle_keep_alive_connection_is_closed(origin: str) -> None:
    with _connect(origin) as sock:
        sock.sendall(b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = _answer(sock, within=0.5)
        assert first is None  # answered, and kept open for the next request
        assert _answer(sock, within=4) is not None, "an idle connection stayed open"


def test_ordinary_requests_still_work(origin: str) -> None:
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{origin}/__mock/faults").status_code == 200
        big = client.put(f"{origin}/__mock/faults", json={"latency_ms": 0},
                         headers={f"X-H{i}": "v" * 100 for i in range(50)})
        assert big.status_code == 200, big.text
        snapshot = client.get(f"{origin}/__mock/snapshot").content
        assert len(snapshot) > 256 * 1024  # bodies far beyond the head limit pass
        restored = client.put(f"{origin}/__mock/snapshot", content=snapshot,
                              headers={"Content-Type": "application/json"})
        assert restored.status_code == 200, restored.text


def test_orgkit_serve_applies_the_control_token_hosts_and_socket_limits() -> None:
    import os
    import subprocess
    import sys

    port = _free_port()
    env = {**os.environ, "ORGKIT_CONTROL_TOKEN": "from-the-environment"}
    proc = subprocess.Popen([sys.executable, "-m", "orgkit_cli", "serve", "--port", str(port),
                             "--allowed-host", "mock.internal"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{origin}/svx/version", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert httpx.get(f"{origin}/__mock/faults").status_code == 401
        token = {"X-Orgkit-Control-Token": "from-the-environment"}
        assert httpx.get(f"{origin}/__mock/faults", headers=token).status_code == 200
        assert httpx.get(f"{origin}/__mock/faults", headers={**token, "Host": "mock.internal"}
                         ).status_code == 200
        assert httpx.get(f"{origin}/__mock/faults", headers={**token, "Host": "evil.example"}
                         ).status_code == 421
        with _connect(origin) as sock:  # past the socket's limit: cut before the app runs
            _send_all(sock, b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + b"".join(b"X-%d: 1\r\n" % i for i in range(300)) + b"\r\n")
            answer = _answer(sock, within=5)
        assert answer is not None and b"more than 200 headers" in answer, answer
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_each_request_on_a_connection_gets_its_own_deadline(origin: str) -> None:
    """The connection's one timer is moved lazily: a second request that began after the
    first timer was set still has its full time to arrive."""
    head = b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    with _connect(origin) as sock:
        sock.sendall(head + b"\r\n")
        assert _answer(sock, within=READ_TIMEOUT * 0.5) is None  # answered, still open
        sock.sendall(head)  # the second request begins ~0.5 s into the connection
        time.sleep(READ_TIMEOUT * 0.8)  # past the connection's first deadline
        sock.sendall(b"\r\n")
        sock.settimeout(5)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200"), "timed out by the first deadline"
