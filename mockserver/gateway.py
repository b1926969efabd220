"""The outer ASGI layer: routing errors, body limits, faults and authentication, then Connexion."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from mockserver.bodies import overlong, read_bounded, replay, string_cap
from mockserver.console import ACCESS, CURRENT_REQUEST
from mockserver.docs import doc_files
from mockserver.fastpath import ParameterCheck, declared_query
from mockserver.http import Request
from mockserver.mock import Mock
from mockserver.requestlog import Capture
from mockserver.schemas import request_body_schema
from orgkit import errorshapes, jsontext
from orgkit.errors import (
    DomainError,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
)
from orgkit.model import ErrorShape, Operation
from orgkit.rights import Caller

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Paths under a mount that Connexion serves itself (docs), not operations.
DOC_SUFFIXES = ("/ui", "/ui/", "/openapi.json", "/openapi.yaml")


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None,
                    content_type: str = "application/json") -> None:
    """Send a complete JSON response (None: empty body)."""
    payload = b"" if body is None else json.dumps(body).encode()
    raw = [(b"content-length", str(len(payload)).encode())]
    if body is not None:
        raw.append((b"content-type", content_type.encode()))
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


async def send_bytes(send: Send, body: bytes, content_type: str, head: bool = False) -> None:
    """Send a 200 with a prepared body (only its headers for HEAD)."""
    raw = [(b"content-length", str(len(body)).encode()), (b"content-type", content_type.encode())]
    await send({"type": "http.response.start", "status": 200, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def send_error(send: Send, shape: ErrorShape, exc: DomainError,
                     headers: dict[str, str] | None = None) -> int:
    """Send a domain error in an API's shape; returns the status."""
    status, body = errorshapes.from_error(shape, exc)
    await send_json(send, status, body, headers, shape.content_type)
    return status


