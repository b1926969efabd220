"""Parameter validation compiled once per operation (the validate stage's parameter checks).

Connexion rebuilds much of its per-request machinery on every call; the validate stage
(mockserver/validation.py) checks parameters with these precompiled checks instead. Semantics
follow Connexion's strict validation: unknown query parameters, missing required ones, wrong
types and enum violations are 400s. With `--lenient-query` undeclared query parameters are
dropped first (`declared_query`), so both validation paths ignore them alike.

`acceptor` compiles a schema with fastjsonschema into a quick test that only ever says
"certainly valid" (or "ask the validator"): parameter values and JSON bodies that pass it skip
the jsonschema validator, whose errors (and their wording) are unchanged for everything else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import fastjsonschema
from jsonschema import Draft4Validator

from orgkit.errors import InvalidInput
from orgkit.model import Operation, Parameter

Converter = Callable[[str], Any]


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


CONVERTERS: Mapping[str, Converter] = {"integer": int, "number": float, "boolean": _boolean}


@dataclass(frozen=True)
class CompiledParameter:
    """One parameter with its converter and schema validator."""

    name: str
    location: str
    required: bool
    kind: str
    validator: Draft4Validator | None  # None: the type check is all the schema asks
    quick: Accept | None = None  # a value this accepts is valid (see acceptor)

    def parse(self, text: str) -> Any:
        """The converted, validated value; InvalidInput names the parameter otherwise."""
        try:
            value = CONVERTERS.get(self.kind, str)(text)
        except ValueError:
            raise InvalidInput(f"{self.location} parameter {self.name} must be of type "
                               f"{self.kind}, got {text!r}") from None
        if self.validator is None or (self.quick is not None and self.quick(value)):
            return value
        error = next(iter(self.validator.iter_errors(value)), None)
        if error is not None:
            raise InvalidInput(f"{self.location} parameter {self.name}: {error.message}")
        return value


class ParameterCheck:
    """All parameters of one body-less operation."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.params = tuple(_compile(p) for p in op.parameters)
        self.query_names = {p.name for p in self.params if p.location == "query"}
        # Each location's parameters, in declared order (a request checks only its own).
        self.located = {location: tuple(p for p in self.params if p.location == location)
                        for location in ("path", "query", "header")}

    def query(self, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Validated query values; unknown or repeated parameters are refused."""
        seen: dict[str, str] = {}
        for name, value in pairs:
            if name not in self.query_names:
                raise InvalidInput(f"Extra query parameter(s) {name} not in spec")
            if name in seen:
                raise InvalidInput(f"query parameter {name} was given more than once")
            seen[name] = value
        return self._checked("query", seen)

    def headers(self, headers: Mapping[str, str]) -> None:
        """Check declared header parameters (names case-insensitive)."""
        declared = self.located["header"]
        if declared:
            self._checked("header", {p.name: headers[p.name.lower()] for p in declared
                                     if p.name.lower() in headers})

    def path(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Converted, validated path values (the router matched their text already)."""
        return self._checked("path", values)

    def _checked(self, location: str, given: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for p in self.located[location]:
            if p.name in given:
                values[p.name] = p.parse(given[p.name])
            elif p.required:
                raise InvalidInput(f"Missing {location} parameter '{p.name}'")
        return values


def query_pairs(raw: bytes) -> list[tuple[str, str]]:
    """The query string's (name, value) pairs, as parse_qsl(keep_blank_values=True) reads its
    latin-1 text; without a '%' or '+' there is nothing to unquote, so it is a plain split."""
    if not raw:
        return []
    text = raw.decode("latin-1")
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(name, value) for name, _, value in
            (field.partition("=") for field in text.split("&") if field)]


def declared_query(raw: bytes, op: Operation) -> bytes:
    """The query string without parameters op does not declare, other bytes left as they were
    (so a cache-buster such as `?_=123` is ignored instead of refused)."""
    names = {p.name for p in op.parameters if p.location == "query"}
    kept = [part for part in raw.split(b"&")
            if part and unquote_plus(part.split(b"=", 1)[0].decode("latin-1")) in names]
    return b"&".join(kept)


# Schema keywords that ask nothing of a value beyond its type (the validate stage checks the
# uuid and uri formats itself).
_NO_CHECK = frozenset({"type", "format", "description", "example", "title", "x-orgkit-inferred"})


def _compile(p: Parameter) -> CompiledParameter:
    schema = dict(p.schema)
    kind = str(schema.get("type", "string"))
    # The converter has checked the type already (Draft 4 here checks no format at all).
    trivial = kind in ("string", *CONVERTERS) and set(schema) <= _NO_CHECK
    return CompiledParameter(p.name, p.location, p.required, kind,
                             None if trivial else Draft4Validator(schema),
                             None if trivial else acceptor(schema))


Accept = Callable[[Any], bool]
DRAFT4 = "http://json-schema.org/draft-04/schema#"
# What compiling may raise on a schema fastjsonschema cannot take (a recursive one, an odd
# keyword value): the validator alone judges it then.
_UNCOMPILABLE = (fastjsonschema.JsonSchemaDefinitionException, RecursionError, TypeError,
                 ValueError, KeyError, re.error)


def acceptor(schema: Any) -> Accept | None:
    """A quick test that a value certainly passes the Draft 4 validator under schema: True is a
    pass, False means ask the validator (it words the error). None when fastjsonschema cannot
    compile the schema (the validator alone decides)."""
    if not isinstance(schema, Mapping):
        return None
    try:
        compiled = fastjsonschema.compile({**schema, "$schema": DRAFT4},
                                          formats=_formats(schema), use_default=False)
    except _UNCOMPILABLE:
        return None

    def accepts(value: Any) -> bool:
        # null is the validator's: OpenAPI's `nullable` is no keyword fastjsonschema knows.
        if value is None:
            return False
        try:
            compiled(value)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    return accepts


def _formats(schema: Any) -> dict[str, Accept]:
    """Every format the schema names, judged by the validator's own format checker (so the two
    agree on what `uri` or `email` means)."""
    found: dict[str, Accept] = {}
    stack, seen = [schema], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            name = node.get("format")
            if isinstance(name, str):
                found[name] = functools.partial(_conforms, format_name=name)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _conforms(value: Any, format_name: str) -> bool:
    return bool(Draft4Validator.FORMAT_CHECKER.conforms(value, format_name))
