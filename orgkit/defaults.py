"""Defaults for a document written without orgkit's rules, so any OpenAPI document loads.

Applied to the raw document (after overlays, before resolving): what is missing is added in
the same `x-orgkit` form an author would write, so one model builder reads every document.
Each default taken is said in one warning line per kind (specs/README.md, "Any document").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from orgkit.rules import HTTP_METHODS

Warn = Callable[[str], None]
PROBLEM_SCHEMA = "OrgkitProblem"
# RFC 9457-like problem details: what a document without error rules answers its errors in.
PROBLEM = {
    "type": "object",
    "description": "(orgkit) default error body: the document declares no error shape",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}
DEFAULT_SHAPE = {
    "content_type": "application/problem+json",
    "status_field": "status",
    "schemas": {"default": PROBLEM_SCHEMA},
    "templates": {"default": {"type": "about:blank", "title": "{code}", "status": "{status}",
                              "detail": "{message}"}},
}


def complete(document: dict[str, Any], path: Path, warn: Warn) -> dict[str, Any]:
    """The document with orgkit's defaults filled in where it has no rules (changed in place)."""
    if not isinstance(document.get("paths"), Mapping):
        return document  # not an OpenAPI document: the validator says so, naming the file
    operations = list(_operations(document))
    _name_operations(operations, path, warn)
    if "x-orgkit" not in document:  # an author's rules are taken as written (and checked)
        _add_rules(document, path, warn)
        _add_rights(document, operations, path, warn)
    stateless = [op for _, op in operations if "x-orgkit-resource" not in op]
    if stateless:
        warn(f"{path}: {len(stateless)} operations without x-orgkit-resource: answered "
             "statelessly from their examples and schemas")
    return document


def _add_rules(document: dict[str, Any], path: Path, warn: Warn) -> None:
    rules = document["x-orgkit"] = default_rules(document, path)
    warn(f"{path}: no x-orgkit rules: serving it as API {rules['api']!r} under "
         f"{rules['mount']}, errors as application/problem+json, auth {rules['auth']['kind']}")
    components = document.setdefault("components", {})
    if isinstance(components, dict):
        components.setdefault("schemas", {}).setdefault(PROBLEM_SCHEMA, dict(PROBLEM))


def _add_rights(document: dict[str, Any], operations: list[tuple[str, dict[str, Any]]],
                path: Path, warn: Warn) -> None:
    unruled = [op for _, op in operations if "x-orgkit-rights" not in op]
    for op in unruled:
        op["x-orgkit-rights"] = {"mode": "authenticated" if _secured(document, op) else "public"}
    if unruled:
        warn(f"{path}: {len(unruled)} operations without x-orgkit-rights: any valid token "
             "where the document asks for security, else public")


def default_rules(document: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The document-level x-orgkit block a document without one is served with."""
    return {
        "api": slug(path.stem), "mount": _mount(document),
        "auth": {"kind": _auth_kind(document)},
        "default_error_shape": "problem", "error_shapes": {"problem": DEFAULT_SHAPE},
        "implicit_errors": [],
    }


def slug(text: str) -> str:
    """Lower-case letters, digits and dashes: a name usable in a URL and as an API name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "api"


def _mount(document: Mapping[str, Any]) -> str:
    """The path of the first server URL, else '/' + a slug of the title."""
    servers = document.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], Mapping):
        # Server variables ({version}) cannot be mounted: keep the text before the first one.
        url = str(servers[0].get("url", "")).split("{")[0]
        mount = urlsplit(url).path.rstrip("/")
        if mount.startswith("/"):
            return mount
    info = document.get("info")
    title = info.get("title", "") if isinstance(info, Mapping) else ""
    return "/" + slug(str(title))


def _auth_kind(document: Mapping[str, Any]) -> str:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    kinds = {str(s.get("type")) for s in schemes.values() if isinstance(s, Mapping)}
    if "oauth2" in kinds or "openIdConnect" in kinds:
        return "oauth2"
    return "jwt" if kinds else "none"


def _secured(document: Mapping[str, Any], op: Mapping[str, Any]) -> bool:
    security = op.get("security", document.get("security")) or []
    return bool(security) and all(bool(req) for req in security)


def _operations(document: Mapping[str, Any]) -> Any:
    for template, item in document["paths"].items():
        if isinstance(item, Mapping):
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    yield f"{method} {template}", item[method]


def _name_operations(operations: list[tuple[str, dict[str, Any]]], path: Path,
                     warn: Warn) -> None:
    """Give operations without an operationId one made of method and path (deterministic)."""
    unnamed = [(where, op) for where, op in operations if "operationId" not in op]
    for where, op in unnamed:
        words = re.findall(r"[A-Za-z0-9]+", where)
        op["operationId"] = words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if unnamed:
        warn(f"{path}: {len(unnamed)} operations without operationId: named from method and "
             f"path (e.g. {unnamed[0][1]['operationId']})")
