"""Default values of schemas (the schemas themselves are on the model: Operation.item_schema...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]


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
