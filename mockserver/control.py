"""The control API under /__mock: reset, fixtures, snapshots, tokens, faults, log, uploads."""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_plus

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver import controlinput, stateview
from mockserver.dashboard import PAGE_PATH, load_page
from mockserver.engine import ApiRuntime, RouteHandler, TokenIssuer
from mockserver.generation import Loads
from mockserver.http import RawCall
from mockserver.http import Response as Answer
from mockserver.mock import Mock
from orgkit import jsontext
from orgkit.errors import ConfigError, DomainError, InvalidInput, OrgkitError

Endpoint = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("orgkit.mock")


def _problem(status: int, message: str) -> JSONResponse:
    from orgkit.errorshapes import code_for

    return JSONResponse({"error": code_for(status), "message": message, "http_code": status},
                        status_code=status)


async def _json(request: Request) -> Any:
    return jsontext.loads(await request.body())


def _guarded(endpoint: Endpoint) -> Endpoint:
    """Turn the toolkit's errors into clear 4xx answers."""

    async def run(request: Request) -> Response:
        try:
            return await endpoint(request)
        except DomainError as exc:
            from orgkit.errorshapes import STATUS

            return _problem(STATUS[exc.problem], exc.message)
        except OrgkitError as exc:
            return _problem(400, str(exc))
        except (KeyError, TypeError, ValueError, AttributeError):
            # A body of the right JSON type but the wrong inner shape: Python's own message
            # would name our internals, so say where to look instead.
            log.warning("control request %s %s did not fit", request.method, request.url.path,
                        exc_info=True)
            return _problem(400, f"the body of {request.method} {request.url.path} does not "
                                 "have the expected shape; GET /__mock lists what each takes")

    return run


def build_control(mock: Mock) -> Starlette:
    """The /__mock application."""
    e = ControlEndpoints(mock)
    table: list[tuple[str, Endpoint, list[str]]] = [
        ("/__mock", e.index, ["GET"]),
        (PAGE_PATH, e.dashboard, ["GET"]),
        ("/__mock/state", e.state_counts, ["GET"]),
        ("/__mock/state/{api}/{collection}", e.state_items, ["GET"]),
        ("/__mock/reset", e.reset, ["POST"]),
        ("/__mock/fixtures", e.fixtures, ["GET", "PUT", "POST"]),
        ("/__mock/snapshot", e.snapshot, ["GET", "PUT"]),
        ("/__mock/tokens", e.token, ["POST"]),
        ("/__mock/personas", e.personas, ["GET"]),
        ("/__mock/faults", e.faults, ["GET", "PUT"]),
        ("/__mock/requests", e.requests, ["GET", "DELETE"]),
        ("/__mock/jwks.json", e.jwks, ["GET"]),
        ("/.well-known/jwks.json", e.jwks, ["GET"]),
    ]
    # What the APIs' plugins add: their own routes (uploads, downloads) and token endpoints.
    for runtime in mock.runtimes.values():
        for route, handler in runtime.plugin.routes.items():
            method, _, path = route.partition(" ")
            table.append((path, e.plugin_route(runtime, handler), [method]))
    for path, (runtime, issuer) in token_endpoints(mock).items():
        table.append((path, e.token_endpoint(runtime, issuer), ["POST"]))
    return Starlette(routes=[Route(p, _guarded(fn), methods=m) for p, fn, m in table],
                     exception_handlers={HTTPException: _http_problem})


async def _http_problem(request: Request, exc: Exception) -> Response:
    """Routing errors of the control API (404, 405) as JSON, like its other errors."""
    assert isinstance(exc, HTTPException)
    response = _problem(exc.status_code, f"{exc.detail}: {request.method} {request.url.path}; "
                                         "GET /__mock lists the control endpoints")
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def token_endpoints(mock: Mock) -> dict[str, tuple[ApiRuntime, TokenIssuer]]:
    """Path -> (API, issuer) of every declared token_url whose plugin issues tokens."""
    return {rt.model.mount + rt.model.auth.token_url: (rt, rt.plugin.issue_token)
            for rt in mock.runtimes.values()
            if rt.model.auth.token_url and rt.plugin.issue_token is not None}


