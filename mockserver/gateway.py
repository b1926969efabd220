"""The request pipeline: one explicit chain of named, single-purpose stages.

    guard (mockserver/guard.py: header limits, Host, the control door)
    → a remembered answer (mockserver/answers.py: an identical generic read since the last write)
    → route once (a typed `Routed`: operation, path values, runtime)
    → limits (the body, read under its limit) → faults (latency, injected errors)
    → authenticate (`ApiRuntime.authenticate`, a typed `Caller`)
    → validate (mockserver/validation.py: one JSON parse; compiled checks, or Connexion's)
    → engine (`ApiRuntime.run`) → render (mockserver/render.py: every error, one place)

Each stage raises to refuse; the request's error shape is known from the route on. Every API
and token call is also captured for the request log.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from mockserver.answers import Answers, Remembered, RequestKey, rememberable, token_expiry
from mockserver.bodies import replay
from mockserver.console import ACCESS, CURRENT_REQUEST
from mockserver.docs import DocFiles
from mockserver.http import Response
from mockserver.mock import Mock
from mockserver.render import Wire, error_response, send_response, wire
from mockserver.requestlog import Capture, LoggedRequest
from mockserver.stages import (
    HANDED_ON,
    Api,
    Exchange,
    HandedOn,
    Routed,
    authenticate,
    faults,
    find_api,
    limits,
    route,
)
from mockserver.validation import Validation
from orgkit.errors import NotFound
from orgkit.model import ErrorShape
from orgkit.rights import Caller

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Gateway:
    """The pipeline after the guard: routes, reads, authenticates, validates, runs, renders."""

    def __init__(self, connexion: Callable[[], ASGIApp], control: ASGIApp, mock: Mock,
                 control_paths: tuple[str, ...]) -> None:
        self.control, self.mock = control, mock
        # Connexion is built on first use (docs, multipart bodies, --no-fast-path): its add_api
        # is most of the start-up otherwise, and most sessions never need it.
        self._build_connexion = connexion
        self._connexion_app: ASGIApp | None = None
        self.control_paths = control_paths
        # Token endpoints live in the control app but are API calls: they are logged.
        self.token_paths = tuple(rt.model.mount + rt.model.auth.token_url
                                 for rt in mock.runtimes.values() if rt.model.auth.token_url)
        self.stopping = asyncio.Event()  # set when the server is asked to stop
        config = mock.config
        # --validate-responses checks responses in Connexion: then only body-less operations
        # (as before JSON bodies were compiled) skip it.
        # The documents handed out keep their $refs; Connexion (and its Swagger UI page, which
        # fetches openapi.json from here) works on the resolved one.
        self.docs = {api: DocFiles(rt.served, rt.model) for api, rt in mock.runtimes.items()}
        self.answers = Answers()  # repeated generic reads (mockserver/answers.py)
        self.validation = Validation(mock.runtimes, compiled=config.fast_path,
                                     bodies=not config.validate_responses,
                                     lenient_query=config.lenient_query,
                                     max_string=config.max_string_length)

    @property
    def connexion(self) -> ASGIApp:
        """The Connexion app (docs; validation of forms, multipart, --no-fast-path)."""
        if self._connexion_app is None:
            self._connexion_app = self._build_connexion()
        return self._connexion_app

    def stop(self) -> None:
        """Stop waiting: requests sleeping in injected latency answer 503 at once."""
        self.stopping.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await self.connexion(scope, receive, send)
            return
        path: str = scope["path"]
        CURRENT_REQUEST.set(f"{scope['method']} {path}")
        key = self.answers.key(scope) if self._remembering() else None
        if key is not None and await self._answer_again(key, send):
            return
        token_call = path.startswith(self.token_paths)
        if self.mock.durable is not None:
            send = _durable(self.mock, send)
        if path.startswith(self.control_paths) and not token_call:
            await self.control(scope, receive, send)
            return
        capture = Capture(scope, receive, send)
        served = Served(None)
        try:
            if token_call:
                await self.control(scope, capture.receive, capture.send)
            else:
                served = await self._serve(scope, capture.receive, capture.send)
        finally:
            logged = self._record(capture, served.caller)
        if key is not None and served.answer is not None:
            self.answers.keep(key, served.answer, logged)

    def _remembering(self) -> bool:
        """Whether answers are remembered now (never while faults are injected)."""
        return self.mock.config.read_cache and not self.mock.faults.active

    async def _answer_again(self, key: RequestKey, send: Send) -> bool:
        """Send the remembered answer to this very request, if it still holds; log it."""
        started = time.perf_counter()
        found = self.answers.find(key)
        if found is None:
            return False
        answer, logged = found
        await answer.wire.send_to(send)
        self._log(logged.again(started))
        return True

    def _record(self, capture: Capture, caller: Caller | None) -> LoggedRequest:
        """Log the finished request, and print its line when the console shows requests."""
        client = (capture.scope.get("state") or {}).get("orgkit_client")  # token calls
        finished = capture.finished(self.mock.persona_of(caller.subject if caller else client))
        self._log(finished)
        return finished

    def _log(self, finished: LoggedRequest) -> None:
        self.mock.record(finished)
        if ACCESS.isEnabledFor(logging.INFO):
            entry = finished.entry()
            ACCESS.info("%(method)s %(path)s %(status)s", entry, extra={"entry": entry})

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> Served:
        """Run the stages for one API request: its caller (for the log) and, for a generic
        read, its answer to remember."""
        api = find_api(self.mock, scope["path"])
        if api is None:
            mounts = ", ".join(rt.model.mount for rt in self.mock.runtimes.values())
            await send_response(send, error_response(None, _no_api(scope["path"], mounts)))
            return Served(None)
        handed_out = (self.docs[api.name].get(api.sub_path)
                      if scope["method"] in ("GET", "HEAD") else None)
        if handed_out is not None:
            body, content_type = handed_out
            await send_response(send, Response(200, raw=body, content_type=content_type))
            return Served(None)
        if api.docs:
            await self.connexion(scope, receive, send)
            return Served(None)
        shape: ErrorShape = api.shape
        caller: Caller | None = None
        try:
            routed = route(self.mock, api, scope["method"], scope["path"])
            shape = routed.op.error_shape
            headers = _headers(scope)
            body = await limits(self.mock, routed.op, headers, receive)
            if not await faults(self.mock, receive, self.stopping):
                return Served(None)  # the client went away while the latency ran
            caller = authenticate(routed, headers)
            exchange = Exchange(routed, headers, scope["query_string"], body, caller,
                                _base_url(scope, headers, api))
            parsed = self.validation.parse(exchange)
            if not self.validation.compiled(routed.api, routed.op):
                await self._via_connexion(scope, replay(body, receive), send, exchange, parsed)
                return Served(caller)
            revision = routed.runtime.store.revision  # before the engine runs
            sent = wire(routed.runtime.run(self.validation.validate(exchange, parsed)))
        except Exception as exc:  # every stage refuses by raising; one place renders it
            await send_response(send, error_response(shape, exc))
            return Served(caller)
        await sent.send_to(send)
        return Served(caller, _to_remember(routed, headers, sent, revision))

    async def _via_connexion(self, scope: Scope, receive: Receive, send: Send,
                             exchange: Exchange, body: Any) -> None:
        """Connexion as the validate stage (forms, multipart, `--no-fast-path`); its handler
        runs the engine with what the earlier stages found (mockserver/adapter.py)."""
        scope["query_string"] = self.validation.query_string(exchange)
        handed = HANDED_ON.set(HandedOn(exchange, body))
        try:
            await self.connexion(scope, receive, send)
        finally:
            HANDED_ON.reset(handed)


@dataclass(frozen=True)
class Served:
    """What serving one request leaves for the log and the memo."""

    caller: Caller | None
    answer: Remembered | None = None


def _to_remember(routed: Routed, headers: Mapping[str, str], sent: Wire,
                 revision: object) -> Remembered | None:
    """The answer to keep for an identical request, if it may be kept (mockserver/answers.py):
    a 200 of a generic read, computed from an unchanged store, with a token of known expiry."""
    if sent.status != 200 or not rememberable(routed.runtime, routed.op) \
            or routed.runtime.store.revision is not revision:
        return None
    expires = (token_expiry(routed.runtime.verified_claims(headers.get("authorization")))
               if routed.op.secured else math.inf)
    if expires is None:
        return None
    return Remembered(sent, routed.runtime, revision, expires)


async def _lifespan(receive: Receive, send: Send) -> None:
    """Start and stop at once: the mock's state is built before the server starts."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _no_api(path: str, mounts: str) -> Exception:
    return NotFound(f"no API under {path!r}; the mock serves {mounts}")


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


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _base_url(scope: Scope, headers: dict[str, str], api: Api) -> str:
    host = headers.get("host")
    if host is None:  # HTTP/1.0 without Host: the address the server is bound to
        server = scope.get("server") or ("127.0.0.1", None)
        host = server[0] if server[1] in (None, 80) else f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{api.runtime.model.mount}"
