"""uvicorn as the mock runs it: header limits at the socket and a deadline for reading requests.

uvicorn with httptools buffers a header of any size and waits forever for a request that
arrives a byte at a time; this protocol cuts both off before the app sees anything. The guard
(mockserver/guard.py) answers milder excesses in the API's own error shape; the limits here are
twice its limits, for requests no answer is owed to.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockserver.config import ServeConfig


class BoundedHttpTools(HttpToolsProtocol):
    """httptools with a cap on header bytes and count and a deadline for the whole request."""

    max_header_bytes = 64 * 1024
    max_headers = 200
    read_timeout_s = 15.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_head = False  # between the first byte of a request and the end of its head
        self._head_bytes = 0
        self._header_count = 0
        self._over: str | None = None
        # One timer per connection, moved lazily: a timer per request (call_later, cancel)
        # cost a tenth of a bare request. `_since` is when the unfinished request began.
        self._since: float | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._arm()
        super().data_received(data)
        # Counted only while a head is still incomplete after the data: the bytes of a head
        # that completes here are bounded by one read (a pipelined request may overcount).
        if self._in_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_header_bytes:
                self._over = f"the request head exceeds {self.max_header_bytes} bytes"
                self.send_400_response(self._over)

    def on_message_begin(self) -> None:
        self._in_head, self._head_bytes, self._header_count = True, 0, 0
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.max_headers:
            self._over = f"the request has more than {self.max_headers} headers"
            raise ValueError(self._over)  # httptools turns it into a parser error: 431 below
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._since = None  # the timer, when it fires, finds nothing unfinished
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._over is None:
            super().send_400_response(msg)
            return
        self._close_with(431, "request_header_fields_too_large", self._over)

    def _arm(self) -> None:
        """Start the deadline of a request that has not arrived in full yet."""
        if self._since is None:
            self._since = self.loop.time()
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.read_timeout_s, self._check)

    def _check(self) -> None:
        """The timer fired: time out the unfinished request, or wait for its own deadline."""
        self._deadline = None
        if self._since is None:
            return  # nothing unfinished: the next request's first bytes arm it again
        left = self._since + self.read_timeout_s - self.loop.time()
        if left > 0:
            self._deadline = self.loop.call_later(left, self._check)
            return
        self._timed_out()

    def _timed_out(self) -> None:
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()
            return
        self._close_with(408, "request_timeout", f"the request did not arrive within "
                         f"{self.read_timeout_s:g} s")

    def _close_with(self, status: int, code: str, message: str) -> None:
        if self.transport.is_closing():
            return
        body = json.dumps({"error": code, "message": message, "http_code": status}).encode()
        head = (f"HTTP/1.1 {status} {code.replace('_', ' ').title()}\r\n"
                f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
                "connection: close\r\n\r\n").encode()
        self.transport.write(head + body)
        self.transport.close()


def protocol_for(config: ServeConfig) -> type[BoundedHttpTools]:
    """The protocol class with this configuration's limits (uvicorn takes a class)."""
    return type("MockHttpProtocol", (BoundedHttpTools,), {
        "max_header_bytes": 2 * config.max_header_bytes, "max_headers": 2 * config.max_headers,
        "read_timeout_s": config.request_read_timeout_s})


def server_config(app: Any, config: ServeConfig,
                  grace_seconds: int | None = None) -> uvicorn.Config:
    """uvicorn's settings for serving the mock under this configuration."""
    return uvicorn.Config(
        app, host=config.host, port=config.port, log_level="warning", lifespan="on",
        access_log=False,  # the mock logs requests itself (mockserver/console.py)
        http=protocol_for(config), timeout_keep_alive=max(1, round(config.keep_alive_timeout_s)),
        h11_max_incomplete_event_size=2 * config.max_header_bytes,
        timeout_graceful_shutdown=grace_seconds,
    )
