"""Error checks: every 4xx/5xx body is in the API's error shape, and probes get proper errors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import schemathesis
from openapi_schema_validator import OAS30Validator

from contract_tests.checks.base import check
from contract_tests.failures import fail
from contract_tests.target import Exchange
from orgkit.model import ErrorShape, Operation
from orgkit.specs import LOADED_FROM, LoadedApi, load_api, loaded_from


@dataclass(frozen=True)
class ErrorExpectation:
    """What an error answer must look like: content type, body schema, status field."""

    source: str  # where the schema comes from, for messages
    content_type: str
    schema: Mapping[str, Any]
    status_field: str | None


def expectation(api: LoadedApi, op: Operation | None, status: int,
                shape: ErrorShape | None = None) -> ErrorExpectation:
    """The declared error response of an operation for a status, else its shape's schema."""
    shape = shape or (op.error_shape if op is not None else api.model.error_shape)
    if op is not None:
        declared = op.responses.get(str(status)) or op.responses.get(f"{status // 100}XX")
        content = declared.content if declared else {}
        if content:
            media = shape.content_type if shape.content_type in content else next(iter(content))
            return ErrorExpectation(f"{op.operation_id} response {status}", media,
                                    content[media].get("schema") or {}, shape.status_field)
    name = shape.schema_for(status)
    schema = api.model.error_schema(shape, status)
    return ErrorExpectation(f"error shape {shape.name!r} ({name})", shape.content_type, schema,
                            shape.status_field)


_VALIDATORS: dict[int, OAS30Validator] = {}


def _validator(schema: Mapping[str, Any]) -> OAS30Validator:
    # Keyed by identity: the schemas live in the cached, read-only loaded document.
    found = _VALIDATORS.get(id(schema))
    if found is None:
        found = OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER)
        _VALIDATORS[id(schema)] = found
    return found


