"""Concrete requests planned from the spec: path values, query, headers and a body."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import httpx

from contract_tests.failures import fail
from contract_tests.target import Exchange, Target
from orgkit.errors import OrgkitError
from orgkit.model import Operation
from orgkit.rightsrules import ScopeRef, SourceKind

Schema = Mapping[str, Any]
BOUNDARY = "orgkit-contract-boundary"
PROBE_UUID = "00000000-0000-4000-8000-000000000000"
# A 1x1 transparent PNG: the smallest file a logo upload accepts as an image.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


class SetupFailed(OrgkitError):
    """The suite could not prepare what a request needs (the message says what)."""


@dataclass(frozen=True)
class Planned:
    """One concrete request for an operation; `content` is a pre-encoded non-JSON body."""

    op: Operation
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    content: bytes | None = None

    @property
    def url_path(self) -> str:
        """The operation's path with its parameters filled in (relative to the base URL)."""
        text = self.op.path
        for name, value in self.path.items():
            text = text.replace("{" + name + "}", quote(str(value), safe=""))
        return text

    def describe(self) -> str:
        """`METHOD /filled/path` for messages."""
        return f"{self.op.method} {self.url_path}"

    def value(self, ref: ScopeRef) -> str | None:
        """The request's value for a path, query or header reference."""
        if ref.kind is SourceKind.PATH:
            return _text(self.path.get(ref.name))
        if ref.kind is SourceKind.QUERY:
            return _text(self.query.get(ref.name))
        if ref.kind is SourceKind.HEADER:
            found = [v for k, v in self.headers.items() if k.lower() == ref.name.lower()]
            return found[0] if found else None
        return None

    def with_query(self, **params: Any) -> Planned:
        """The same request with query parameters added or replaced (None removes one)."""
        query = {**self.query, **params}
        return replace(self, query={k: v for k, v in query.items() if v is not None})


def send(target: Target, planned: Planned, token: str | None) -> Exchange:
    """Send a planned request; a transport error becomes a CheckFailure."""
    headers = dict(planned.headers)
    if planned.content is not None:
        headers.setdefault("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    try:
        return target.call(planned.op.method, planned.url_path, token=token,
                           params=planned.query or None, json_body=planned.body,
                           headers=headers, content=planned.content)
    except httpx.HTTPError as exc:
        raise fail(f"{planned.describe()} failed before an answer: {exc!r}",
                   "an HTTP response") from None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def body_schema(op: Operation) -> tuple[str, Schema]:
    """The media type and schema of an operation's request body (('', {}) when none)."""
    content = op.request_content
    for media in sorted(content, key=lambda m: "json" not in m):
        return media, content[media].get("schema") or {}
    return "", {}


def multipart(fields: Mapping[str, tuple[str, bytes, str]]) -> bytes:
    """A multipart/form-data body (field -> (filename, bytes, content type))."""
    parts = []
    for name, (filename, data, media) in fields.items():
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {media}\r\n\r\n')
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class BodyMaker:
    """Minimal valid values for JSON schemas: required fields, examples, unique strings.

    With `full`, objects carry every property the client may send (optional ones too, read-only
    ones never), built from their properties even where the object has an example.
    """

    def __init__(self, rng: random.Random, *, full: bool = False) -> None:
        self.rng, self.full = rng, full

    def token(self) -> str:
        """A short random hex string from the suite's generator."""
        return f"{self.rng.getrandbits(48):012x}"

    def unique_name(self) -> str:
        """A name no other run of the suite is likely to use."""
        return f"orgkit-{self.token()}"

    def fresh_uuid(self) -> str:
        """A random UUID from the suite's generator (reproducible runs)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def value(self, schema: Schema) -> Any:
        """A minimal value valid for the schema."""
        if "example" in schema and not (self.full and schema.get("properties")):
            return schema["example"]
        if "enum" in schema:
            return schema["enum"][0]
        for combinator in ("allOf", "anyOf", "oneOf"):
            if schema.get(combinator):
                return self.value(schema[combinator][0])
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if kind == "boolean":
            return False
        makers: dict[str, Callable[[Schema], Any]] = {
            "object": self._object, "array": self._array, "integer": self._number,
            "number": self._number}
        return makers.get(kind, self._string)(schema)

    def _object(self, schema: Schema) -> dict[str, Any]:
        props = schema.get("properties") or {}
        names = [n for n, p in props.items() if not p.get("readOnly")] if self.full else []
        names += [n for n in schema.get("required") or () if n not in names]
        return {name: self.value(props.get(name) or {}) for name in names}

    def _array(self, schema: Schema) -> list[Any]:
        return [self.value(schema.get("items") or {}) for _ in range(schema.get("minItems", 0))]

    def _number(self, schema: Schema) -> int:
        return int(schema.get("minimum", 1))

    def _string(self, schema: Schema) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return self.fresh_uuid()
        if fmt == "email":
            return f"{self.unique_name()}@example.com"
        if fmt in ("uri", "url"):
            return f"https://example.com/{self.unique_name()}"
        if fmt == "date-time":
            return "2026-01-01T00:00:00Z"
        text = self.unique_name()
        text = text.ljust(int(schema.get("minLength", 0)), "x")
        return text[: int(schema.get("maxLength", len(text)))]


def merge(base: Any, overrides: Mapping[str, Any]) -> Any:
    """`base` with dotted-path overrides applied (`user.given_name`); missing objects made."""
    result = dict(base) if isinstance(base, Mapping) else {}
    for dotted, value in overrides.items():
        head, _, rest = dotted.partition(".")
        result[head] = merge(result.get(head), {rest: value}) if rest else value
    return result


def sample(schema: Mapping[str, Any]) -> Any:
    """A plain value valid for a parameter schema (example, default, enum, format or type)."""
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("format") == "uuid":
        return PROBE_UUID
    kind = schema.get("type", "string")
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return "true"
    return "orgkit-probe"


def required(op: Operation, location: str) -> dict[str, str]:
    """Valid values for the operation's required parameters in one location."""
    return {p.name: str(sample(p.schema)) for p in op.parameters
            if p.location == location and p.required}
