"""The named stages of the request pipeline before validation: route, limits, faults,
authenticate. Each takes what the stages before it produced and raises to refuse.

The order, and what each hands on, is in mockserver/gateway.py (the pipeline itself).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from mockserver.bodies import read_bounded
from mockserver.engine import ApiRuntime
from mockserver.mock import Mock
from mockserver.render import Refused
from orgkit.errors import MethodNotAllowed, NotFound, UnsupportedMediaType
from orgkit.model import ErrorShape, Operation
from orgkit.rights import Caller

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

# Paths under a mount that Connexion serves itself (docs), not operations.
DOC_SUFFIXES = ("/ui", "/ui/", "/openapi.json", "/openapi.yaml")


@dataclass(frozen=True)
class Api:
    """The API a path is under (the error shape of anything that fails before routing)."""

    name: str
    runtime: ApiRuntime
    sub_path: str  # the path below the API's mount

    @property
    def shape(self) -> ErrorShape:
        """The API's default error shape."""
        return self.runtime.model.error_shape

    @property
    def docs(self) -> bool:
        """Whether the path is one of the API's documentation pages (served by Connexion)."""
        return self.sub_path in DOC_SUFFIXES or self.sub_path.startswith("/ui/")


@dataclass(frozen=True)
class Routed:
    """The route stage's result: the operation, its path values, and its API's runtime."""

    api: str
    runtime: ApiRuntime
    op: Operation
    path: Mapping[str, str]


@dataclass(frozen=True)
class Exchange:
    """One API request as the stages leave it for validation: routed, read, authenticated."""

    routed: Routed
    headers: Mapping[str, str]  # lower-case names
    query_string: bytes
    body: bytes
    caller: Caller | None
    base_url: str  # scheme://host + the API's mount


@dataclass(frozen=True)
class HandedOn:
    """What the pipeline's stages found, for the Connexion stage: the exchange (route, caller,
    headers) and the body as the validate stage parsed it (JSON is parsed once)."""

    exchange: Exchange
    body: Any


# Set by the pipeline around its call into Connexion (a context variable, typed, because
# Connexion calls the handler from inside its own middleware stack).
HANDED_ON: ContextVar[HandedOn] = ContextVar("orgkit_handed_on")


def find_api(mock: Mock, path: str) -> Api | None:
    """The API whose mount a path is under."""
    found = mock.api_for_path(path)
    return None if found is None else Api(found[0], mock.runtimes[found[0]], found[1])


def route(mock: Mock, api: Api, method: str, full_path: str) -> Routed:
    """Route once: the operation and path values; NotFound or MethodNotAllowed otherwise."""
    # OPTIONS is no operation of either spec: like any other undeclared method it is a 405
    # with Allow (CORS preflights are answered before this, by the CORS middleware).
    match = mock.routers[api.name].match(method, api.sub_path)
    if match is None:
        raise NotFound(f"no operation at {method} {full_path}; see "
                       f"{api.runtime.model.mount}/ui/")
    if match.op is None:
        raise MethodNotAllowed(f"{method} is not allowed on {full_path}; allowed: "
                               f"{', '.join(match.allowed)}", allowed=match.allowed)
    return Routed(api.name, api.runtime, match.op, match.params)


async def limits(mock: Mock, op: Operation, headers: Mapping[str, str],
                 receive: Receive) -> bytes:
    """The whole body, read under the limit; a body needs a Content-Type."""
    body = await read_bounded(receive, headers, mock.config.max_body_bytes)
    # Without one, Connexion would validate the body as the operation's first media type but
    # hand the handler none, so a create would store empty fields.
    if body and op.has_body and not headers.get("content-type", "").strip():
        raise UnsupportedMediaType(
            f"the request has a body but no Content-Type; send one of "
            f"{', '.join(op.body_content_types)}")
    return body


async def faults(mock: Mock, receive: Receive, stopping: asyncio.Event) -> bool:
    """Apply injected latency and errors: False when the client went away while waiting;
    Refused for an injected error, Unavailable when the server stops meanwhile."""
    if not mock.faults.active:
        return True
    delay = mock.fault_delay()
    if delay and not await _delayed(delay, receive, stopping):
        return False
    if mock.inject_error():
        status = mock.faults.error_status
        raise Refused(status, "", "injected fault (see /__mock/faults)")
    return True


async def _delayed(seconds: float, receive: Receive, stopping: asyncio.Event) -> bool:
    """Sleep the injected latency; False when the client goes away first."""
    gone = asyncio.ensure_future(_disconnected(receive))
    stop = asyncio.ensure_future(stopping.wait())
    try:
        done, _ = await asyncio.wait({gone, stop}, timeout=seconds,
                                     return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        stop.cancel()
    if stop in done and gone not in done:
        raise Refused(503, "", "the mock is shutting down", {"Connection": "close"})
    return not done


async def _disconnected(receive: Receive) -> None:
    """Return when the client has gone away (the body has been read already)."""
    while (await receive())["type"] != "http.disconnect":
        pass


def authenticate(routed: Routed, headers: Mapping[str, str]) -> Caller | None:
    """The caller of a secured operation (ApiRuntime.authenticate is the one way in)."""
    if not routed.op.secured:
        return None
    return routed.runtime.authenticate(headers.get("authorization"))