def shape_problem(expected: ErrorExpectation, status: int, content_type: str,
                  text: str) -> str | None:
    """What is wrong with an error answer against one expectation, or None."""
    media = content_type.split(";")[0].strip().lower()
    if media != expected.content_type.lower():
        return f"Content-Type is {media or 'missing'!r}, expected {expected.content_type!r}"
    try:
        body = json.loads(text)
    except ValueError:
        return f"the body is not JSON: {text[:200]!r}"
    errors = sorted(_validator(expected.schema).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(root)"
        return f"the body does not match {expected.source}: at {where}: {errors[0].message}"
    field = expected.status_field
    if field and isinstance(body, dict) and body.get(field) != status:
        return f"{field} is {body.get(field)!r}, expected the HTTP status {status}"
    return None


def first_problem(expectations: Sequence[ErrorExpectation], status: int, content_type: str,
                  text: str) -> str | None:
    """None when the answer matches any expectation; else the problem against the first."""
    problems = [shape_problem(e, status, content_type, text) for e in expectations]
    return None if any(p is None for p in problems) else problems[0]


def operation_of(api: LoadedApi, method: str, path: str) -> Operation | None:
    """The model operation of a method and spec path template."""
    for op in api.model.operations:
        if op.method == method.upper() and op.path == path:
            return op
    return None


@schemathesis.check
@check("error_shape_matches", "errors",
       "Every 4xx/5xx body is the operation's declared error (or the API's error shape), with "
       "the declared Content-Type and the status in the shape's status field")
def error_shape_matches(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis check: an error response is in the error shape the spec declares."""
    if response.status_code < 400:
        return None
    raw = case.operation.schema.raw_schema
    name = raw.get("x-orgkit", {}).get("api")
    if name is None:
        return None  # not one of orgkit's specs: no error shape to judge by
    # The document the suite loaded (a --spec or overlaid one too), else the bundled one.
    api = loaded_from(raw[LOADED_FROM]) if LOADED_FROM in raw else load_api(str(name))
    op = operation_of(api, str(case.operation.method), case.operation.path)
    content_type = (response.headers.get("content-type") or [""])[0]
    problem = error_shape_problem(api, op, response.status_code, content_type, response.text)
    if problem:
        raise AssertionError(f"{response.status_code} answer not in the error shape: {problem}")
    return None


def error_shape_problem(api: LoadedApi, op: Operation | None, status: int, content_type: str,
                        text: str) -> str | None:
    """error_shape_matches' judgement of one error answer: what is wrong, or None."""
    options = [expectation(api, op, status)]
    if status == 405:  # a path-level answer: the API's default shape is as right (errors family)
        options.append(expectation(api, None, status))
    return first_problem(options, status, content_type, text)


def require_error(api: LoadedApi, op: Operation | None, exchange: Exchange,
                  statuses: Iterable[int] | None = None,
                  shapes: Sequence[ErrorShape] = ()) -> Exchange:
    """CheckFailure unless the answer is a 4xx (or one of statuses) in an allowed error shape."""
    wanted = sorted(statuses) if statuses is not None else None
    ok_status = 400 <= exchange.status < 500 if wanted is None else exchange.status in wanted
    expected = (f"a {' or '.join(map(str, wanted))}" if wanted else "a 4xx") + " in the error shape"
    if not ok_status:
        raise fail(f"got {exchange.status}, expected {expected}", expected, exchange)
    options = [expectation(api, op, exchange.status, s) for s in shapes] or [
        expectation(api, op, exchange.status)]
    problem = first_problem(options, exchange.status, exchange.content_type, exchange.response_text)
    if problem:
        raise fail(f"{exchange.status} answer not in the error shape: {problem}", expected,
                   exchange)
    return exchange


@check("malformed_json_rejected", "errors",
       "A body that is not JSON gets a 4xx in the error shape")
def malformed_json_rejected(api: LoadedApi, op: Operation, exchange: Exchange) -> Exchange:
    """The answer to `{not json` as the JSON body."""
    return require_error(api, op, exchange)


@check("wrong_content_type_rejected", "errors",
       "A body in an undeclared media type gets a 4xx in the error shape")
def wrong_content_type_rejected(api: LoadedApi, op: Operation, exchange: Exchange) -> Exchange:
    """The answer to a text/plain body where the spec declares JSON."""
    return require_error(api, op, exchange)


@check("invalid_uuid_rejected", "errors",
       "A malformed UUID in a uuid path parameter gets a 4xx in the error shape")
def invalid_uuid_rejected(api: LoadedApi, op: Operation, exchange: Exchange) -> Exchange:
    """The answer to `not-a-uuid` in a uuid path parameter."""
    return require_error(api, op, exchange)


@check("unknown_path_not_found", "errors",
       "A path below the operation that the spec does not have gets 404 in the API's error shape")
def unknown_path_not_found(api: LoadedApi, op: Operation, exchange: Exchange) -> Exchange:
    """The answer to the operation's path plus an unknown segment."""
    return require_error(api, None, exchange, statuses=[404])


@check("unsupported_method_405", "errors",
       "A method the path does not have gets 405 in the error shape, whose Allow header lists "
       "every one of the spec's methods for the path and nothing else but what the spec's "
       "method_not_allowed rule also allows (inferred: HEAD with GET, OPTIONS)")
def unsupported_method_405(api: LoadedApi, op: Operation, exchange: Exchange,
                           allowed: Sequence[str]) -> Exchange:
    """The answer to a method the spec does not declare on the operation's path."""
    default = api.model.error_shape
    shapes = [default, *(s for s in path_shapes(api, op.path) if s.name != default.name)]
    require_error(api, None, exchange, statuses=[405], shapes=shapes)
    got = exchange.response_headers.get("allow")
    problem = allow_problem(got, allowed, api.model.also_allowed)
    if problem:
        extra = ", ".join(f"{m} (with {n})" if n != "any" else m
                          for m, n in sorted(api.model.also_allowed.items()))
        expected = f"Allow: {', '.join(sorted(allowed))}" + (f"; may add {extra}" if extra
                                                              else "")
        raise fail(f"Allow is {got!r}: {problem}", expected, exchange)
    return exchange


def allow_problem(header: str | None, spec_methods: Iterable[str],
                  also_allowed: Mapping[str, str]) -> str | None:
    """What is wrong with an Allow header for a path with these spec methods, or None."""
    listed = {m.strip().upper() for m in (header or "").split(",") if m.strip()}
    spec = {m.upper() for m in spec_methods}
    missing = sorted(spec - listed)
    unrelated = sorted(m for m in listed - spec
                       if also_allowed.get(m) not in ("any", *spec))
    parts = ([f"lacks {', '.join(missing)}"] if missing else []) + (
        [f"lists {', '.join(unrelated)}, which the path does not have"] if unrelated else [])
    return "; ".join(parts) or None


def path_shapes(api: LoadedApi, path: str) -> list[ErrorShape]:
    """The error shape shared by every operation of a path (none when they differ)."""
    shapes = {op.error_shape.name: op.error_shape for op in api.model.operations
              if op.path == path}
    return list(shapes.values()) if len(shapes) == 1 else []
