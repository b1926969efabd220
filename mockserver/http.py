"""Framework-free request and response values passed between the adapters and the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orgkit.model import Operation
from orgkit.rights import Caller


@dataclass(frozen=True)
class Request:
    """One call to an operation, after routing, authentication and schema validation."""

    op: Operation
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    headers: Mapping[str, str]  # lower-case names
    body: Any = None
    caller: Caller | None = None
    base_url: str = ""  # scheme://host[:port] + the API's mount, e.g. http://127.0.0.1:8080/svx
    files: Mapping[str, bytes] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """A request header by case-insensitive name."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Response:
    """What the engine answers: status, JSON body (None: empty) and extra headers."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    raw: bytes | None = None  # a non-JSON body (blob content)


@dataclass(frozen=True)
class RawCall:
    """A call to a plugin's own route under /__mock (an upload, a download), framework-free."""

    path: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes = b""
    max_bytes: int = 0  # the largest body the server accepts for uploads
