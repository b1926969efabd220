"""The request log: what each API and token-endpoint call sent and got, bounded and redacted."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]

# Per body and per path or query kept in an entry: enough to see what was sent, not a dump.
BODY_LIMIT = 2048
# The whole log's budget besides its entry count (entries are at most ~6 kB, most well under 1).
LOG_BYTES = 4 * 1024 * 1024
REDACTED = "[redacted]"
# Credentials a body, form or query may carry; Authorization headers are never logged at all.
_SECRET_KEYS = r"(?:client_secret|password|access_token|refresh_token|id_token)"
_SECRET_JSON = re.compile(r'("' + _SECRET_KEYS + r'"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\s]+)')
_SECRET_FORM = re.compile(r"((?:^|&)" + _SECRET_KEYS + r"=)[^&]*")
_TEXT_TYPES = ("json", "x-www-form-urlencoded", "text/")


def redact(text: str) -> str:
    """text with the values of credential fields (JSON or form encoded) replaced."""
    text = _SECRET_JSON.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    return _SECRET_FORM.sub(lambda m: m.group(1) + REDACTED, text)


def shown(data: bytes, content_type: str, size: int) -> str:
    """A body as the log shows it: redacted text cut at BODY_LIMIT, or a note for binary."""
    if not data:
        return ""
    if not any(kind in content_type for kind in _TEXT_TYPES):
        return f"<{size} bytes of {content_type or 'unknown type'}>"
    text = redact(data[:BODY_LIMIT].decode("utf-8", "replace"))
    return text + (f"... ({size} bytes)" if size > BODY_LIMIT else "")


def _cut(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "..."


class Capture:
    """Wraps one request's receive and send, keeping the first bytes of both bodies."""

    def __init__(self, scope: Mapping[str, Any], receive: Callable[[], Awaitable[Message]],
                 send: Callable[[Message], Awaitable[None]]) -> None:
        self.scope, self._receive, self._send = scope, receive, send
        self.started = time.perf_counter()
        self.query = bytes(scope.get("query_string", b""))  # as sent (--lenient-query edits it)
        self.status = 0
        self.request, self.response = bytearray(), bytearray()
        self.request_size = self.response_size = 0
        self.response_type = ""

    async def receive(self) -> Message:
        """The client's next message, its body bytes noted."""
        message = await self._receive()
        if message["type"] == "http.request":
            self.request_size += _keep(self.request, message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        """Send on, noting the status and the body's first bytes."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = dict(message.get("headers", ()))
            self.response_type = headers.get(b"content-type", b"").decode("latin-1")
        elif message["type"] == "http.response.body":
            self.response_size += _keep(self.response, message.get("body", b""))
        await self._send(message)

    def entry(self, persona: str | None) -> dict[str, Any]:
        """The log entry of the finished request."""
        return self.finished(persona).entry()

    def finished(self, persona: str | None) -> LoggedRequest:
        """The finished request, its entry built only when someone reads it."""
        return LoggedRequest(self, persona)


class LoggedRequest:
    """A finished request as captured; decoding and redacting wait until the entry is read
    (most entries never are: a request pays only for keeping its first bytes)."""

    __slots__ = ("_entry", "_parts", "size")

    def __init__(self, capture: Capture, persona: str | None) -> None:
        scope = capture.scope
        request_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"),
                            b"").decode("latin-1")
        self._parts = (scope["method"], scope["path"], capture.query, capture.status, persona,
                       round((time.perf_counter() - capture.started) * 1000, 2), time.time(),
                       bytes(capture.request), request_type, capture.request_size,
                       bytes(capture.response), capture.response_type, capture.response_size)
        self._entry: dict[str, Any] | None = None
        # What the entry's text will weigh (within a few bytes): the log's budget counts it.
        self.size = 200 + min(len(scope["path"]), BODY_LIMIT) + len(capture.query) + \
            len(capture.request) + len(capture.response) + len(persona or "")

    def again(self, started: float) -> LoggedRequest:
        """The same request answered once more (a remembered answer, mockserver/answers.py):
        the same entry with its own time and duration."""
        twin = LoggedRequest.__new__(LoggedRequest)
        parts = list(self._parts)
        parts[5], parts[6] = round((time.perf_counter() - started) * 1000, 2), time.time()
        twin._parts, twin._entry, twin.size = tuple(parts), None, self.size
        return twin

    def entry(self) -> dict[str, Any]:
        """The log entry (built once)."""
        if self._entry is None:
            (method, path, query, status, persona, ms, at, request, request_type, request_size,
             response, response_type, response_size) = self._parts
            self._entry = {
                "method": method, "path": _cut(path),
                "query": redact(_cut(query.decode("latin-1"))),
                "status": status, "persona": persona, "ms": ms,
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                "request_body": shown(request, request_type, request_size),
                "request_bytes": request_size,
                "response_body": shown(response, response_type, response_size),
                "response_bytes": response_size,
            }
        return self._entry


def _keep(kept: bytearray, chunk: bytes) -> int:
    """Append what still fits under BODY_LIMIT (+1, to know it was cut); the chunk's size."""
    room = BODY_LIMIT + 1 - len(kept)
    if room > 0:
        kept += chunk[:room]
    return len(chunk)


def persona_index(personas: Mapping[str, Any]) -> dict[str, str]:
    """Each sub (SVX) and client_id (Transmit) to the first persona naming it."""
    index: dict[str, str] = {}
    for name, entry in personas.items():
        if isinstance(entry, Mapping):
            for value in (entry.get("sub"), entry.get("client_id")):
                if isinstance(value, str):
                    index.setdefault(value, str(name))
    return index


class RequestLog:
    """The newest entries, at most `maxlen` of them and about `max_bytes` in all."""

    def __init__(self, maxlen: int, max_bytes: int = LOG_BYTES) -> None:
        self.maxlen, self.max_bytes = maxlen, max_bytes
        self._entries: deque[tuple[int, dict[str, Any] | LoggedRequest]] = deque()
        self.bytes = 0

    def append(self, entry: dict[str, Any] | LoggedRequest) -> None:
        """Add an entry, dropping the oldest while either bound is exceeded."""
        if isinstance(entry, LoggedRequest):
            size = entry.size
        else:
            size = 200 + sum(len(v) for v in entry.values() if isinstance(v, str))
        self._entries.append((size, entry))
        self.bytes += size
        while self._entries and (len(self._entries) > self.maxlen or self.bytes > self.max_bytes):
            self.bytes -= self._entries.popleft()[0]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
        self.bytes = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (entry.entry() if isinstance(entry, LoggedRequest) else entry
                for _, entry in self._entries)

    def __len__(self) -> int:
        return len(self._entries)
