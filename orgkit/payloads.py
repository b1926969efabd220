"""Read once what operations send and answer from the cleaned document into the typed model.

load_spec calls `attach` after the clean step, so the implicit responses are included. Every
module outside the loader reads these model fields instead of indexing `document["paths"]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from orgkit.declared import EMPTY, DeclaredResponse, Schema, json_schema, read_only
from orgkit.model import ApiModel, Operation


def attach(model: ApiModel, document: Mapping[str, Any]) -> ApiModel:
    """The model with every operation's payloads and the component schemas filled in."""
    paths = document["paths"]
    ops = tuple(_attached(op, paths) for op in model.operations)
    schemas = (document.get("components") or {}).get("schemas") or {}
    return replace(model, operations=ops, schemas=MappingProxyType(dict(schemas)))


def _attached(op: Operation, paths: Mapping[str, Any]) -> Operation:
    op_doc = paths[op.path][op.method.lower()]
    body = op_doc.get("requestBody") or {}
    content = read_only(body.get("content"))
    responses = MappingProxyType({str(s): DeclaredResponse.of(str(s), r)
                                  for s, r in (op_doc.get("responses") or {}).items()})
    request = json_schema(content)
    return replace(
        op, request_content=content, body_required=bool(body.get("required", False)),
        request_schema=request, request_fields=tuple(_unwrapped(op, request).get("properties", {})),
        responses=responses,
        response_schemas=MappingProxyType({s: r.schema for s, r in responses.items()}),
        item_schema=_item_schema(paths, op_doc, op),
        links=tuple(link for r in responses.values() for link in r.links),
    )


def _unwrapped(op: Operation, schema: Schema) -> Schema:
    """The request schema inside the resource envelope, if the body is only that envelope."""
    envelope = op.resource.envelope if op.resource else None
    props = schema.get("properties", {})
    if envelope and set(props) == {envelope} and "properties" in props[envelope]:
        inner: Schema = props[envelope]
        return inner
    return schema


def _item_schema(paths: Mapping[str, Any], op_doc: Mapping[str, Any], op: Operation) -> Schema:
    """One item of op's collection: what its `get` returns, else op's own, else a sibling's.

    A create may answer with less than the item (SVX deployments answer `{instance_id}`), so the
    collection's read operation is the authority on what an item holds.
    """
    rule = op.resource
    if rule is None:
        return EMPTY
    siblings = [s for item in paths.values() for s in item.values()
                if isinstance(s, dict) and s.get("x-orgkit-resource", {}).get("collection")
                == rule.collection]
    reads = [s for s in siblings if s["x-orgkit-resource"].get("action") == "get"]
    return next((found for sibling in [*reads, op_doc, *siblings]
                 if (found := _item_schema_in(sibling, rule.id_field))), EMPTY)


def _item_schema_in(op_doc: Mapping[str, Any], id_field: str) -> Schema:
    envelope = op_doc.get("x-orgkit-resource", {}).get("envelope")
    for schema in _success_schemas(op_doc.get("responses") or {}):
        if envelope:
            inner = schema.get("properties", {}).get(envelope)
            if inner and inner.get("type") != "array" and "properties" in inner:
                return MappingProxyType(dict(inner))
        elif id_field in schema.get("properties", {}):
            return schema
    return EMPTY


def _success_schemas(responses: Mapping[str, Any]) -> Iterable[Schema]:
    return (json_schema(r.get("content") or {}) for s, r in responses.items()
            if str(s).startswith("2"))
