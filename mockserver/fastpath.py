"""Parameter validation compiled once per operation (the validate stage's parameter checks).

Connexion rebuilds much of its per-request machinery on every call; the validate stage
(mockserver/validation.py) checks parameters with these precompiled checks instead. Semantics
follow Connexion's strict validation: unknown query parameters, missing required ones, wrong
types and enum violations are 400s. With `--lenient-query` undeclared query parameters are
dropped first (`declared_query`), so both validation paths ignore them alike.

`acceptor` compiles a schema into a quick test that only ever says "certainly valid" (or "ask
the validator"): parameter values and JSON bodies that pass it skip the jsonschema validator,
whose errors (and their wording) are unchanged for everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

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
# Keywords that never refuse a non-null value under Connexion's Draft4RequestValidator.
_ANNOTATIONS = frozenset({"description", "title", "example", "deprecated", "default",
                          "nullable", "x-nullable"})
_TYPES: Mapping[str, Accept] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
}


def acceptor(schema: Any, seen: frozenset[int] = frozenset()) -> Accept | None:
    """A quick test that a value certainly passes Connexion's Draft4RequestValidator (Draft 4
    formats) under schema: True is a pass, False means ask the validator (it words the error).
    None when the schema uses a keyword the test does not know (the validator alone decides)."""
    if not isinstance(schema, Mapping) or id(schema) in seen:
        return None
    tests: list[Accept] = []
    for keyword, value in schema.items():
        if not isinstance(keyword, str):
            return None
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        test = _keyword(keyword, value, seen | {id(schema)})
        if test is None:
            return None
        tests.append(test)
    return lambda value: value is not None and all(test(value) for test in tests)


def _keyword(keyword: str, value: Any, seen: frozenset[int]) -> Accept | None:
    """The quick test of one keyword (None: not one it knows, in this form)."""
    if keyword == "type":
        return _TYPES.get(value) if isinstance(value, str) else None
    if keyword in ("maxLength", "minLength") and type(value) is int:
        return _length(value, keyword == "maxLength")
    if keyword == "pattern" and isinstance(value, str):
        return _pattern(re.compile(value))
    if keyword == "format" and isinstance(value, str):
        return lambda v: Draft4Validator.FORMAT_CHECKER.conforms(v, value)
    if keyword in ("minimum", "maximum") and type(value) in (int, float):
        return _bound(value, keyword == "minimum")
    if keyword == "enum" and isinstance(value, list):
        texts = frozenset(e for e in value if isinstance(e, str))
        return lambda v: isinstance(v, str) and v in texts
    if keyword == "required" and isinstance(value, list):
        return lambda v: not isinstance(v, dict) or all(name in v for name in value)
    if keyword == "items":
        return _items(acceptor(value, seen))
    if keyword == "properties" and isinstance(value, Mapping):
        return _properties({name: acceptor(prop, seen) for name, prop in value.items()})
    return None


def _length(bound: int, most: bool) -> Accept:
    if most:
        return lambda v: not isinstance(v, str) or len(v) <= bound
    return lambda v: not isinstance(v, str) or len(v) >= bound


def _bound(limit: float, lower: bool) -> Accept:
    """minimum or maximum (without Draft 4's exclusive flags: those are unknown keywords)."""
    if lower:
        return lambda v: v >= limit if type(v) in (int, float) else type(v) in (str, dict, list)
    return lambda v: v <= limit if type(v) in (int, float) else type(v) in (str, dict, list)


def _pattern(pattern: re.Pattern[str]) -> Accept:
    return lambda v: not isinstance(v, str) or pattern.search(v) is not None


def _items(each: Accept | None) -> Accept | None:
    if each is None:
        return None
    return lambda v: not isinstance(v, list) or all(each(e) for e in v)


def _properties(tests: Mapping[str, Accept | None]) -> Accept | None:
    if any(test is None for test in tests.values()):
        return None
    known: dict[str, Accept] = {n: t for n, t in tests.items() if t is not None}
    return lambda v: not isinstance(v, dict) or all(
        known[name](v[name]) for name in v if name in known)
