"""Connexion as a stage: the docs, and validation where the pipeline hands it over (forms,
multipart, `--no-fast-path`); its handler runs the engine with what the stages found."""

from __future__ import annotations

import contextlib
import inspect
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from mockserver.docs import with_how_to_call
from mockserver.http import Request, Response
from mockserver.mock import Mock
from mockserver.render import Refused, encoded, error_response
from mockserver.stages import HANDED_ON
from mockserver.validation import Finish
from orgkit import errorshapes
from orgkit.model import Operation

with warnings.catch_warnings():
    # connexion imports starlette.testclient, which warns about httpx at import time
    # (a StarletteDeprecationWarning, which subclasses UserWarning).
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    warnings.simplefilter("ignore", DeprecationWarning)
    import connexion
    from connexion.exceptions import BadRequestProblem, ProblemException
    from connexion.lifecycle import ConnexionResponse
    from connexion.resolver import Resolver
    from connexion.security import AbstractSecurityHandler
    from connexion.spec import OpenAPISpecification
    from connexion.validators import (
        VALIDATOR_MAP,
        FormDataValidator,
        JSONRequestBodyValidator,
        MultiPartFormDataValidator,
    )
    from starlette.exceptions import HTTPException
    from starlette.formparsers import MultiPartException

Handler = Callable[..., Any]




class DeferredAuth(AbstractSecurityHandler):  # type: ignore[misc]  # connexion is untyped
    """Lets Connexion pass: the gateway has authenticated already (one place, one shape)."""

    def get_fn(self, security_scheme: Any, required_scopes: Any) -> Any:
        """A check that always succeeds."""

        async def passthrough(request: Any) -> dict[str, Any]:
            return {"sub": None}

        return passthrough


class OptionalJSONBody(JSONRequestBodyValidator):  # type: ignore[misc]  # connexion is untyped
    """Connexion's JSON body validator, except that an absent optional body is accepted.

    Connexion refuses every empty body whose schema is not nullable ("Request body must not be
    empty"), even when the operation declares `requestBody.required: false`.
    """

    async def _parse(self, stream: Any, scope: Any) -> Any:
        handed = HANDED_ON.get(None)
        if handed is None or handed.body is None:  # no body: Connexion's default stands in
            return await super()._parse(stream, scope)
        async for _ in stream:  # consumed, so Connexion replays it as it would
            pass
        return handed.body  # parsed once, by the validate stage

    def _validate(self, body: Any) -> Any:
        if body is None and not self._required:
            return None
        return super()._validate(body)


class _SchemaStrictForm:
    """Form bodies: malformed ones are a 400; extra fields refused only where the schema says.

    Connexion lets Starlette's MultiPartException (no boundary, broken part headers) escape as
    a 500, and its strict validation refuses every form field the schema does not name, although
    a schema without `additionalProperties: false` allows them (as JSON bodies do).
    """

    _schema: Any

    async def _parse(self, stream: Any, scope: Any) -> Any:
        try:
            return await super()._parse(stream, scope)  # type: ignore[misc]
        except MultiPartException as exc:
            raise BadRequestProblem(detail=f"the form body is malformed: {exc.message}") from None

    def _validate_params_strictly(self, data: dict[str, Any]) -> None:
        if self._schema.get("additionalProperties") is False:
            super()._validate_params_strictly(data)  # type: ignore[misc]


class SchemaStrictForm(_SchemaStrictForm, FormDataValidator):  # type: ignore[misc]
    """application/x-www-form-urlencoded bodies."""


class SchemaStrictMultipart(_SchemaStrictForm, MultiPartFormDataValidator):  # type: ignore[misc]
    """multipart/form-data bodies."""


VALIDATORS = {**VALIDATOR_MAP, "body": type(VALIDATOR_MAP["body"])({
    **VALIDATOR_MAP["body"], "*/*json": OptionalJSONBody,
    "application/x-www-form-urlencoded": SchemaStrictForm,
    "multipart/form-data": SchemaStrictMultipart})}


def build_connexion(mock: Mock) -> Any:
    """A Connexion AsyncApp serving every API of the mock under its mount."""
    app = connexion.AsyncApp(
        __name__, security_map={"bearer": DeferredAuth, "oauth2": DeferredAuth},
        validator_map=VALIDATORS)
    with validated_already():
        _add_apis(app, mock)
    render = make_error_renderer(mock)
    for kind in (ProblemException, HTTPException, Exception):
        app.add_error_handler(kind, render)
    return app


