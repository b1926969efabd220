"""The implementation under test, reached over HTTP; every exchange can be replayed as curl."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from orgkit.errors import ConfigError


@dataclass(frozen=True)
class Exchange:
    """One request and its response."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes | None
    status: int
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_text: str = ""

    def json(self) -> Any:
        """The response body as JSON (None when it is not JSON)."""
        try:
            return json.loads(self.response_text) if self.response_text else None
        except ValueError:
            return None

    def said(self) -> str:
        """': <start of the response body>' for messages ('' when the body is empty)."""
        text = self.response_text.strip().replace("\n", " ")
        return f": {text[:160]}" if text else ""

    @property
    def content_type(self) -> str:
        """The response's media type without parameters."""
        return self.response_headers.get("content-type", "").split(";")[0].strip()

    def curl(self) -> str:
        """A curl command that sends the same request."""
        parts = ["curl", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            if name.lower() in ("host", "content-length", "accept-encoding", "connection",
                                "user-agent", "accept"):
                continue
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            parts += ["--data-binary", shlex.quote(self.request_body.decode("utf-8", "replace"))]
        return " ".join(parts)


class Target:
    """An HTTP client bound to the API's base URL (which includes the server path)."""

    def __init__(self, base_url: str, *, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.sent = 0  # every request through the client, whichever family sent it
        self.client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False,
                                   event_hooks={"request": [self._count]})

    def _count(self, request: httpx.Request) -> None:
        self.sent += 1

    def call(self, method: str, path: str, *, token: str | None = None,
             params: Mapping[str, Any] | None = None, json_body: Any = None,
             headers: Mapping[str, str] | None = None, content: bytes | None = None) -> Exchange:
        """Send one request; path is relative to the base URL (e.g. /tenants)."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        request = self.client.build_request(
            method, self.base_url + path, params=_clean(params), json=json_body,
            headers=all_headers, content=content)
        response = self.client.send(request)
        return Exchange(method, str(request.url), dict(request.headers), request.content or None,
                        response.status_code, dict(response.headers), response.text)

    def ping(self) -> None:
        """ConfigError when nothing answers at the base URL."""
        try:
            self.client.get(self.base_url + "/", timeout=10)
        except httpx.HTTPError as exc:
            raise ConfigError(f"cannot reach {self.base_url}: {exc}") from None

    def close(self) -> None:
        """Release the connection pool."""
        self.client.close()


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: (str(v).lower() if isinstance(v, bool) else v)
            for k, v in params.items() if v is not None}
