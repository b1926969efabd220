"""Stateless answers for operations without an x-orgkit-resource rule (any OpenAPI document).

Like Prism's static mode: the success response's example, else the first of its examples, else
an instance built from its schema. Deterministic (the same operation always answers the same
body), and bounded in depth, so a recursive schema still gives a finite answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockserver.engine import Ctx
from mockserver.http import Response

MAX_DEPTH = 6  # nesting kept in a built instance; deeper optional parts are left out
FORMATS = {
    "uuid": "00000000-0000-4000-8000-000000000000", "date-time": "1970-01-01T00:00:00Z",
    "date": "1970-01-01", "email": "user@example.com", "uri": "https://example.com/",
    "url": "https://example.com/", "hostname": "example.com", "ipv4": "192.0.2.1",
    "byte": "", "time": "00:00:00Z",
}


def answer(ctx: Ctx) -> Response:
    """The operation's documented success answer, with no state read or written."""
    op = ctx.op
    response = op.responses.get(str(op.success_status))
    for media, content in (response.content if response else {}).items():
        if "json" in media:
            return Response(op.success_status, example_of(content), content_type=media)
    return Response(op.success_status, None)


def example_of(content: Mapping[str, Any]) -> Any:
    """A media type object's example, else its first named example, else one from its schema."""
    if "example" in content:
        return content["example"]
    for named in (content.get("examples") or {}).values():
        if isinstance(named, Mapping) and "value" in named:
            return named["value"]
    return instance(content.get("schema") or {})


def instance(schema: Mapping[str, Any], depth: int = 0) -> Any:
    """A value the schema accepts (its example, default or first enum value where it has one)."""
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema:
        return _all_of(schema["allOf"], depth)
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return instance(schema[key][0], depth)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind is None:
        return None if schema.get("nullable") else {}
    return _BUILDERS.get(str(kind), lambda s, d: None)(schema, depth)


def _all_of(parts: list[Any], depth: int) -> Any:
    built = [instance(p, depth) for p in parts]
    if all(isinstance(b, dict) for b in built):
        return {k: v for b in built for k, v in b.items()}
    return built[-1] if built else None


def _object(schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
    required = set(schema.get("required") or ())
    properties = schema.get("properties") or {}
    return {name: instance(sub, depth + 1) for name, sub in properties.items()
            if name in required or (depth < MAX_DEPTH and not sub.get("writeOnly"))}


def _array(schema: Mapping[str, Any], depth: int) -> list[Any]:
    count = max(int(schema.get("minItems", 0)), 1 if depth < MAX_DEPTH else 0)
    if "maxItems" in schema:
        count = min(count, int(schema["maxItems"]))
    return [instance(schema.get("items") or {}, depth + 1) for _ in range(count)]


def _string(schema: Mapping[str, Any], depth: int) -> str:
    text = FORMATS.get(str(schema.get("format")), "string")
    text = text.ljust(int(schema.get("minLength", 0)), "x")
    return text[:int(schema["maxLength"])] if "maxLength" in schema else text


def _number(schema: Mapping[str, Any], depth: int) -> int | float:
    low = schema.get("minimum", 0)
    if schema.get("exclusiveMinimum") is True:
        low += 1
    high = schema.get("maximum")
    value = low if high is None or low <= high else high
    return int(value) if schema.get("type") == "integer" else value


_BUILDERS: dict[str, Any] = {
    "object": _object, "array": _array, "string": _string, "integer": _number,
    "number": _number, "boolean": lambda s, d: True,
}