_OWN_VALIDATE_SPEC = vars(OpenAPISpecification).get("_validate_spec")  # None: inherited


@contextlib.contextmanager
def validated_already() -> Iterator[None]:
    """Connexion's add_api validates each spec again, most of the mock's start-up (~80% of
    add_api, measured); ours were validated when resolved (orgkit/specs.py), and Connexion's
    own check of the bundled specs runs in tests/mockserver/test_fastpath.py."""
    OpenAPISpecification._validate_spec = classmethod(lambda cls, spec: None)
    try:
        yield
    finally:
        if _OWN_VALIDATE_SPEC is None:
            with contextlib.suppress(AttributeError):
                del OpenAPISpecification._validate_spec
        else:
            OpenAPISpecification._validate_spec = _OWN_VALIDATE_SPEC


def _add_apis(app: Any, mock: Mock) -> None:
    for name, runtime in mock.runtimes.items():
        handlers = {op.operation_id: make_handler(mock, name, op)
                    for op in runtime.model.operations}
        app.add_api(
            with_how_to_call(runtime.document, runtime.model), base_path=runtime.model.mount,
            name=name,
            resolver=Resolver(function_resolver=handlers.__getitem__),
            strict_validation=True, validate_responses=mock.config.validate_responses,
        )


def make_handler(mock: Mock, api: str, op: Operation) -> Handler:
    """The one async handler of an operation: the engine on Connexion's validated values."""
    runtime = mock.runtimes[api]
    path_names = [p.name for p in op.parameters if p.location == "path"]
    query_names = [p.name for p in op.parameters if p.location == "query"]
    file_names = {p for t in op.body_content_types if "multipart" in t
                  for p in _multipart_fields(op)}
    # JSON bodies come from the validate stage; only forms are Connexion's to parse.
    form = op.has_body and not all("json" in t for t in op.body_content_types)
    finish = Finish(op)  # what Connexion leaves to check, worked out once for the operation

    async def handler(**kwargs: Any) -> Any:
        handed = HANDED_ON.get()
        exchange = handed.exchange
        files = {n: await kwargs[n].read() for n in file_names if kwargs.get(n) is not None}
        req = Request(
            op=op,
            path={n: kwargs.get(n, exchange.routed.path.get(n)) for n in path_names},
            query={n: kwargs[n] for n in query_names if kwargs.get(n) is not None},
            headers=exchange.headers,
            body=None if not op.has_body else kwargs.get("body") if form else handed.body,
            caller=exchange.caller, base_url=exchange.base_url, files=files,
        )
        return to_connexion(runtime.run(finish(req)))

    # Named arguments only: Connexion then hands over no body it would parse a second time.
    names = [*path_names, *query_names, *file_names, *(["body"] if form else [])]
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None)
         for n in dict.fromkeys(names)])
    return handler


def _multipart_fields(op: Operation) -> list[str]:
    schema = next(v["schema"] for k, v in op.request_content.items() if "multipart" in k)
    return list(schema.get("properties", {}))


def to_connexion(response: Response) -> ConnexionResponse:
    """The engine's Response as Connexion's."""
    empty = response.raw is None and response.body is None
    body = None if empty else encoded(response)
    content_type = None if empty else response.content_type
    return ConnexionResponse(status_code=response.status, body=body, headers=dict(response.headers),
                             content_type=content_type)


def make_error_renderer(mock: Mock) -> Callable[[Any, Exception], ConnexionResponse]:
    """Connexion's errors handed to the one renderer, in the routed operation's shape."""

    def render(request: Any, exc: Exception) -> ConnexionResponse:
        handed = HANDED_ON.get(None)
        shape = (handed.exchange.routed.op.error_shape if handed is not None
                 else next(iter(mock.runtimes.values())).model.error_shape)
        response = error_response(shape, _refusal(exc))
        return ConnexionResponse(status_code=response.status, body=encoded(response),
                                 headers=dict(response.headers),
                                 content_type=response.content_type)

    return render


def _refusal(exc: Exception) -> Exception:
    """Connexion's and Starlette's exceptions as Refused; others (domain errors, bugs) as
    they are."""
    if isinstance(exc, ProblemException):
        status = int(exc.status or 400)
        return Refused(status, errorshapes.code_for(status), str(exc.detail or exc.title))
    if isinstance(exc, HTTPException):
        return Refused(exc.status_code, errorshapes.code_for(exc.status_code), str(exc.detail))
    return exc
