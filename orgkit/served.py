"""The documents we hand out: the raw spec with its components and `$ref`s, cleaned by reference.

The mock and the contract suite work on the resolved document (`LoadedApi.document`); client
generators get this one (`LoadedApi.served`): the same operations and schemas, but shared
schemas stay components (one `Org` model, not one per operation), `info.version` is usable,
the servers point at the mock, and the mock's own token endpoint is documented.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Literal

from orgkit.model import IMPLICIT_SUCCESS, ApiModel

Servers = Literal["mock", "source"]
MOCK_ONLY = "x-orgkit-mock-only"  # marks what the mock adds to the seed (not the real service's)
SOURCE_SERVERS = "x-orgkit-source-servers"  # the seed's servers, kept visible
SOURCE_VERSION = "x-orgkit-source-version"  # the seed's info.version where it is unusable
FALLBACK_VERSION = "0.0.0"  # where neither the seed nor x-orgkit.version gives one


def served_document(raw: Mapping[str, Any], model: ApiModel) -> dict[str, Any]:
    """The served document of a raw (unresolved) spec: mock servers, references kept."""
    document = copy.deepcopy(dict(raw))
    clean_by_reference(document, model)
    document["info"] = usable_info(document.get("info", {}), document.get("x-orgkit", {}))
    document[SOURCE_SERVERS] = document.get("servers", [])
    document["servers"] = [{"url": model.mount, "description": (
        "the orgkit mock (relative to the host serving this document); "
        f"{SOURCE_SERVERS} lists the source's servers")}]
    if model.auth.token_url:
        _add_token_endpoint(document, model)
    return document


def for_servers(served: Mapping[str, Any], servers: Servers, base_url: str = "") -> dict[str, Any]:
    """The served document for a mock at base_url, or for the source's servers (then without
    the mock's additions)."""
    document = copy.deepcopy(dict(served))
    if servers == "mock":
        for server in document["servers"]:
            server["url"] = base_url.rstrip("/") + server["url"]
        return document
    document["servers"] = document.pop(SOURCE_SERVERS)
    _drop_mock_only(document)
    rules = document.get("x-orgkit", {})
    token_url = rules.get("auth", {}).get("token_url")
    if token_url:
        _move_token_url(document, rules["mount"] + token_url, token_url)
    return document


def clean_by_reference(document: dict[str, Any], model: ApiModel) -> None:
    """The clean step on an unresolved document: implicit errors reference the error shape's
    component schema instead of copying it."""
    add_implicit_responses(document, model, _ref)


def add_implicit_responses(document: dict[str, Any], model: ApiModel,
                           schema: Callable[[str], Any]) -> None:
    """The clean step (specs/README.md, "The clean step"); schema(name) gives the schema object
    for a component schema's name (a copy or a `$ref`)."""
    for op in model.operations:
        responses = document["paths"][op.path][op.method.lower()]["responses"]
        if not any(str(s)[0] in "23" for s in responses):
            responses[str(IMPLICIT_SUCCESS)] = {
                "description": "(orgkit) implicit success: the source declares none"}
        if not op.secured:
            continue
        for status in model.implicit_errors:
            if str(status) in responses or status in responses:
                continue
            body = {"schema": schema(op.error_shape.schema_for(status))}
            responses[str(status)] = {
                "description": f"(orgkit) implicit {status}: see x-orgkit.implicit_errors",
                "content": {op.error_shape.content_type: body},
            }


def usable_info(info: Mapping[str, Any], rules: Mapping[str, Any]) -> dict[str, Any]:
    """info with a usable version: the seed's, else x-orgkit.version (the seed's kept aside)."""
    served = dict(info)
    version = str(info.get("version", "")).strip()
    if not version:
        served[SOURCE_VERSION] = info.get("version", "")
        served["version"] = str(rules.get("version") or FALLBACK_VERSION)
    return served


def _add_token_endpoint(document: dict[str, Any], model: ApiModel) -> None:
    """Document the mock's client-credentials endpoint and point the schemes' tokenUrl at it."""
    token_url = str(model.auth.token_url)
    document["paths"].setdefault(token_url, {"post": token_operation()})
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(copy.deepcopy(TOKEN_SCHEMAS))
    # OAS: a tokenUrl is relative to the server URL's host, so "/oidc/token" would miss the
    # mount; the full path reaches the mock's endpoint (Swagger UI's Authorize).
    _move_token_url(document, token_url, model.mount + token_url)


def _move_token_url(document: dict[str, Any], old: str, new: str) -> None:
    for scheme in document.get("components", {}).get("securitySchemes", {}).values():
        flow = (scheme.get("flows") or {}).get("clientCredentials") or {}
        if flow.get("tokenUrl") == old:
            flow["tokenUrl"] = new


def _drop_mock_only(document: dict[str, Any]) -> None:
    for path, item in list(document["paths"].items()):
        if any(isinstance(op, Mapping) and op.get(MOCK_ONLY) for op in item.values()):
            del document["paths"][path]
    schemas = document.get("components", {}).get("schemas", {})
    for name in [n for n, s in schemas.items() if s.get(MOCK_ONLY)]:
        del schemas[name]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def token_operation() -> dict[str, Any]:
    """POST {token_url}: OAuth 2.0 client credentials (RFC 6749 §4.4) as the mock answers it."""
    return {
        "operationId": "getAccessToken",
        "summary": "Get an access token (client credentials; the orgkit mock's endpoint)",
        "description": (
            "The orgkit mock's token endpoint, not part of the source document. POST a client's "
            "`client_id` and `client_secret` (from `/__mock/personas`) as a form (the mock also "
            "takes them as JSON or with HTTP Basic); the `access_token` goes in "
            "`Authorization: Bearer ...`."),
        "tags": ["Access tokens (mock)"],
        MOCK_ONLY: True,
        "security": [],
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": _ref("OrgkitTokenRequest")}}},
        "responses": {
            "200": _json("a token", "OrgkitTokenResponse"),
            "400": _json("a malformed request or another grant type", "OrgkitTokenError"),
            "401": _json("unknown client or wrong secret", "OrgkitTokenError"),
        },
    }


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


TOKEN_SCHEMAS: Mapping[str, Any] = {
    "OrgkitTokenRequest": {
        "type": "object", MOCK_ONLY: True, "required": ["client_id", "client_secret"],
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"],
                           "default": "client_credentials"},
            "client_id": {"type": "string"},
            "client_secret": {"type": "string", "format": "password"},
        },
    },
    "OrgkitTokenResponse": {
        "type": "object", MOCK_ONLY: True,
        "required": ["access_token", "token_type", "expires_in"],
        "properties": {
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "example": "Bearer"},
            "expires_in": {"type": "integer", "description": "seconds"},
        },
    },
    "OrgkitTokenError": {
        "type": "object", MOCK_ONLY: True, "required": ["error"],
        "properties": {
            "error": {"type": "string", "example": "invalid_client"},
            "error_description": {"type": "string"},
        },
    },
}
