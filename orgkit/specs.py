"""One way in for specs: load → validate → resolve → clean → (document, model)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgkit import speccache
from orgkit.errors import SpecError
from orgkit.model import IMPLICIT_SUCCESS, ApiModel, AuthConfig, Operation, Parameter
from orgkit.rules import (
    HTTP_METHODS,
    Reader,
    inferred_constraints,
    parse_also_allowed,
    parse_error_shapes,
    parse_grants,
    parse_pagination,
    parse_resource,
    parse_rights,
)

SPEC_FILES = {"svx": "svx-api.yaml", "transmit": "transmit-organizations.yaml"}


@dataclass(frozen=True)
class LoadedApi:
    """A resolved, cleaned document and its typed model; treat `document` as read-only."""

    source: str
    document: Mapping[str, Any]
    model: ApiModel


def spec_dir() -> Path:
    """The folder holding the bundled specs."""
    import specs

    return Path(specs.__file__).resolve().parent


def spec_path(api: str) -> Path:
    """The bundled spec file of an API name ('svx' or 'transmit') or a path as given."""
    if api in SPEC_FILES:
        return spec_dir() / SPEC_FILES[api]
    return Path(api)


@functools.cache
def load_api(api: str) -> LoadedApi:
    """Load an API by name or path; cached, so the mock and the suite share one object."""
    path = spec_path(api)
    if not path.is_file():
        known = ", ".join(SPEC_FILES)
        raise SpecError(str(path), "", f"no such spec file (known APIs: {known})")
    document = _resolve(path)
    model = build_model(document, str(path))
    return LoadedApi(str(path), clean(document, model), model)


@speccache.cached  # start-up: a resolved spec is reused while its text is unchanged
def _resolve(path: Path) -> dict[str, Any]:
    import prance  # slow import, only needed here

    try:
        parser = prance.ResolvingParser(
            str(path), backend="openapi-spec-validator", strict=False, lazy=True
        )
        parser.parse()
    except Exception as exc:  # prance raises many unrelated types; report them uniformly
        raise SpecError(str(path), "", f"invalid OpenAPI document: {exc}") from exc
    # prance shares one object per resolved $ref; copy so no later edit leaks across places.
    return copy.deepcopy(parser.specification)


def build_model(document: Mapping[str, Any], source: str) -> ApiModel:
    """Parse the x-orgkit rules of a resolved document into an ApiModel."""
    root = Reader(source, document, "")
    x = root.sub("x-orgkit")
    shapes = parse_error_shapes(x.sub("error_shapes"))
    default_shape = x.get("default_error_shape", str)
    if default_shape not in shapes:
        raise x.fail("default_error_shape", f"got {default_shape!r}, not in error_shapes")
    a = x.sub("auth")
    auth = AuthConfig(
        kind=a.get("kind", str), subject_claim=a.get("subject_claim", str, "sub") or "sub",
        tenant_claim=a.get("tenant_claim", str, None), token_url=a.get("token_url", str, None),
        required_claims=tuple(str(c) for c in a.get("required_claims", list, [])),
        foreign_claims=tuple(str(c) for c in a.get("foreign_claims", list, [])),
    )
    info = root.sub("info")
    ops = tuple(_operations(root, x.get("api", str), shapes, default_shape))
    return ApiModel(
        name=x.get("api", str), title=info.get("title", str), version=str(info.get("version", str)),
        mount=x.get("mount", str), auth=auth, error_shapes=shapes,
        default_error_shape=default_shape,
        implicit_errors=tuple(int(s) for s in x.get("implicit_errors", list, [])),
        operations=ops, also_allowed=parse_also_allowed(x),
        inferred_constraints=inferred_constraints(root.data),
    )


def _operations(root: Reader, api: str, shapes: Mapping[str, Any], default: str) -> Any:
    paths = root.sub("paths")
    global_security = root.data.get("security") or []
    for path, item in paths.data.items():
        for method in HTTP_METHODS:
            if method in item:
                pointer = f"/paths/{_escape(path)}/{method}"
                r = Reader(root.source, item[method], pointer)
                yield _operation(r, api, path, method, item, shapes, default, global_security)


def _operation(
    r: Reader, api: str, path: str, method: str, item: Mapping[str, Any],
    shapes: Mapping[str, Any], default_shape: str, global_security: list[Any],
) -> Operation:
    op_id = r.get("operationId", str)
    shape_name = r.get("x-orgkit-error-shape", str, default_shape)
    if shape_name not in shapes:
        raise r.fail("x-orgkit-error-shape", f"got {shape_name!r}, known: {sorted(shapes)}")
    body = r.get("requestBody", Mapping, None) or {}
    security = r.data.get("security", global_security)
    return Operation(
        api=api, operation_id=op_id, method=method.upper(), path=path,
        summary=r.get("summary", str, "") or "", tags=tuple(r.get("tags", list, [])),
        parameters=tuple(_parameters(item.get("parameters", []), r.data.get("parameters", []))),
        has_body=bool(body), body_content_types=tuple(body.get("content", {})),
        statuses=tuple(str(s) for s in r.get("responses", Mapping)),
        # [] means public; a bare {} requirement means "anonymous allowed", so also public.
        secured=bool(security) and all(bool(req) for req in security),
        rights=parse_rights(r.sub("x-orgkit-rights")),
        pagination=(parse_pagination(r.sub("x-orgkit-pagination"))
                    if "x-orgkit-pagination" in r.data else None),
        resource=(parse_resource(r.sub("x-orgkit-resource"))
                  if "x-orgkit-resource" in r.data else None),
        error_shape=shapes[shape_name],
        grants=(parse_grants(r.sub("x-orgkit-grants"))
                if "x-orgkit-grants" in r.data else None),
    )


def _parameters(path_level: list[Any], op_level: list[Any]) -> Any:
    merged = {(p["name"], p["in"]): p for p in [*path_level, *op_level]}
    for p in merged.values():
        yield Parameter(p["name"], p["in"], bool(p.get("required", False)), p.get("schema", {}))


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def clean(document: dict[str, Any], model: ApiModel) -> dict[str, Any]:
    """Add the implicit responses the rules promise (see specs/README.md, "The clean step")."""
    schemas = document.get("components", {}).get("schemas", {})
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
            schema = copy.deepcopy(schemas[op.error_shape.schema_for(status)])
            responses[str(status)] = {
                "description": f"(orgkit) implicit {status}: see x-orgkit.implicit_errors",
                "content": {op.error_shape.content_type: {"schema": schema}},
            }
    return document
