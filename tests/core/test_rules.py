"""orgkit.rules: x-orgkit parsing; malformed rules raise SpecError naming file and pointer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from orgkit.errors import SpecError
from orgkit.model import ErrorShape, Filter, OrderRule, PagingStyle
from orgkit.rightsrules import Requirement, RightsMode, Scope, ScopeRef, SourceKind
from orgkit.rules import (
    Reader,
    parse_error_shapes,
    parse_pagination,
    parse_ref,
    parse_resource,
    parse_rights,
)

SRC = "tiny.yaml"
DROP = object()


def variant(base: dict[str, Any], path: str, value: Any = DROP) -> dict[str, Any]:
    """A deep copy of base with the value at a /-separated path replaced (or dropped)."""
    data = copy.deepcopy(base)
    *parents, last = path.split("/")
    target = data
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    index: Any = int(last) if isinstance(target, list) else last
    if value is DROP:
        del target[index]
    else:
        target[index] = value
    return data


def assert_spec_error(
    parse: Callable[[Reader], Any], raw: Any, base: str, suffix: str, fragments: list[str]
) -> None:
    with pytest.raises(SpecError) as info:
        parse(Reader(SRC, raw, base))
    err = info.value
    assert (err.source, err.pointer) == (SRC, base + suffix)
    text = str(err)
    assert text.startswith(f"{SRC}: at {base + suffix}: ")
    for fragment in fragments:
        assert fragment in text


# --- parse_ref ---------------------------------------------------------------------------------

GOOD_REFS = [
    ("path:org_id", ScopeRef(SourceKind.PATH, "org_id")),
    ("query:status", ScopeRef(SourceKind.QUERY, "status")),
    ("header:Meeco-Organisation-Id", ScopeRef(SourceKind.HEADER, "Meeco-Organisation-Id")),
    ("jwt:tid", ScopeRef(SourceKind.JWT, "tid")),
    ("item:tenant_id", ScopeRef(SourceKind.ITEM, "tenant_id")),
    ("parent-tenant-of:path:org_id",
     ScopeRef(SourceKind.PARENT_TENANT_OF, "org_id", ScopeRef(SourceKind.PATH, "org_id"))),
    ("parent-tenant-of:header:X-Org",
     ScopeRef(SourceKind.PARENT_TENANT_OF, "X-Org", ScopeRef(SourceKind.HEADER, "X-Org"))),
]


@pytest.mark.parametrize(("text", "expected"), GOOD_REFS, ids=[t for t, _ in GOOD_REFS])
def test_parse_ref_accepts(text: str, expected: ScopeRef) -> None:
    ref = parse_ref(text, SRC, "/p")
    assert ref == expected
    assert str(ref) == text


BAD_REFS = [
    ("empty", "", "got source ''"),
    ("no-kind", "org_id", "got source 'org_id'"),
    ("no-name", "path:", "got source 'path:'"),
    ("kind-only", "path", "got source 'path'"),
    ("unknown-kind", "body:name", "got source 'body:name'"),
    ("wrong-case", "Path:org_id", "got source 'Path:org_id'"),
    ("empty-kind", ":org_id", "got source ':org_id'"),
    ("parent-without-inner", "parent-tenant-of:", "got source 'parent-tenant-of:'"),
    ("parent-with-bad-inner", "parent-tenant-of:org_id", "got source 'org_id'"),
    ("not-a-string", 5, "got source 5"),
]


@pytest.mark.parametrize(("text", "received"), [c[1:] for c in BAD_REFS],
                         ids=[c[0] for c in BAD_REFS])
def test_parse_ref_refuses_naming_the_pointer(text: Any, received: str) -> None:
    pointer = "/paths/~1orgs~1{org_id}/get/x-orgkit-rights/any_of/1/from"
    with pytest.raises(SpecError) as info:
        parse_ref(text, SRC, pointer)
    assert (info.value.source, info.value.pointer) == (SRC, pointer)
    assert str(info.value).startswith(f"{SRC}: at {pointer}: {received}, expected <kind>:<name>")


# --- parse_rights ------------------------------------------------------------------------------

R = "/paths/~1orgs~1{org_id}/get/x-orgkit-rights"
RIGHTS = {
    "mode": "any_of",
    "any_of": [
        {"right": "atom:global:view_all_orgs", "scope": "global"},
        {"right": "atom:org:view_org", "scope": "org", "from": "path:org_id"},
    ],
    "token_kinds": ["admin", "org_admin"],
    "org_confined_to": "path:org_id",
    "inferred": True,
    "note": "seed sentence",
}


def test_parse_rights_reads_every_field() -> None:
    rule = parse_rights(Reader(SRC, RIGHTS, R))
    assert rule.mode is RightsMode.ANY_OF
    assert rule.any_of == (
        Requirement("atom:global:view_all_orgs", Scope.GLOBAL, None),
        Requirement("atom:org:view_org", Scope.ORG, ScopeRef(SourceKind.PATH, "org_id")),
    )
    assert rule.token_kinds == ("admin", "org_admin")
    assert rule.org_confined_to == ScopeRef(SourceKind.PATH, "org_id")
    assert (rule.inferred, rule.note) == (True, "seed sentence")
    assert rule.needs_token and rule.can_forbid


def test_parse_rights_defaults() -> None:
    rule = parse_rights(Reader(SRC, {"mode": "public"}, R))
    assert (rule.any_of, rule.token_kinds, rule.org_confined_to, rule.inferred, rule.note) == (
        (), (), None, False, "")
    assert not rule.needs_token and not rule.can_forbid


BAD_RIGHTS = [
    ("not-a-mapping", ["any_of"], "", ["expected a mapping, got list"]),
    ("mode-missing", variant(RIGHTS, "mode"), "/mode", ["required but missing"]),
    ("mode-unknown", variant(RIGHTS, "mode", "sometimes"), "/mode",
     ["got 'sometimes'", "expected one of: public, authenticated, any_of"]),
    ("mode-null", variant(RIGHTS, "mode", None), "/mode", ["expected str, got null"]),
    ("any-of-missing", variant(RIGHTS, "any_of"), "/any_of",
     ["mode 'any_of' needs at least one right"]),
    ("visibility-empty", {"mode": "visibility", "any_of": []}, "/any_of",
     ["mode 'visibility' needs at least one right"]),
    ("membership-missing", {"mode": "membership"}, "/any_of",
     ["mode 'membership' needs at least one right"]),
    ("any-of-string", variant(RIGHTS, "any_of", "r1"), "/any_of",
     ["expected list, got 'r1'"]),
    ("any-of-null", variant(RIGHTS, "any_of", None), "/any_of", ["expected list, got null"]),
    ("item-not-mapping", variant(RIGHTS, "any_of", ["atom:org:view_org"]), "/any_of/0",
     ["expected a mapping, got str"]),
    ("item-right-missing", variant(RIGHTS, "any_of/1/right"), "/any_of/1/right",
     ["required but missing"]),
    ("item-right-int", variant(RIGHTS, "any_of/1/right", 5), "/any_of/1/right",
     ["expected str, got 5"]),
    ("item-right-null", variant(RIGHTS, "any_of/1/right", None), "/any_of/1/right",
     ["expected str, got null"]),
    ("item-scope-unknown", variant(RIGHTS, "any_of/1/scope", "planet"), "/any_of/1/scope",
     ["got 'planet'", "global, tenant, org, permission"]),
    ("item-scope-missing", variant(RIGHTS, "any_of/0/scope"), "/any_of/0/scope",
     ["required but missing"]),
    ("item-from-bare-name", variant(RIGHTS, "any_of/1/from", "org_id"), "/any_of/1/from",
     ["got source 'org_id'"]),
    ("item-from-int", variant(RIGHTS, "any_of/1/from", 7), "/any_of/1/from",
     ["expected str, got 7"]),
    ("token-kinds-string", variant(RIGHTS, "token_kinds", "admin"), "/token_kinds",
     ["expected list, got 'admin'"]),
    ("token-kinds-null", variant(RIGHTS, "token_kinds", None), "/token_kinds",
     ["expected list, got null"]),
    ("org-confined-bare", variant(RIGHTS, "org_confined_to", "organization_id"),
     "/org_confined_to", ["got source 'organization_id'"]),
    ("inferred-string", variant(RIGHTS, "inferred", "yes"), "/inferred",
     ["expected bool, got 'yes'"]),
    ("note-int", variant(RIGHTS, "note", 5), "/note", ["expected str, got 5"]),
]


@pytest.mark.parametrize(("raw", "suffix", "fragments"), [c[1:] for c in BAD_RIGHTS],
                         ids=[c[0] for c in BAD_RIGHTS])
def test_parse_rights_refuses(raw: Any, suffix: str, fragments: list[str]) -> None:
    assert_spec_error(parse_rights, raw, R, suffix, fragments)


# --- parse_pagination --------------------------------------------------------------------------

P = "/paths/~1tenants/get/x-orgkit-pagination"
PAGINATION = {
    "styles": ["page", "cursor"],
    "items": "tenants",
    "params": {"page": "page", "per_page": "per_page", "cursor": "next_page_after",
               "order": "order"},
    "per_page": {"default": 20, "max": 100},
    "order": {"key": "created_at", "asc": "ASC", "desc": "DESC", "default": "desc",
              "by": "order_by", "keys": ["given_name"]},
    "meta": "meta",
    "next_cursor": "next_page_after",
    "exclusive": ["page", "next_page_after"],
}


def test_parse_pagination_reads_every_field() -> None:
    rule = parse_pagination(Reader(SRC, PAGINATION, P))
    assert rule.styles == (PagingStyle.PAGE, PagingStyle.CURSOR)
    assert (rule.items, rule.page_param, rule.per_page_param, rule.cursor_param,
            rule.order_param) == ("tenants", "page", "per_page", "next_page_after", "order")
    assert (rule.default_per_page, rule.max_per_page) == (20, 100)
    assert rule.order == OrderRule("created_at", "ASC", "DESC", "desc", "order_by",
                                   ("given_name",))
    assert (rule.meta, rule.next_cursor) == ("meta", "next_page_after")
    assert rule.exclusive == ("page", "next_page_after")


def test_parse_pagination_page_only_with_nulls() -> None:
    raw = {"styles": ["page"], "items": "deployments", "params": {"page": "page"},
           "per_page": {"default": 1, "max": 1}, "meta": None, "next_cursor": None}
    rule = parse_pagination(Reader(SRC, raw, P))
    assert (rule.order, rule.meta, rule.next_cursor, rule.cursor_param, rule.exclusive) == (
        None, None, None, None, ())


BAD_PAGINATION = [
    ("styles-missing", variant(PAGINATION, "styles"), "/styles", ["required but missing"]),
    ("styles-unknown", variant(PAGINATION, "styles", ["page", "pages"]), "/styles/1",
     ["got 'pages'", "expected page or cursor"]),
    ("styles-string", variant(PAGINATION, "styles", "page"), "/styles",
     ["expected list, got 'page'"]),
    ("styles-null", variant(PAGINATION, "styles", None), "/styles", ["got null"]),
    ("cursor-without-param", variant(PAGINATION, "params/cursor"), "/styles",
     ["cursor style needs params.cursor and next_cursor"]),
    ("cursor-without-next-cursor", variant(PAGINATION, "next_cursor", None), "/styles",
     ["cursor style needs"]),
    ("items-missing", variant(PAGINATION, "items"), "/items", ["required but missing"]),
    ("items-int", variant(PAGINATION, "items", 5), "/items", ["expected str, got 5"]),
    ("items-null", variant(PAGINATION, "items", None), "/items", ["expected str, got null"]),
    ("params-missing", variant(PAGINATION, "params"), "/params", ["required but missing"]),
    ("params-list", variant(PAGINATION, "params", ["page"]), "/params",
     ["expected Mapping, got ['page']"]),
    ("params-page-int", variant(PAGINATION, "params/page", 1), "/params/page",
     ["expected str, got 1"]),
    ("per-page-default-str", variant(PAGINATION, "per_page/default", "20"),
     "/per_page/default", ["expected int, got '20'"]),
    ("per-page-default-bool", variant(PAGINATION, "per_page/default", True),
     "/per_page/default", ["expected int, got True"]),
    ("per-page-default-null", variant(PAGINATION, "per_page/default", None),
     "/per_page/default", ["expected int, got null"]),
    ("per-page-max-missing", variant(PAGINATION, "per_page/max"), "/per_page/max",
     ["required but missing"]),
    ("per-page-default-zero", variant(PAGINATION, "per_page/default", 0), "/per_page/default",
     ["must lie between 1 and max"]),
    ("per-page-default-over-max", variant(PAGINATION, "per_page/default", 101),
     "/per_page/default", ["must lie between 1 and max"]),
    ("order-string", variant(PAGINATION, "order", "name"), "/order",
     ["expected Mapping, got 'name'"]),
    ("order-key-missing", variant(PAGINATION, "order/key"), "/order/key",
     ["required but missing"]),
    ("order-default-up", variant(PAGINATION, "order/default", "up"), "/order/default",
     ["got 'up'", "expected one of ['asc', 'desc']"]),
    ("order-collation-unknown", variant(PAGINATION, "order/collation", "icu"),
     "/order/collation", ["got 'icu'", "'case-insensitive'"]),
    ("order-nulls-unknown", variant(PAGINATION, "order/nulls", "middle"), "/order/nulls",
     ["got 'middle'", "'either'"]),
    ("order-inferred-unknown", variant(PAGINATION, "order/inferred", ["direction"]),
     "/order/inferred", ["got ['direction']"]),
    ("order-default-param-value", variant(PAGINATION, "order/default", "DESC"),
     "/order/default", ["got 'DESC'"]),
    ("order-keys-string", variant(PAGINATION, "order/keys", "given_name"), "/order/keys",
     ["expected list"]),
    ("exclusive-string", variant(PAGINATION, "exclusive", "page"), "/exclusive",
     ["expected list, got 'page'"]),
    ("meta-int", variant(PAGINATION, "meta", 1), "/meta", ["expected str, got 1"]),
]


@pytest.mark.parametrize(("raw", "suffix", "fragments"), [c[1:] for c in BAD_PAGINATION],
                         ids=[c[0] for c in BAD_PAGINATION])
def test_parse_pagination_refuses(raw: Any, suffix: str, fragments: list[str]) -> None:
    assert_spec_error(parse_pagination, raw, P, suffix, fragments)


# --- parse_resource ----------------------------------------------------------------------------

S = "/paths/~1tenants~1{tenant_id}~1orgs/get/x-orgkit-resource"
RESOURCE = {
    "collection": "orgs",
    "action": "list",
    "id": "path:org_id",
    "id_field": "instance_id",
    "envelope": "orgs",
    "parent": {"tenant_id": "path:tenant_id"},
    "filters": {
        "status": {"field": "status", "default": "active", "all": "all"},
        "filter_by": {"field": "name", "match": "contains"},
    },
}


def test_parse_resource_reads_every_field() -> None:
    rule = parse_resource(Reader(SRC, RESOURCE, S))
    assert (rule.collection, rule.action, rule.id_field, rule.envelope) == (
        "orgs", "list", "instance_id", "orgs")
    assert rule.id_ref == ScopeRef(SourceKind.PATH, "org_id")
    assert rule.parent == (("tenant_id", ScopeRef(SourceKind.PATH, "tenant_id")),)
    assert rule.filters == (
        Filter("status", "status", "equals", "active", "all"),
        Filter("filter_by", "name", "contains", None, None),
    )


def test_parse_resource_defaults_and_nulls() -> None:
    raw = {"action": "version", "collection": None, "envelope": None, "parent": None,
           "filters": None, "id_field": None}
    rule = parse_resource(Reader(SRC, raw, S))
    assert (rule.collection, rule.id_ref, rule.id_field, rule.envelope, rule.parent,
            rule.filters) == ("", None, "id", None, (), ())


BAD_RESOURCE = [
    ("action-missing", variant(RESOURCE, "action"), "/action", ["required but missing"]),
    ("action-null", variant(RESOURCE, "action", None), "/action", ["expected str, got null"]),
    ("collection-int", variant(RESOURCE, "collection", 5), "/collection",
     ["expected str, got 5"]),
    ("id-bare", variant(RESOURCE, "id", "org_id"), "/id", ["got source 'org_id'"]),
    ("id-unknown-kind", variant(RESOURCE, "id", "cookie:sid"), "/id",
     ["got source 'cookie:sid'", "kind one of"]),
    ("parent-bare", variant(RESOURCE, "parent/tenant_id", "tenant_id"), "/parent/tenant_id",
     ["got source 'tenant_id'"]),
    ("parent-int", variant(RESOURCE, "parent/tenant_id", 5), "/parent/tenant_id",
     ["got source 5"]),
    ("parent-list", variant(RESOURCE, "parent", ["path:tenant_id"]), "/parent",
     ["expected Mapping, got ['path:tenant_id']"]),
    ("filter-string", variant(RESOURCE, "filters/status", "active"), "/filters/status",
     ["expected a mapping, got str"]),
    ("filter-field-missing", variant(RESOURCE, "filters/status/field"),
     "/filters/status/field", ["required but missing"]),
    ("filter-field-int", variant(RESOURCE, "filters/filter_by/field", 1),
     "/filters/filter_by/field", ["expected str, got 1"]),
    ("filter-match-list", variant(RESOURCE, "filters/filter_by/match", ["contains"]),
     "/filters/filter_by/match", ["expected str, got ['contains']"]),
]


@pytest.mark.parametrize(("raw", "suffix", "fragments"), [c[1:] for c in BAD_RESOURCE],
                         ids=[c[0] for c in BAD_RESOURCE])
def test_parse_resource_refuses(raw: Any, suffix: str, fragments: list[str]) -> None:
    assert_spec_error(parse_resource, raw, S, suffix, fragments)


# --- parse_error_shapes ------------------------------------------------------------------------

E = "/x-orgkit/error_shapes"
SHAPES = {
    "transmit": {
        "content_type": "application/problem+json",
        "status_field": "error_code",
        "schemas": {400: "BadRequestHttpError", "default": "NotFoundHttpError"},
        "templates": {"400": {"message": "{messages}"}, "default": {"message": "{message}"}},
    },
    "plain": {"schemas": {"default": "Error"}, "templates": {"default": "{message}"}},
}


def test_parse_error_shapes_reads_every_field() -> None:
    shapes = parse_error_shapes(Reader(SRC, SHAPES, E))
    assert set(shapes) == {"transmit", "plain"}
    transmit = shapes["transmit"]
    assert isinstance(transmit, ErrorShape)
    assert (transmit.name, transmit.content_type, transmit.status_field) == (
        "transmit", "application/problem+json", "error_code")
    assert transmit.schema_for(400) == "BadRequestHttpError"  # int keys become strings
    assert transmit.schema_for(404) == "NotFoundHttpError"
    assert transmit.template_for(400) == {"message": "{messages}"}
    assert transmit.template_for(409) == {"message": "{message}"}
    plain = shapes["plain"]
    assert (plain.content_type, plain.status_field) == ("application/json", None)


BAD_SHAPES = [
    ("shape-not-mapping", {"svx": "Error"}, "/svx", ["expected Mapping, got 'Error'"]),
    ("schemas-missing", variant(SHAPES, "plain/schemas"), "/plain/schemas",
     ["required but missing"]),
    ("templates-missing", variant(SHAPES, "plain/templates"), "/plain/templates",
     ["required but missing"]),
    ("schemas-without-default", variant(SHAPES, "transmit/schemas/default"),
     "/transmit/schemas", ["needs a 'default' entry"]),
    ("templates-without-default", variant(SHAPES, "transmit/templates/default"),
     "/transmit/templates", ["needs a 'default' entry"]),
    ("schemas-list", variant(SHAPES, "plain/schemas", ["Error"]), "/plain/schemas",
     ["expected Mapping, got ['Error']"]),
    ("content-type-int", variant(SHAPES, "plain/content_type", 5), "/plain/content_type",
     ["expected str, got 5"]),
    ("status-field-list", variant(SHAPES, "plain/status_field", []), "/plain/status_field",
     ["expected str, got []"]),
]


@pytest.mark.parametrize(("raw", "suffix", "fragments"), [c[1:] for c in BAD_SHAPES],
                         ids=[c[0] for c in BAD_SHAPES])
def test_parse_error_shapes_refuses(raw: Any, suffix: str, fragments: list[str]) -> None:
    assert_spec_error(parse_error_shapes, raw, E, suffix, fragments)


def test_error_at_the_document_root_reads_slash() -> None:
    with pytest.raises(SpecError, match=r"^tiny\.yaml: at /: expected a mapping, got NoneType$"):
        Reader(SRC, None, "")


def test_without_inferred_drops_only_the_marked_keywords() -> None:
    from orgkit.rules import inferred_constraints, without_inferred

    schema: dict[str, Any] = {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 255, "pattern": "[^ ]",
                 "x-orgkit-inferred": {"keywords": ["pattern", "maxLength"]}},
        "color": {"type": "string", "maxLength": 20},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 9,
                                            "x-orgkit-inferred": {"keywords": ["maxLength"]}}}}}
    lenient = without_inferred(schema)
    assert "maxLength" not in lenient["properties"]["name"]
    assert "pattern" not in lenient["properties"]["name"]
    assert lenient["properties"]["color"]["maxLength"] == 20
    assert "maxLength" not in lenient["properties"]["tags"]["items"]
    assert schema["properties"]["name"]["maxLength"] == 255  # a copy
    assert inferred_constraints(schema) == ("[^ ]",)  # numbers are no text to look for
