"""Connexion at the edge: validation and docs; every operation goes to the generic engine."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from mockserver.docs import served_document
from mockserver.http import Request, Response
from mockserver.mock import Mock
from orgkit import errorshapes
from orgkit.errors import DomainError
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
    from connexion.validators import (
        VALIDATOR_MAP,
        FormDataValidator,
        JSONRequestBodyValidator,
        MultiPartFormDataValidator,
    )
    from starlette.exceptions import HTTPException
    from starlette.formparsers import MultiPartException

log = logging.getLogger("orgkit.mock")
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
    for name, runtime in mock.runtimes.items():
        handlers = {op.operation_id: make_handler(mock, name, op)
                    for op in runtime.model.operations}
        app.add_api(
            served_document(runtime.document, runtime.model), base_path=runtime.model.mount,
            name=name,
            resolver=Resolver(function_resolver=handlers.__getitem__),
            strict_validation=True, validate_responses=mock.config.validate_responses,
        )
    render = make_error_renderer(mock)
    for kind in (ProblemException, HTTPException, Exception):
        app.add_error_handler(kind, render)
    return app


def make_handler(mock: Mock, api: str, op: Operation) -> Handler:
    """The one async handler of an operation: build a Request, run the engine, convert back."""
    runtime = mock.runtimes[api]
    path_names = [p.name for p in op.parameters if p.location == "path"]
    query_names = [p.name for p in op.parameters if p.location == "query"]
    file_names = {p for t in op.body_content_types if "multipart" in t
                  for p in _multipart_fields(runtime.document, op)}

    async def handler(**kwargs: Any) -> Any:
        request = connexion.request
        files = {n: await kwargs[n].read() for n in file_names if kwargs.get(n) is not None}
        req = Request(
            op=op,
            path={n: kwargs.get(n, request.path_params.get(n)) for n in path_names},
            query={n: kwargs[n] for n in query_names if kwargs.get(n) is not None},
            headers={k.lower(): v for k, v in request.headers.items()},
            body=kwargs.get("body"),
            caller=request.scope.get("state", {}).get("orgkit_caller"),
            base_url=f"{request.base_url}".rstrip("/") + runtime.model.mount,
            files=files,
        )
        return to_connexion(runtime.handle(req))

    return handler


def _multipart_fields(document: Mapping[str, Any], op: Operation) -> list[str]:
    content = document["paths"][op.path][op.method.lower()]["requestBody"]["content"]
    schema = next(v["schema"] for k, v in content.items() if "multipart" in k)
    return list(schema.get("properties", {}))


def to_connexion(response: Response) -> ConnexionResponse:
    """The engine's Response as Connexion's."""
    body: Any = response.raw
    if body is None and response.body is not None:
        body = json.dumps(response.body)
    content_type = response.content_type if body is not None else None
    return ConnexionResponse(status_code=response.status, body=body, headers=dict(response.headers),
                             content_type=content_type)


def make_error_renderer(mock: Mock) -> Callable[[Any, Exception], ConnexionResponse]:
    """One function that renders every error Connexion raises in the operation's own shape."""

    def render(request: Any, exc: Exception) -> ConnexionResponse:
        status, message = _status_and_message(exc)
        shape = _shape_for(mock, request.url.path, request.method)
        if isinstance(exc, DomainError):
            status, body = errorshapes.from_error(shape, exc)
        else:
            body = errorshapes.render(shape, status, message)
        return ConnexionResponse(status_code=status, body=json.dumps(body),
                                 content_type=shape.content_type)

    return render


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, DomainError):
        return errorshapes.STATUS[exc.problem], exc.message
    if isinstance(exc, ProblemException):
        return int(exc.status or 400), str(exc.detail or exc.title)
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail)
    if isinstance(exc, UnicodeDecodeError):
        return 400, "the request body is not valid UTF-8"
    # Anything else is our bug: log it with the trace, answer without one.
    log.error("unhandled error", exc_info=exc)
    return 500, "the mock hit an internal error; see its log"


def _shape_for(mock: Mock, path: str, method: str) -> Any:
    found = mock.api_for_path(path)
    if found is None:
        return next(iter(mock.runtimes.values())).model.error_shape
    api, sub_path = found
    match = mock.routers[api].match(method, sub_path)
    if match is not None and match.op is not None:
        return match.op.error_shape
    return mock.runtimes[api].model.error_shape
