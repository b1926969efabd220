"""One way in for specs: load → validate → resolve → clean → (document, model)."""

from __future__ import annotations

import copy
import functools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from orgkit import speccache
from orgkit.defaults import complete
from orgkit.errors import SpecError
from orgkit.model import ApiModel, AuthConfig, Operation, Parameter
from orgkit.payloads import attach
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
from orgkit.served import add_implicit_responses, served_document
from orgkit.staterules import (
    check_collections,
    check_schemas,
    parse_collections,
    parse_identity,
    parse_scopes,
)

if TYPE_CHECKING:  # the module itself is imported when an overlay is read (start-up cost)
    from orgkit.overlays import Overlay

SPEC_FILES = {"svx": "svx-api.yaml", "transmit": "transmit-organizations.yaml"}
LOG = logging.getLogger("orgkit.specs")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 7x faster on SVX


@dataclass(frozen=True)
class SpecSource:
    """Where a document comes from: its file and the overlay files applied to it, in order."""

    path: Path
    overlays: tuple[Path, ...] = ()

    @classmethod
    def of(cls, api: str | Path, overlays: tuple[str | Path, ...] = ()) -> SpecSource:
        """A bundled API name ('svx', 'transmit') or a file, with overlays."""
        return cls(spec_path(str(api)), tuple(Path(o) for o in overlays))


@dataclass(frozen=True)
class LoadedApi:
    """A resolved, cleaned document and its typed model; treat `document` as read-only."""

    source: str
    document: Mapping[str, Any]
    model: ApiModel
    # What we hand out (/svx/openapi.json, `orgkit spec`): components and $refs kept (served.py).
    served: Mapping[str, Any]
    overlays: tuple[str, ...] = ()

    @property
    def loaded_from(self) -> dict[str, Any]:
        """Where the document came from, as JSON (see loaded_from)."""
        return {"source": self.source, "overlays": list(self.overlays)}


# The key under which a private copy of a document may say where it was loaded from.
LOADED_FROM = "x-orgkit-loaded-from"


def loaded_from(where: Mapping[str, Any]) -> LoadedApi:
    """The loaded API a LoadedApi.loaded_from value names (cached like every load)."""
    return load_api(str(where["source"]), tuple(str(o) for o in where.get("overlays", ())))


def spec_dir() -> Path:
    """The folder holding the bundled specs (specs/, installed as `orgkit.bundled_specs`)."""
    from importlib import resources

    return Path(str(resources.files("orgkit.bundled_specs")))


def spec_path(api: str) -> Path:
    """The bundled spec file of an API name ('svx' or 'transmit') or a path as given."""
    if api in SPEC_FILES:
        return spec_dir() / SPEC_FILES[api]
    return Path(api)


def load_api(api: str, overlays: tuple[str, ...] = ()) -> LoadedApi:
    """Load an API by bundled name or path, with overlays; cached (see load_spec)."""
    return load_spec(SpecSource.of(api, overlays))


@functools.cache
def load_spec(source: SpecSource) -> LoadedApi:
    """Load a document; cached, so the mock and the suite share one object."""
    raw = raw_document(source)
    document = _resolve(raw, source.path)
    model = build_model(document, str(source.path))
    document = clean(document, model)
    # Payloads are read after the clean step: its implicit responses are part of them.
    model = attach(model, document)
    return LoadedApi(str(source.path), document, model,
                     served_document(raw, model), tuple(str(o) for o in source.overlays))


def raw_document(source: SpecSource) -> dict[str, Any]:
    """The document as written, overlays applied and defaults completed, `$ref`s kept."""
    from orgkit.overlays import apply_overlay

    document = read_document(source.path, known_apis=True)
    for path in source.overlays:
        document = apply_overlay(document, read_overlay(path), LOG.warning)
    if not isinstance(document, dict):
        raise SpecError(str(source.path), "", "an OpenAPI document is an object")
    return complete(document, source.path, LOG.warning)


def read_overlay(path: Path) -> Overlay:
    """Read and check an overlay file (YAML or JSON), with the one reader of every document."""
    from orgkit.overlays import parse_overlay  # jsonpath's import costs start-up ~50 ms

    return parse_overlay(read_document(path), str(path))


def read_document(path: Path, *, known_apis: bool = False) -> Any:
    """A YAML or JSON file's data; SpecError naming the file when it cannot be read."""
    if not path.is_file():
        known = f" (known APIs: {', '.join(SPEC_FILES)})" if known_apis else ""
        raise SpecError(str(path), "", f"no such spec file{known}")
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=YAML_LOADER)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise SpecError(str(path), "", f"not readable as YAML or JSON: {exc}") from None


def _resolve(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """The document with every `$ref` resolved (relative refs against path's folder)."""
    # JSON's view of the document (status codes as strings): what prance validates, and the
    # cache's key.
    return _resolved(json.loads(json.dumps(document, default=str)), path)


@speccache.cached  # start-up: a resolved spec is reused while its input is unchanged
def _resolved(document: dict[str, Any], path: Path) -> dict[str, Any]:
    import prance  # slow import, only needed here

    try:
        # Constructed lazily on the file's URL (the base of relative $refs), then given the
        # document already read: prance's own reading would drop the overlays and defaults.
        parser = prance.ResolvingParser(
            str(path), backend="openapi-spec-validator", strict=False, lazy=True)
        parser.specification = document
        parser._validate()
    except Exception as exc:  # prance raises many unrelated types; report them uniformly
        raise SpecError(str(path), "", f"invalid OpenAPI document: {exc}") from exc
    # prance shares one object per resolved $ref; copy so no later edit leaks across places.
    return copy.deepcopy(parser.specification)


def build_model(document: Mapping[str, Any], source: str) -> ApiModel:
    """Parse the x-orgkit rules of a resolved document into an ApiModel (payloads: see attach)."""
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
    collections, identity, scopes = parse_collections(x), parse_identity(x), parse_scopes(x)
    check_collections(x, ops, collections, identity, scopes)
    check_schemas(x, collections, (root.data.get("components") or {}).get("schemas") or {})
    return ApiModel(
        name=x.get("api", str), title=info.get("title", str), version=str(info.get("version", str)),
        mount=x.get("mount", str), auth=auth, error_shapes=shapes,
        default_error_shape=default_shape,
        implicit_errors=tuple(int(s) for s in x.get("implicit_errors", list, [])),
        operations=ops, also_allowed=parse_also_allowed(x),
        inferred_constraints=inferred_constraints(root.data),
        collections=collections, identity=identity, scopes=scopes,
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
    """Add the implicit responses the rules promise, as copies of the component schemas."""
    schemas = document.get("components", {}).get("schemas", {})
    add_implicit_responses(document, model, lambda name: copy.deepcopy(schemas[name]))
    return document
