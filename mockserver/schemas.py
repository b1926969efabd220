"""Read what the engine needs from the resolved document: item and request schemas, defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgkit.model import Operation

Schema = Mapping[str, Any]


def _op_doc(document: Mapping[str, Any], op: Operation) -> Mapping[str, Any]:
    result: Mapping[str, Any] = document["paths"][op.path][op.method.lower()]
    return result


def _json_schema(content: Mapping[str, Any] | None) -> Schema:
    for media, body in (content or {}).items():
        if "json" in media:
            return body.get("schema", {}) or {}
    return {}


class ItemSchemas:
    """item_schema of one document, found once per operation (it scans every operation)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._found: dict[str, Schema] = {}  # bounded by the document's operations

    def of(self, op: Operation) -> Schema:
        """The item schema of op's collection."""
        found = self._found.get(op.operation_id)
        if found is None:
            found = self._found[op.operation_id] = item_schema(self.document, op)
        return found


def item_schema(document: Mapping[str, Any], op: Operation) -> Schema:
    """The schema of one item of the op's collection: what its `get` returns, else the op's own.

    A create may answer with less than the item (SVX deployments answer `{instance_id}`), so the
    collection's read operation is the authority on what an item holds.
    """
    return _find_item_schema(document, op)


def _find_item_schema(document: Mapping[str, Any], op: Operation) -> Schema:
    rule = op.resource
    if rule is None:
        return {}
    siblings = [s for item in document["paths"].values() for s in item.values()
                if isinstance(s, dict) and s.get("x-orgkit-resource", {}).get("collection")
                == rule.collection]
    reads = [s for s in siblings if s["x-orgkit-resource"].get("action") == "get"]
    for sibling in [*reads, _op_doc(document, op), *siblings]:
        found = _item_schema_in(sibling, rule.id_field)
        if found:
            return found
    return {}


def _item_schema_in(op_doc: Mapping[str, Any], id_field: str) -> Schema:
    envelope = op_doc.get("x-orgkit-resource", {}).get("envelope")
    if envelope:
        return _enveloped(op_doc, envelope)
    for status, response in op_doc.get("responses", {}).items():
        schema = _json_schema(response.get("content")) if str(status).startswith("2") else {}
        if id_field in schema.get("properties", {}):
            return schema
    return {}


def _enveloped(op_doc: Mapping[str, Any], envelope: str) -> Schema:
    for status, response in op_doc.get("responses", {}).items():
        if str(status).startswith("2"):
            schema = _json_schema(response.get("content"))
            inner = schema.get("properties", {}).get(envelope)
            if inner and inner.get("type") != "array" and "properties" in inner:
                return dict(inner)
    return {}


def request_body_schema(document: Mapping[str, Any], op: Operation) -> Schema:
    """The JSON request-body schema as declared (envelope included)."""
    return _json_schema(_op_doc(document, op).get("requestBody", {}).get("content"))


def request_schema(document: Mapping[str, Any], op: Operation) -> Schema:
    """The JSON request-body schema, unwrapped from the resource envelope if it has one."""
    schema = request_body_schema(document, op)
    envelope = op.resource.envelope if op.resource else None
    props = schema.get("properties", {})
    if envelope and set(props) == {envelope} and "properties" in props[envelope]:
        return dict(props[envelope])
    return schema


def request_fields(document: Mapping[str, Any], op: Operation) -> list[str]:
    """The property names the request body may carry."""
    return list(request_schema(document, op).get("properties", {}))


def skeleton(schema: Schema) -> dict[str, Any]:
    """Required properties set to empty values of their type, optional nullable ones to None."""
    required = set(schema.get("required", []))
    return {
        name: empty_value(prop)
        for name, prop in schema.get("properties", {}).items()
        if name in required or prop.get("nullable")
    }


def empty_value(prop: Schema) -> Any:
    """None for nullable or untyped properties, else the type's empty value."""
    if prop.get("nullable") or "type" not in prop:
        return None
    return {"array": [], "object": {}, "boolean": False, "integer": 0, "number": 0,
            "string": ""}.get(prop["type"])