class Gateway:
    """Everything the mock decides before Connexion validates and the engine handles."""

    def __init__(self, inner: ASGIApp, control: ASGIApp, mock: Mock,
                 control_paths: tuple[str, ...]) -> None:
        self.inner, self.control, self.mock = inner, control, mock
        self.control_paths = control_paths
        # Token endpoints live in the control app but are API calls: they are logged.
        self.token_paths = tuple(rt.model.mount + rt.model.auth.token_url
                                 for rt in mock.runtimes.values() if rt.model.auth.token_url)
        self.stopping = asyncio.Event()  # set when the server is asked to stop
        # The documents handed out keep their $refs; Connexion (and its Swagger UI page, which
        # fetches openapi.json from here) works on the resolved one.
        self.docs = {api: doc_files(rt.served, rt.model) for api, rt in mock.runtimes.items()}
        # Strings the spec bounds (maxLength) are checked by validation; the rest by this cap.
        self.string_caps = {
            api: string_cap((request_body_schema(rt.document, op) for op in rt.model.operations),
                            mock.config.max_string_length)
            for api, rt in mock.runtimes.items()}
        # Body-less operations skip Connexion (see mockserver/fastpath.py) unless turned off.
        self.fast = {
            (api, op.operation_id): ParameterCheck(op)
            for api, runtime in mock.runtimes.items() for op in runtime.model.operations
            if mock.config.fast_path and not op.has_body
        }

    def stop(self) -> None:
        """Stop waiting: requests sleeping in injected latency answer 503 at once."""
        self.stopping.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        path: str = scope["path"]
        CURRENT_REQUEST.set(f"{scope['method']} {path}")
        token_call = path.startswith(self.token_paths)
        if self.mock.durable is not None:
            send = _durable(self.mock, send)
        if path.startswith(self.control_paths) and not token_call:
            await self.control(scope, receive, send)
            return
        capture = Capture(scope, receive, send)
        try:
            if token_call:
                await self.control(scope, capture.receive, capture.send)
            else:
                await self._serve(scope, capture.receive, capture.send)
        finally:
            self._record(capture)

    def _record(self, capture: Capture) -> None:
        """Log the finished request, and print its line when the console shows requests."""
        state = capture.scope.get("state") or {}
        caller: Caller | None = state.get("orgkit_caller")
        subject = caller.subject if caller is not None else state.get("orgkit_client")
        entry = capture.entry(self.mock.persona_of(subject))
        self.mock.record(entry)
        if ACCESS.isEnabledFor(logging.INFO):
            ACCESS.info("%(method)s %(path)s %(status)s", entry, extra={"entry": entry})

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.mock.api_for_path(scope["path"])
        if found is None:
            await send_json(send, 404, {"error": "not_found", "message": (
                f"no API under {scope['path']!r}; the mock serves "
                + ", ".join(rt.model.mount for rt in self.mock.runtimes.values()))})
            return
        api, sub_path = found
        runtime = self.mock.runtimes[api]
        shape = runtime.model.error_shape
        if sub_path in self.docs[api] and scope["method"] in ("GET", "HEAD"):
            body, content_type = self.docs[api][sub_path]
            await send_bytes(send, body, content_type, scope["method"] == "HEAD")
            return
        if sub_path in DOC_SUFFIXES or sub_path.startswith("/ui/"):
            await self.inner(scope, receive, send)
            return
        # OPTIONS is no operation of either spec: like any other undeclared method it is a 405
        # with Allow (CORS preflights are answered before this, by the CORS middleware).
        match = self.mock.routers[api].match(scope["method"], sub_path)
        if match is None:
            where = f"{scope['method']} {scope['path']}"
            await send_error(send, shape, NotFound(
                f"no operation at {where}; see {runtime.model.mount}/ui/"))
            return
        if match.op is None:
            allowed = ", ".join(match.allowed)
            await send_error(send, shape, MethodNotAllowed(
                f"{scope['method']} is not allowed on {scope['path']}; allowed: {allowed}"),
                {"Allow": allowed})
            return
        await self._operate(scope, receive, send, api, match.op, match.params)

    async def _operate(self, scope: Scope, receive: Receive, send: Send, api: str,
                       op: Operation, path_values: dict[str, str]) -> None:
        shape: ErrorShape = op.error_shape
        headers = _headers(scope)
        try:
            body = await self._read_body(headers, receive)
            _check_content_type(headers, body, op)
            _check_json(headers, body, self.string_caps[api])
        except DomainError as exc:
            await send_error(send, shape, exc)
            return
        delay = self.mock.fault_delay()
        if delay and not await self._delayed(delay, receive, send, shape):
            return
        receive = replay(body, receive)
        if self.mock.inject_error():
            status = self.mock.faults.error_status
            body = errorshapes.render(shape, status, "injected fault (see /__mock/faults)")
            await send_json(send, status, body, content_type=shape.content_type)
            return
        caller = None
        if op.secured:
            try:
                caller = self.mock.runtimes[api].authenticate(headers.get("authorization"))
            except Unauthenticated as exc:
                await send_error(send, shape, exc, {"WWW-Authenticate": "Bearer"})
                return
            scope.setdefault("state", {})["orgkit_caller"] = caller
        if self.mock.config.lenient_query:
            scope["query_string"] = declared_query(scope["query_string"], op)
        check = self.fast.get((api, op.operation_id))
        if check is None:
            await self.inner(scope, receive, send)
            return
        await self._fast(scope, send, api, op, check, Call(path_values, headers, caller))

    async def _delayed(self, seconds: float, receive: Receive, send: Send,
                       shape: ErrorShape) -> bool:
        """Sleep the injected latency; False when the request ends instead (client gone, or
        the server stopping: then a 503 is sent)."""
        gone = asyncio.ensure_future(_disconnected(receive))
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            done, _ = await asyncio.wait({gone, stop}, timeout=seconds,
                                         return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            stop.cancel()
        if stop in done and gone not in done:
            await send_error(send, shape, Unavailable("the mock is shutting down"),
                             {"Connection": "close"})
        return not done

    async def _fast(self, scope: Scope, send: Send, api: str, op: Operation,
                    check: ParameterCheck, call: Call) -> None:
        """Validate parameters here and run the engine without Connexion."""
        runtime = self.mock.runtimes[api]
        try:
            query = check.query(parse_qsl(scope["query_string"].decode("latin-1"),
                                          keep_blank_values=True))
            check.headers(call.headers)
        except DomainError as exc:
            await send_error(send, op.error_shape, exc)
            return
        host = call.headers.get("host", "127.0.0.1")
        req = Request(op=op, path=call.path, query=query, headers=call.headers, caller=call.caller,
                      base_url=f"{scope.get('scheme', 'http')}://{host}{runtime.model.mount}")
        response = runtime.handle(req)
        await send_json(send, response.status, response.body, dict(response.headers),
                        response.content_type)

    async def _read_body(self, headers: dict[str, str], receive: Receive) -> bytes:
        """The whole body, refusing declared or streamed bodies over the limit."""
        return await read_bounded(receive, headers, self.mock.config.max_body_bytes)


def _check_content_type(headers: dict[str, str], body: bytes, op: Operation) -> None:
    """A body without a Content-Type is refused: Connexion would validate it as the operation's
    first media type but hand the handler no body, so a create would store empty fields."""
    if body and op.has_body and not headers.get("content-type", "").strip():
        raise UnsupportedMediaType(
            f"the request has a body but no Content-Type; send one of "
            f"{', '.join(op.body_content_types)}")


def _check_json(headers: dict[str, str], body: bytes, max_string: int) -> None:
    """Clear 400s for bodies Connexion would choke on: bad UTF-8, bad JSON, absurd nesting,
    Infinity/NaN (Python's json takes them; the engine would store and echo invalid JSON),
    strings longer than the mock stores."""
    if not body or "json" not in headers.get("content-type", ""):
        return
    parsed = jsontext.loads(body)
    if parsed is None:
        # Connexion reads a literal null like an absent body; no body schema here is nullable.
        raise InvalidInput("the request body is JSON null; send an object, or no body at all")
    where = overlong(parsed, max_string)
    if where is not None:
        raise InvalidInput(f"{where} is longer than {max_string} characters, the longest string "
                           "this mock stores (README: Limits)")


def _durable(mock: Mock, send: Send) -> Send:
    """send, committing the request's writes to the state file before the response starts (an
    acknowledged write is never lost; a failed commit is a 500, not an acknowledgement)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            mock.persist()
        await send(message)

    return sending


async def _disconnected(receive: Receive) -> None:
    """Return when the client has gone away (the body has been read already)."""
    while (await receive())["type"] != "http.disconnect":
        pass


@dataclass(frozen=True)
class Call:
    """What the gateway learned about a request before handing it on."""

    path: dict[str, str]
    headers: dict[str, str]
    caller: Caller | None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
