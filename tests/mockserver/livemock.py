"""A mock served by uvicorn on a real loopback socket, as `orgkit serve` runs it, for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from mockserver.app import create_app
from mockserver.config import ServeConfig
from mockserver.transport import server_config

START_TIMEOUT_S = 30


def free_port(ports: range) -> int:
    """The first port of a test suite's share nobody listens on."""
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {ports}")


@contextmanager
def serving(config: ServeConfig) -> Iterator[str]:
    """The mock serving config in a thread while the block runs; yields its base URL."""
    server = uvicorn.Server(server_config(create_app(config), config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the mock did not start"
    try:
        yield config.base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
