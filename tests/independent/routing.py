"""A hand-written router: operations by path template and method, our own 404/405/501 answers.

`Allow` lists the spec's methods of the path and HEAD wherever GET is served (RFC 9110 §9.3.2);
a method the spec has that this implementation does not serve answers 501.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from .credentials import Bearer, authenticate
from .problems import Problem, render


@dataclass(frozen=True)
class Call:
    """What a handler sees of a request."""

    params: Mapping[str, str]
    query: Mapping[str, str]
    content_type: str | None
    body: bytes
    bearer: Bearer | None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def user(self) -> str:
        """The authenticated subject."""
        assert self.bearer is not None, "handlers of secured operations only"
        return self.bearer.subject


@dataclass(frozen=True)
class Reply:
    """A handler's answer: status and JSON body (None: no body)."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]



@dataclass(frozen=True)
class Operation:
    """One served operation; `handler` None means the spec has it and we do not serve it."""

    name: str
    handler: Handler | None
    secured: bool = True
    shape: str | None = None  # the error shape when not the API's own (x-orgkit-error-shape)


def allow_header(methods: Mapping[str, Operation]) -> str:
    """The Allow value of a path."""
    names = set(methods) | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(sorted(names))


def _respond(request: Request, reply: Reply) -> Response:
    headers = dict(reply.headers)
    if reply.body is None:
        return Response(status_code=reply.status, headers=headers)
    if request.method == "HEAD":
        return Response(status_code=reply.status, media_type="application/json",
                        headers=headers)
    return JSONResponse(reply.body, status_code=reply.status, headers=headers)


class PathEndpoint:
    """The ASGI app of one path: dispatch on method (any method, even unknown ones), authenticate,
    render refusals in the API's error shape."""

    def __init__(self, api: str, methods: Mapping[str, Operation],
                 flaws: frozenset[str] = frozenset()) -> None:
        self.api, self.methods, self.flaws = api, methods, flaws
        # a path whose every operation uses one other shape answers its 405 in that shape
        shapes = {op.shape for op in methods.values()}
        self.shape = next(iter(shapes)) or api if len(shapes) == 1 else api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.serve(request)
        except Problem as problem:
            method = "GET" if request.method == "HEAD" else request.method
            operation = self.methods.get(method)
            shape = operation.shape or self.api if operation else self.shape
            response = render(shape, problem, self.flaws)
        await response(scope, receive, send)

    async def serve(self, request: Request) -> Response:
        """The answer to one request; refusals raise Problem."""
        method = "GET" if request.method == "HEAD" else request.method
        operation = self.methods.get(method)
        if operation is None:
            problem = Problem(405, f"{request.method} is not offered on this resource.")
            problem.headers["Allow"] = allow_header(self.methods)
            raise problem
        if operation.handler is None:
            raise Problem(501, f"{operation.name} is not offered by this deployment.")
        bearer = (authenticate(self.api, request.headers.get("authorization"))
                  if operation.secured else None)
        call = Call(dict(request.path_params), dict(request.query_params),
                    request.headers.get("content-type"), await request.body(), bearer,
                    dict(request.headers))
        return _respond(request, operation.handler(call))


def router(api: str, table: Mapping[str, Mapping[str, Operation]],
           flaws: frozenset[str] = frozenset()) -> Router:
    """All paths of one API; anything else is a 404 in the API's error shape."""

    async def unknown(scope: Scope, receive: Receive, send: Send) -> None:
        await render(api, Problem(404, "There is no resource at this address."))(
            scope, receive, send)

    # An ASGI class (not a function) as endpoint: Starlette then passes every method through.
    routes = [Route(path, PathEndpoint(api, methods, flaws)) for path, methods in table.items()]
    return Router(routes, redirect_slashes=False, default=unknown)
