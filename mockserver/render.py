"""The pipeline's last stage: the one place that turns any error into a response body, and
the one function that sends a response.

Every stage raises; nothing else builds an error body. An API path gets its operation's (or its
API's) error shape; anything else (no API, the control API) gets the plain control shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from mockserver.http import Response
from orgkit import errorshapes
from orgkit.errors import DomainError, MethodNotAllowed, OrgkitError, Unauthenticated
from orgkit.model import ErrorShape

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
log = logging.getLogger("orgkit.mock")


class Refused(OrgkitError):
    """A request turned away with an explicit status and code (limits, Host, the control door,
    injected faults, Connexion's problems), rather than a domain problem."""

    def __init__(self, status: int, code: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers: Mapping[str, str] = headers or {}


def plain_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """The control API's (and no API's) error body."""
    return {"error": code or errorshapes.code_for(status), "message": message,
            "http_code": status}


def error_response(shape: ErrorShape | None, exc: BaseException,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The response for any error, in `shape` (None: the plain shape)."""
    extra = dict(_headers_of(exc))
    extra.update(headers or {})
    if isinstance(exc, DomainError) and shape is not None:
        status, body = errorshapes.from_error(shape, exc)
        return Response(status, body, extra, shape.content_type)
    status, code, message = _describe(exc)
    if shape is None:
        return Response(status, plain_body(status, message, code), extra)
    body = errorshapes.render(shape, status, message, code)
    return Response(status, body, extra, shape.content_type)


def _describe(exc: BaseException) -> tuple[int, str | None, str]:
    if isinstance(exc, Refused):
        return exc.status, exc.code, exc.message
    if isinstance(exc, DomainError):
        return errorshapes.STATUS[exc.problem], None, exc.message
    if isinstance(exc, UnicodeDecodeError):
        return 400, None, "the request body is not valid UTF-8"
    # Anything else is our bug: log it with the trace, answer without one.
    log.error("unhandled error", exc_info=exc)
    return 500, None, "the mock hit an internal error; see its log"


def _headers_of(exc: BaseException) -> Mapping[str, str]:
    if isinstance(exc, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, MethodNotAllowed) and exc.allowed:
        return {"Allow": ", ".join(exc.allowed)}
    if isinstance(exc, Refused):
        return exc.headers
    return {}


def encoded(response: Response) -> bytes:
    """The response's body bytes (JSON-encoded unless raw)."""
    if response.raw is not None:
        return response.raw
    return b"" if response.body is None else json.dumps(response.body).encode()


@dataclass(frozen=True)
class Wire:
    """A response as it is sent: status, header lines, body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    async def send_to(self, send: Send) -> None:
        """Send it: the start, then the whole body."""
        await send({"type": "http.response.start", "status": self.status,
                    "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body})


def wire(response: Response) -> Wire:
    """A complete response as sent (no body and no Content-Type when it has none)."""
    payload = encoded(response)
    raw = [(b"content-length", str(len(payload)).encode())]
    if response.raw is not None or response.body is not None:
        raw.append((b"content-type", response.content_type.encode()))
    raw += [(k.lower().encode(), v.encode()) for k, v in response.headers.items()]
    return Wire(response.status, tuple(raw), payload)


async def send_response(send: Send, response: Response) -> None:
    """Send a complete response."""
    await wire(response).send_to(send)
