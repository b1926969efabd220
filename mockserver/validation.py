"""The validate stage: one place, one JSON parse, checks compiled once per operation.

A request leaves this stage as the engine's `Request`, or as an InvalidInput (or 415). JSON
bodies are parsed here once (strictly: mockserver/bodies.py, orgkit/jsontext.py) and validated
with the same validator class Connexion uses (`Draft4RequestValidator`, Draft 4 formats), so the
default path needs no Connexion at all. Operations whose bodies are forms or multipart, and every
operation under `--no-fast-path`, are validated by Connexion instead (mockserver/adapter.py),
which is handed the body parsed here. Both paths end in `finish`: the formats Connexion does not
check (uuid, uri) and canonical uuids.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft4Validator, ValidationError

from mockserver.bodies import overlong, string_cap
from mockserver.fastpath import Accept, ParameterCheck, acceptor, declared_query, query_pairs
from mockserver.formats import (
    FORMATS,
    canonical_uuids,
    check_body_formats,
    check_formats,
    format_checks,
)
from mockserver.http import Request
from mockserver.stages import Exchange
from orgkit import jsontext
from orgkit.errors import InvalidInput, UnsupportedMediaType
from orgkit.model import Operation


class BodyCheck:
    """A JSON request body's media types and schema, compiled once."""

    def __init__(self, op: Operation, schema: Mapping[str, Any], required: bool) -> None:
        self.types, self.schema = list(op.body_content_types), schema
        self.required, self.default = required, schema.get("default")
        # Built on first use (importing Connexion and compiling are start-up work otherwise):
        # media types, the validator, and a quick test that a valid body passes, so it skips
        # the validator (a tenth of the cost); anything else is the validator's to judge.
        self._compiled: tuple[Any, Any, Accept | None] | None = None

    def _compile(self) -> tuple[Any, Any, Accept | None]:
        if self._compiled is None:
            with warnings.catch_warnings():
                # connexion imports starlette.testclient, which warns about httpx.
                warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.")
                warnings.simplefilter("ignore", DeprecationWarning)
                from connexion.datastructures import MediaTypeDict
                from connexion.json_schema import Draft4RequestValidator
            media = MediaTypeDict([(t.lower(), None) for t in self.types])
            validator = Draft4RequestValidator(dict(self.schema),
                                               format_checker=Draft4Validator.FORMAT_CHECKER)
            self._compiled = (media, validator, acceptor(self.schema))
        return self._compiled

    def check(self, content_type: str, body: Any) -> Any:
        """The body, if its media type and value fit (Connexion's rules and messages)."""
        media, validator, quick = self._compile()
        mime = content_type.split(";")[0].strip() or self.types[0]
        if mime.lower() not in media:
            raise UnsupportedMediaType(f"Invalid Content-type ({mime}), expected {self.types}")
        if body is None:
            body = self.default  # Connexion validates a missing body as the schema's default
        if body is None:
            if self.required:
                raise InvalidInput("RequestBody is required")
            return None
        if quick is not None and quick(body):
            return body
        try:
            validator.validate(body)
        except ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)  # as Connexion words it
            where = f" - '{path}'" if path else ""
            raise InvalidInput(f"{exc.message}{where}") from None
        return body


class Validation:
    """The validate stage of one mock: compiled checks per operation, or Connexion's."""

    def __init__(self, runtimes: Mapping[str, Any], *, compiled: bool, bodies: bool,
                 lenient_query: bool, max_string: int) -> None:
        self.lenient = lenient_query
        # Strings the spec bounds (maxLength) are checked by the schemas; the rest by this cap.
        self.max_strings = {
            api: string_cap((op.request_schema for op in rt.model.operations),
                            max_string)
            for api, rt in runtimes.items()}
        self.checks: dict[tuple[str, str], tuple[ParameterCheck, BodyCheck | None, Finish]] = {}
        for api, runtime in runtimes.items():
            for op in runtime.model.operations if compiled else ():
                if op.has_body and not bodies:
                    continue
                found = _compile(op)
                if found is not None:
                    self.checks[(api, op.operation_id)] = (*found, Finish(op))

    def compiled(self, api: str, op: Operation) -> bool:
        """Whether the stage validates op itself (else Connexion does)."""
        return (api, op.operation_id) in self.checks

    def parse(self, exchange: Exchange) -> Any:
        """The JSON body, parsed once (None without one); refuses what no schema could want."""
        if not exchange.body or "json" not in exchange.headers.get("content-type", ""):
            return None
        parsed = jsontext.loads(exchange.body)
        if parsed is None:
            # Connexion reads a literal null like an absent body; no body schema is nullable.
            raise InvalidInput("the request body is JSON null; send an object, or no body at all")
        cap = self.max_strings[exchange.routed.api]
        where = overlong(parsed, cap)
        if where is not None:
            raise InvalidInput(f"{where} is longer than {cap} characters, the "
                               "longest string this mock stores (README: Limits)")
        return parsed

    def query_string(self, exchange: Exchange) -> bytes:
        """The query string as validation sees it (`--lenient-query`: declared names only)."""
        if self.lenient:
            return declared_query(exchange.query_string, exchange.routed.op)
        return exchange.query_string

    def validate(self, exchange: Exchange, body: Any) -> Request:
        """The engine's request for a compiled operation; InvalidInput says what is wrong."""
        routed = exchange.routed
        params, body_check, finished = self.checks[(routed.api, routed.op.operation_id)]
        query = params.query(query_pairs(self.query_string(exchange)))
        params.headers(exchange.headers)
        path = params.path(routed.path)
        # An operation without a request body gets none, whatever was sent.
        body = None if body_check is None else body_check.check(
            exchange.headers.get("content-type", ""), body)
        return finished(Request(op=routed.op, path=path, query=query, headers=exchange.headers,
                                body=body, caller=exchange.caller, base_url=exchange.base_url))


class Finish:
    """What either path leaves to check, for one operation: formats Connexion ignores (only
    where the operation declares them); canonical uuids (only where it has uuid parameters)."""

    def __init__(self, op: Operation) -> None:
        self.formats = format_checks(op)
        self.uuids = any(op.uuid_parameters.values())
        self.body_formats = _declares_formats(op.request_schema)

    def __call__(self, req: Request) -> Request:
        if self.formats:
            check_formats(req, self.formats)
        if self.uuids:
            req = canonical_uuids(req)
        if req.body is not None and self.body_formats:
            check_body_formats(req.op.request_schema, req.body, "body")
        return req


def _declares_formats(schema: Any, seen: frozenset[int] = frozenset()) -> bool:
    """Whether check_body_formats could refuse anything under schema (it walks properties and
    items only, and checks only the formats in FORMATS); True where in doubt."""
    if not isinstance(schema, Mapping) or id(schema) in seen:
        return True  # not a schema (the walk decides), or a recursive one
    if FORMATS.get(str(schema.get("format"))) is not None:
        return True
    seen = seen | {id(schema)}
    items = schema.get("items")
    properties = schema.get("properties") or {}
    if isinstance(items, Mapping) and _declares_formats(items, seen):
        return True
    return not isinstance(properties, Mapping) or any(
        _declares_formats(prop, seen) for prop in properties.values())


def _compile(op: Operation) -> tuple[ParameterCheck, BodyCheck | None] | None:
    """The compiled checks of op, or None when only Connexion can validate its body."""
    if not op.has_body:
        return ParameterCheck(op), None
    if not all("json" in t for t in op.body_content_types):
        return None  # forms and multipart: Connexion parses and validates them
    return ParameterCheck(op), BodyCheck(op, op.request_schema, op.body_required)
