"""Remembered answers: a repeated read is answered as it was while nothing it depends on moved.

A GET served by a generic read (the CRUD `get` or `list` action, not a plugin's behaviour) is a
function of the request (method, path, query and every header, so the token and the Host too)
and of its API's store alone. Its one other input changes by itself: the token's expiry. The
pipeline therefore keeps such an answer with the store revision it was computed at and the
token's expiry, and sends it again for an identical request while both still hold. A frontend
re-reading the same page all day then costs a lookup, not a computation (issue 12: what a page
really has to compute per request). Any write to the API's store, a reset or a new data set
(a new store) moves the revision; injected faults and bodies bypass the memo entirely.

Bounded by entries and bytes; a full memo is simply emptied (computing again is the fallback).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockserver.engine import ApiRuntime
from mockserver.render import Wire
from mockserver.requestlog import LoggedRequest
from orgkit.model import Operation

# (path, query string, every header as sent): the method is always GET.
RequestKey = tuple[str, bytes, tuple[tuple[bytes, bytes], ...]]

ENTRIES = 4096
BYTES = 32 * 1024 * 1024
LARGEST = 1024 * 1024  # a larger body is computed each time (an unpaged list of a big store)
GENERIC_READS = frozenset({"get", "list"})
_BODY_HEADERS = (b"content-length", b"transfer-encoding")


@dataclass(frozen=True)
class Remembered:
    """An answer that may be kept, and what it was computed from."""

    wire: Wire
    runtime: ApiRuntime
    revision: object  # runtime.store.revision when it was computed
    expires: float  # the token's exp (epoch seconds); inf for a public operation

    def holds(self, now: float) -> bool:
        """Whether the store is unchanged and the token unexpired."""
        return self.runtime.store.revision is self.revision and now < self.expires


def rememberable(runtime: ApiRuntime, op: Operation) -> bool:
    """Whether op's answers depend only on the request and the store (a generic read)."""
    rule = op.resource
    return (op.method == "GET" and rule is not None and rule.action in GENERIC_READS
            and rule.action not in runtime.plugin.behaviours)


def token_expiry(claims: Mapping[str, Any] | None) -> float | None:
    """The epoch second a verified token stops being valid; None when unknown or when its
    `exp` is not a plain number (then the answer is not kept)."""
    if claims is None:
        return None
    exp = claims.get("exp", math.inf)
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return float(exp)


def _weight(key: RequestKey, remembered: Remembered, logged: LoggedRequest) -> int:
    """About the bytes one kept answer holds: its body, its key and its log entry."""
    path, query, headers = key
    return (len(remembered.wire.body) + len(path) + len(query) + logged.size
            + sum(len(name) + len(value) for name, value in headers))


class Answers:
    """The remembered answers of one mock (the pipeline's memo of generic reads)."""

    def __init__(self, entries: int = ENTRIES, max_bytes: int = BYTES) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        # Each answer with its request-log entry, repeated (with a new time) on every reuse.
        self._kept: dict[RequestKey, tuple[Remembered, LoggedRequest]] = {}
        self.bytes = 0

    @staticmethod
    def key(scope: Mapping[str, Any]) -> RequestKey | None:
        """The memo key of a request: GETs without a body only."""
        if scope["method"] != "GET":
            return None
        headers = tuple(scope["headers"])
        if any(name.lower() in _BODY_HEADERS for name, _ in headers):
            return None
        return scope["path"], scope["query_string"], headers

    def find(self, key: RequestKey) -> tuple[Remembered, LoggedRequest] | None:
        """The kept answer to this request and its log entry, if it still holds."""
        found = self._kept.get(key)
        if found is None or found[0].holds(time.time()):
            return found
        self._forget(key)
        return None

    def keep(self, key: RequestKey, remembered: Remembered, logged: LoggedRequest) -> None:
        """Keep an answer (emptying the memo first when a bound would be passed)."""
        if len(remembered.wire.body) > LARGEST:
            return
        # The key weighs too: up to the header limit (32 kB) per request, all client-chosen.
        size = _weight(key, remembered, logged)
        self._forget(key)
        if len(self._kept) >= self.entries or self.bytes + size > self.max_bytes:
            self.clear()
        self._kept[key] = (remembered, logged)
        self.bytes += size

    def _forget(self, key: RequestKey) -> None:
        gone = self._kept.pop(key, None)
        if gone is not None:
            self.bytes -= _weight(key, *gone)

    def clear(self) -> None:
        """Forget every answer."""
        self._kept.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._kept)
