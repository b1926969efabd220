"""What an operation declares it answers: responses and their links, as read-only values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

# Read-only views over the resolved document: the schema and media type objects inside them are
# shared with LoadedApi.document (and with each other, through prance): never mutate them.
Schema = Mapping[str, Any]
EMPTY: Mapping[str, Any] = MappingProxyType({})


def read_only(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only view of a mapping (None: the shared empty one)."""
    return MappingProxyType(dict(mapping)) if mapping else EMPTY


def json_schema(content: Mapping[str, Any]) -> Schema:
    """The schema of the first JSON media type of a content map ({} when there is none)."""
    for media, body in content.items():
        if "json" in media:
            found: Schema = body.get("schema", {}) or {}
            return found
    return EMPTY


@dataclass(frozen=True)
class Link:
    """An OpenAPI link from one response of an operation to another operation."""

    status: str
    name: str
    operation_id: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class DeclaredResponse:
    """One documented response of an operation (after the clean step)."""

    status: str
    content: Mapping[str, Mapping[str, Any]]  # media type -> media type object (schema, example)
    headers: Mapping[str, Any]
    links: tuple[Link, ...]

    @property
    def schema(self) -> Schema:
        """The JSON body schema ({} when the response has no JSON content)."""
        return json_schema(self.content)

    @classmethod
    def of(cls, status: str, response: Mapping[str, Any]) -> DeclaredResponse:
        """The value of a resolved response object."""
        links = tuple(
            Link(status, name, str(link["operationId"]), read_only(link.get("parameters")))
            for name, link in (response.get("links") or {}).items())
        return cls(status, read_only(response.get("content")), read_only(response.get("headers")),
                   links)