def control_paths(mock: Mock) -> tuple[str, ...]:
    """Path prefixes the control API answers instead of the APIs."""
    return ("/__mock", "/.well-known/jwks.json", *token_endpoints(mock))


class ControlEndpoints:
    """One method per control endpoint."""

    def __init__(self, mock: Mock) -> None:
        self.mock = mock
        self.loads = Loads(mock)
        self.page = load_page()

    async def index(self, request: Request) -> Response:
        """What the control API offers."""
        return JSONResponse({"endpoints": {
            "GET /__mock/": "the dashboard (an HTML page for people)",
            "POST /__mock/reset": "back to the loaded fixtures",
            "GET|PUT|POST /__mock/fixtures": "get / load a data set, or POST {generate: {...}}",
            "GET|PUT /__mock/snapshot": "export / import the whole state",
            "POST /__mock/tokens": "{persona} or {sub, tid?, ttl_seconds?, algorithm?}",
            "GET /__mock/personas": "the personas of the loaded fixtures with tokens",
            "GET|PUT /__mock/faults": "{latency_ms, jitter_ms, error_rate, error_status}",
            "GET|DELETE /__mock/requests": "the request log (?limit=N)",
            "GET /__mock/state": "how many items each collection holds",
            "GET /__mock/state/{api}/{collection}": "its items (?page=1&per_page=20, max 100)",
            "GET /__mock/jwks.json": "the RS256 public key set",
            **{route: f"{rt.model.name}: {(handler.__doc__ or '').splitlines()[0]}"
               for rt in self.mock.runtimes.values()
               for route, handler in rt.plugin.routes.items()},
            **{f"POST {path}": f"{rt.model.name}: the client-credentials token endpoint"
               for path, (rt, _) in token_endpoints(self.mock).items()},
        }})

    async def dashboard(self, request: Request) -> Response:
        """The dashboard page (it reads everything it shows from the JSON endpoints)."""
        return Response(self.page.body, media_type="text/html; charset=utf-8",
                        headers=self.page.headers)

    async def state_counts(self, request: Request) -> Response:
        """How many items each collection of each API holds."""
        return JSONResponse({"apis": stateview.counts(self.mock.runtimes)})

    async def state_items(self, request: Request) -> Response:
        """One page of a collection's items, read-only."""
        ask = stateview.page_ask(request.query_params)
        return JSONResponse(stateview.page_of(self.mock.runtimes, request.path_params["api"],
                                              request.path_params["collection"], ask))

    async def reset(self, request: Request) -> Response:
        """POST: restore the loaded fixtures."""
        self.mock.reset()
        return JSONResponse({"reset": True})

    async def fixtures(self, request: Request) -> Response:
        """GET the loaded data set; PUT one; POST {generate: {...}} to generate one."""
        if request.method == "GET":
            return JSONResponse(self.mock.dataset)
        body = await _json(request)
        if request.method == "POST":
            options = body.get("generate", {}) if isinstance(body, dict) else None
            loaded = await self.loads.generate(options)
            # The generated personas are new to the caller: hand over their tokens at once.
            return JSONResponse({"loaded": True, "format": loaded,
                                 "personas": self._exported(request)["personas"]})
        return JSONResponse({"loaded": True, "format": await self.loads.load(body)})

    async def snapshot(self, request: Request) -> Response:
        """GET the state; PUT a snapshot back."""
        if request.method == "GET":
            return JSONResponse(self.mock.snapshot())
        self.mock.restore(await _json(request))
        return JSONResponse({"restored": True})

    async def token(self, request: Request) -> Response:
        """Mint a token for a persona or for any subject and tenant."""
        from orgkit_fixtures.personas import persona_api, persona_token

        asked = controlinput.token_request(await _json(request))
        if asked.persona is not None:
            # Claims named as the persona's API declares them, when that API is served.
            served = self.mock.runtimes.get(persona_api(self.mock.dataset, asked.persona))
            token = persona_token(self.mock.dataset, asked.persona, self.mock.keyring,
                                  ttl_seconds=asked.ttl_seconds,
                                  model=None if served is None else served.model)
        else:
            token = self.mock.keyring.mint(dict(asked.claims), algorithm=asked.algorithm,
                                           ttl_seconds=asked.ttl_seconds)
        return JSONResponse({"token": token, "authorization": f"Bearer {token}"})

    async def personas(self, request: Request) -> Response:
        """The loaded personas, as a personas file for this mock."""
        return JSONResponse(self._exported(request))

    def _exported(self, request: Request) -> dict[str, Any]:
        from orgkit_fixtures import export_personas

        models = {name: runtime.model for name, runtime in self.mock.runtimes.items()}
        return export_personas(self.mock.dataset, base_url=str(request.base_url).rstrip("/"),
                               keyring=self.mock.keyring, models=models)

    async def faults(self, request: Request) -> Response:
        """GET or PUT latency and error injection."""
        if request.method == "PUT":
            # Validated in full before anything changes (a refused PUT leaves the faults as
            # they were).
            self.mock.faults = self.mock.faults.updated(await _json(request))
        return JSONResponse(self.mock.fault_settings())

    async def requests(self, request: Request) -> Response:
        """GET the request log (newest last); DELETE clears it."""
        if request.method == "DELETE":
            self.mock.log.clear()
            return JSONResponse({"cleared": True})
        raw = request.query_params.get("limit", "100")
        if not raw.isdigit():
            raise ConfigError(f"limit must be a whole number of entries, got {raw!r}")
        limit = int(raw)
        return JSONResponse({"requests": list(self.mock.log)[-limit:] if limit else []})

    async def jwks(self, request: Request) -> Response:
        """The RS256 public keys that verify tokens signed by this mock."""
        return JSONResponse(self.mock.keyring.jwks())

    def plugin_route(self, runtime: ApiRuntime, handler: RouteHandler) -> Endpoint:
        """An endpoint running a plugin's own route with a framework-free call."""

        async def run(request: Request) -> Response:
            call = RawCall(dict(request.path_params), dict(request.query_params),
                           await request.body(), self.mock.config.max_blob_bytes)
            return _starlette(handler(runtime, call))

        return run

    def token_endpoint(self, runtime: ApiRuntime, issuer: TokenIssuer) -> Endpoint:
        """The OAuth2 client-credentials endpoint of one API."""

        async def run(request: Request) -> Response:
            return await self.oidc_token(request, runtime, issuer)

        return run

    async def oidc_token(self, request: Request, runtime: ApiRuntime,
                         issuer: TokenIssuer) -> Response:
        """OAuth2 client credentials: a form or JSON body, the client in it or in HTTP Basic."""
        try:
            form = await _token_form(request)
        except ValueError as exc:
            return JSONResponse({"error": "invalid_request", "error_description": str(exc)},
                                status_code=400)
        if form.get("grant_type", "client_credentials") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        client_id, client_secret = _basic_credentials(request) or (
            str(form.get("client_id", "")), str(form.get("client_secret", "")))
        request.scope.setdefault("state", {})["orgkit_client"] = client_id  # for the log
        try:
            answer = issuer(runtime, client_id, client_secret)
        except DomainError:
            return JSONResponse({"error": "invalid_client"}, status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="token"'})
        return JSONResponse(answer)


def _starlette(answer: Answer) -> Response:
    """A plugin route's answer as a Starlette response (raw bytes, or JSON, or empty)."""
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    if answer.raw is not None:
        return Response(answer.raw, answer.status, headers, media_type=answer.content_type)
    if answer.body is not None:
        return JSONResponse(answer.body, answer.status, headers)
    return Response(status_code=answer.status, headers=headers)


async def _token_form(request: Request) -> dict[str, Any]:
    """The token request's parameters; ValueError says why there are none to read."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return {k: v for k, v in (await request.form()).items()}
    body = await request.body()
    if not body:
        return {}
    if media not in ("", "application/json"):
        raise ValueError(f"send application/x-www-form-urlencoded (or JSON), not {media!r}")
    try:
        parsed = jsontext.loads(body, "the body")
    except InvalidInput as exc:
        raise ValueError(exc.message) from None
    if not isinstance(parsed, dict):
        raise ValueError("the JSON body must be an object")
    return parsed


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """(client_id, client_secret) from an HTTP Basic Authorization header, if one is sent."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, _, client_secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(client_secret)
