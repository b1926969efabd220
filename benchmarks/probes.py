"""Probes of `make prove` that try to get around the mock (issue 12): each is one bounded call.

Every probe returns (what was tried, what the mock answered, whether that is what it must do).
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx

Probe = tuple[str, str, bool]
EVIL = "https://evil.example"


def around(origin: str, token: str, tenant: str) -> list[Probe]:
    """All probes against a mock at origin (http://127.0.0.1:PORT); token: a tenant admin's."""
    found = [
        _status("control: POST /__mock/reset from Origin evil.example", 403, httpx.post(
            f"{origin}/__mock/reset", json={}, headers={"Origin": EVIL})),
        _status("control: text/plain POST /__mock/fixtures from Origin evil.example", 403,
                httpx.post(f"{origin}/__mock/fixtures", content=b'{"generate": {}}',
                           headers={"Origin": EVIL, "Content-Type": "text/plain"})),
        _status("DNS rebinding: GET /__mock/personas with Host evil.example", 421, httpx.get(
            f"{origin}/__mock/personas", headers={"Host": "evil.example"})),
        _status("generation over the size limit", 400, httpx.post(
            f"{origin}/__mock/fixtures", json={"generate": {"tenants": 300,
                                                            "orgs_per_tenant": 1000}})),
        _status("a 1 MB organisation name", 400, httpx.post(
            f"{origin}/svx/tenants/{tenant}/orgs", json={"name": "x" * 1_000_000},
            headers={"Authorization": f"Bearer {token}"})),
        _raw("a 300 MB declared snapshot (head only)", origin,
             b"PUT /__mock/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
             b"application/json\r\nContent-Length: 300000000\r\n\r\n", b"413"),
        _raw("a 1 MB header", origin, b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             b"X-Big: " + b"a" * 1_000_000 + b"\r\n\r\n", b"431"),
        _raw("100,000 headers", origin, b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             + b"".join(b"X-%d: 1\r\n" % i for i in range(100_000)) + b"\r\n", b"431"),
        _slow(origin, seconds=30),
    ]
    up = httpx.get(f"{origin}/__mock/faults").status_code
    return [*found, ("the mock answers after all probes", str(up), up == 200)]


def _status(what: str, expected: int, response: httpx.Response) -> Probe:
    return what, str(response.status_code), response.status_code == expected


def _connect(origin: str) -> socket.socket:
    parts = urlsplit(origin)
    return socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=5)


def _raw(what: str, origin: str, request: bytes, status: bytes) -> Probe:
    """Send raw bytes; the server must answer `status` or cut the connection."""
    with _connect(origin) as sock:
        try:
            sock.sendall(request)
            answer = sock.recv(200)
        except (ConnectionError, TimeoutError):
            answer = b""
    shown = answer.split(b"\r\n")[0].decode("latin-1") or "connection cut"
    return what, shown, answer == b"" or answer.split(b" ")[1:2] == [status]


def _slow(origin: str, seconds: float) -> Probe:
    """Dribble a request head a byte a second; the server must close within `seconds`."""
    started = time.monotonic()
    with _connect(origin) as sock:
        sock.sendall(b"GET /__mock/faults HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.settimeout(1)
        while time.monotonic() - started < seconds:
            try:
                sock.sendall(b"X")
                if sock.recv(200) == b"":
                    break
            except TimeoutError:
                continue
            except ConnectionError:
                break
            break  # an answer (408) arrived
    took = time.monotonic() - started
    return ("a client dribbling its request head (slowloris)", f"closed after {took:.0f} s",
            took < seconds)
