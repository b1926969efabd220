"""Test helpers: run a contract family; wrap the mock to break it on purpose, and serve it.

Imported by conftest.py and by the test modules as ``tests.contract_tests.asgi_live`` (test
modules cannot import conftest).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import uvicorn

from contract_tests.config import ContractConfig
from contract_tests.results import CheckResult, Outcome, Results
from contract_tests.runner import execute, prepare

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]
MOUNTS = {"svx": "/svx", "transmit": "/cis"}


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run the app on a free 127.0.0.1 port for the duration; yields its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def personas_file(origin: str, folder: Path) -> Path:
    """The mock's own personas file (tokens and client credentials for this origin)."""
    path = folder / "personas.json"
    path.write_text(httpx.get(f"{origin}/__mock/personas", timeout=30).text)
    return path


def run_family(origin: str, api: str, family: str, personas: Path,
               operations: tuple[str, ...] = (), seed: int = 0) -> Results:
    """Run one family of the contract suite (with cleanup) and return its results."""
    return run_config(ContractConfig(api, origin + MOUNTS[api], personas, only=(family,),
                                     operations=operations, seed=seed))


def run_config(config: ContractConfig) -> Results:
    """Run the suite as configured (with cleanup) and return its results."""
    results = Results()
    suite = prepare(config, results)
    try:
        execute(suite)
    finally:
        suite.target.close()
    return results


def failures(results: Results) -> list[CheckResult]:
    """The failed verdicts."""
    return [r for r in results if r.outcome is Outcome.FAIL]


def failed(results: Results, check: str, operation_id: str,
           outcome: Outcome = Outcome.FAIL) -> CheckResult | None:
    """The failed (or, with `outcome`, advisory) verdict of one check on one operation."""
    return next((r for r in results if r.outcome is outcome
                 and r.check == check and r.operation_id == operation_id), None)


def describe(results: Results) -> str:
    """Failures as text, for assertion messages."""
    return "\n".join(f"{r.check} {r.operation_id}: {r.message}" for r in failures(results))


# -- breaking the mock on purpose ------------------------------------------------------------


@dataclass
class Answer:
    """A captured response of the wrapped app."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body or b"null")

    def replace_json(self, value: Any) -> None:
        """Swap the body for a JSON document, fixing Content-Length."""
        self.body = json.dumps(value).encode()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        self.headers.append((b"content-length", str(len(self.body)).encode()))


async def ask(app: App, scope: Scope, body: bytes = b"") -> Answer:
    """Call an ASGI app in-process and capture its whole response."""
    answer = Answer(0, [])
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status, answer.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


async def read_body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def query_of(scope: Scope) -> dict[str, str]:
    """The request's query parameters."""
    return dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))


def with_query(scope: Scope, params: dict[str, str]) -> Scope:
    """A copy of the scope with another query string."""
    return {**scope, "query_string": urlencode(params).encode()}


def with_header(scope: Scope, name: str, value: str) -> Scope:
    """A copy of the scope with one header replaced."""
    raw = name.lower().encode()
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != raw]
    return {**scope, "headers": [*headers, (raw, value.encode())]}


@dataclass
class Breaker:
    """An ASGI wrapper: `change` may rewrite a matching request's answer (None: pass through)."""

    app: App
    change: Callable[[App, Scope, bytes], Awaitable[Answer | None]]
    calls: list[str] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        answer = await self.change(self.app, scope, body)
        if answer is None:
            answer = await ask(self.app, scope, body)
        else:
            self.calls.append(scope["path"])
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body})
