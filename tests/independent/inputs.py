"""Hand-written request validation: JSON bodies, query values and path ids."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .problems import Problem

UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]*$")
MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Field:
    """One declared body property."""

    kind: str = "string"  # string | uuid | uri | bool | strings
    required: bool = False
    nullable: bool = False
    max_length: int | None = None


def parse_json(content_type: str | None, raw: bytes) -> dict[str, Any]:
    """A JSON object body; 400 for another media type, bad JSON or a non-object."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Problem(400, f"Expected an application/json body, received {media or 'none'}.")
    if len(raw) > MAX_BODY:
        raise Problem(400, "The request body is too large.")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "The request body is not valid JSON.") from None
    if not isinstance(value, dict):
        raise Problem(400, "The request body must be a JSON object.")
    return value


def _fits(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if not isinstance(value, str):
        return False
    if kind == "uuid":
        return bool(UUID.match(value))
    return kind != "uri" or bool(URI.match(value))


def check_fields(body: Mapping[str, Any], fields: Mapping[str, Field]) -> dict[str, Any]:
    """The declared properties of a body, each checked; undeclared ones are dropped."""
    clean: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in body:
            if field.required:
                raise Problem(400, f"Property '{name}' is mandatory.", field=name)
            continue
        value = body[name]
        if value is None and field.nullable:
            clean[name] = None
            continue
        if not _fits(field.kind, value):
            raise Problem(400, f"Property '{name}' does not have the expected {field.kind} form.",
                          field=name)
        if field.max_length is not None and len(value) > field.max_length:
            raise Problem(400, f"Property '{name}' exceeds {field.max_length} characters.",
                          field=name)
        clean[name] = value
    return clean


def path_uuid(params: Mapping[str, str], name: str) -> str:
    """A uuid path parameter, lower-cased; 400 when malformed."""
    value = params[name]
    if not UUID.match(value):
        raise Problem(400, f"Path segment '{name}' must be a UUID.", parameter=name)
    return value.lower()


def query_int(query: Mapping[str, str], name: str, low: int, high: int | None) -> int | None:
    """An optional bounded integer query value."""
    if name not in query:
        return None
    raw = query[name]
    if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()) or raw != raw.strip():
        raise Problem(400, f"Query value '{name}' must be an integer.", parameter=name)
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise Problem(400, f"Query value '{name}' is out of range.", parameter=name)
    return value


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...],
                 default: str) -> str:
    """An optional enumerated query value."""
    value = query.get(name, default)
    if value not in choices:
        raise Problem(400, f"Query value '{name}' must be one of {', '.join(choices)}.",
                      parameter=name)
    return value


def query_bool(query: Mapping[str, str], name: str) -> bool:
    """An optional boolean query value (true/false)."""
    return query_choice(query, name, ("true", "false"), "false") == "true"


def query_uuid(query: Mapping[str, str], name: str) -> str | None:
    """An optional uuid query value."""
    if name not in query:
        return None
    return path_uuid(query, name)
