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
        scope = self.scope
        request_type = dict(scope.get("headers", ())).get(b"content-type", b"").decode("latin-1")
        return {
            "method": scope["method"], "path": _cut(scope["path"]),
            "query": redact(_cut(self.query.decode("latin-1"))),
            "status": self.status, "persona": persona,
            "ms": round((time.perf_counter() - self.started) * 1000, 2),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "request_body": shown(bytes(self.request), request_type, self.request_size),
            "request_bytes": self.request_size,
            "response_body": shown(bytes(self.response), self.response_type,
                                   self.response_size),
            "response_bytes": self.response_size,
        }


def _keep(kept: bytearray, chunk: bytes) -> int:
    """Append what still fits under BODY_LIMIT (+1, to know it was cut); the chunk's size."""
    room = BODY_LIMIT + 1 - len(kept)
    if room > 0:
        kept += chunk[:room]
    return len(chunk)


def persona_of(personas: Mapping[str, Any], subject: str | None) -> str | None:
    """The persona name whose sub (SVX) or client_id (Transmit) is subject, else subject."""
    if subject is None:
        return None
    for name, entry in personas.items():
        if isinstance(entry, Mapping) and subject in (entry.get("sub"), entry.get("client_id")):
            return str(name)
    return subject


class RequestLog:
    """The newest entries, at most `maxlen` of them and about `max_bytes` in all."""

    def __init__(self, maxlen: int, max_bytes: int = LOG_BYTES) -> None:
        self.maxlen, self.max_bytes = maxlen, max_bytes
        self._entries: deque[tuple[int, dict[str, Any]]] = deque()
        self.bytes = 0

    def append(self, entry: dict[str, Any]) -> None:
        """Add an entry, dropping the oldest while either bound is exceeded."""
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
        return (entry for _, entry in self._entries)

    def __len__(self) -> int:
        return len(self._entries)
