"""orgkit.specs: the bundled specs load, their rules are coherent, the clean step, SpecErrors."""

from __future__ import annotations

import copy
import functools
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from orgkit.errors import SpecError
from orgkit.model import Operation
from orgkit.rightsrules import RightsRule, ScopeRef, SourceKind
from orgkit.specs import build_model, load_api, spec_path

APIS = ["svx", "transmit"]
PARAM_KINDS = {SourceKind.PATH: "path", SourceKind.QUERY: "query", SourceKind.HEADER: "header"}
PAGING_PARAMS = {"page", "per_page", "next_page_after"}


def operations(api: str) -> list[Operation]:
    return list(load_api(api).model.operations)


def all_operations(keep: Any = lambda op: True) -> list[Any]:
    return [pytest.param(api, op, id=f"{api}-{op.operation_id}")
            for api in APIS for op in operations(api) if keep(op)]


@functools.cache
def raw_document(api: str) -> dict[str, Any]:
    """The file as written, without resolution or the clean step (do not mutate)."""
    with spec_path(api).open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def responses(document: Any, op: Operation) -> dict[str, Any]:
    return {str(k): v for k, v in document["paths"][op.path][op.method.lower()]["responses"]
            .items()}


def refs_of(op: Operation) -> Iterator[tuple[str, ScopeRef]]:
    """Every scope reference an operation's rules use, innermost (parent-tenant-of unwrapped)."""
    found: list[tuple[str, ScopeRef | None]] = [
        *((f"x-orgkit-rights/any_of[{r.right}]", r.source) for r in op.rights.any_of),
        ("x-orgkit-rights/org_confined_to", op.rights.org_confined_to),
    ]
    if op.resource is not None:
        found.append(("x-orgkit-resource/id", op.resource.id_ref))
        found += [(f"x-orgkit-resource/parent/{name}", ref) for name, ref in op.resource.parent]
    for where, ref in found:
        while ref is not None and ref.inner is not None:
            ref = ref.inner
        if ref is not None:
            yield where, ref


# --- the bundled specs -------------------------------------------------------------------------


@pytest.mark.parametrize(("api", "count", "mount"), [("svx", 70, "/svx"), ("transmit", 14, "/cis")],
                         ids=APIS)
def test_bundled_spec_loads(api: str, count: int, mount: str) -> None:
    loaded = load_api(api)
    assert loaded.model.name == api
    assert loaded.model.mount == mount
    assert len(loaded.model.operations) == count
    ids = [op.operation_id for op in loaded.model.operations]
    assert len(set(ids)) == count, "operationIds must be unique"
    assert Path(loaded.source) == spec_path(api)


def test_load_api_is_cached() -> None:
    assert load_api("svx") is load_api("svx")
    assert load_api("transmit") is load_api("transmit")
    assert load_api("svx") is not load_api("transmit")


@pytest.mark.parametrize(("api", "op"), all_operations())
def test_every_operation_has_a_rights_rule(api: str, op: Operation) -> None:
    raw_op = raw_document(api)["paths"][op.path][op.method.lower()]
    assert "x-orgkit-rights" in raw_op
    assert isinstance(op.rights, RightsRule)
    assert op.rights.mode.value == raw_op["x-orgkit-rights"]["mode"]
    if op.rights.needs_token:
        assert op.secured, "a protected operation must declare security"


@pytest.mark.parametrize(("api", "op"), all_operations())
def test_paging_parameters_have_a_coherent_pagination_rule(api: str, op: Operation) -> None:
    query = {p.name for p in op.parameters if p.location == "query"}
    if not query & PAGING_PARAMS:
        assert op.pagination is None or op.pagination.items
        return
    rule = op.pagination
    assert rule is not None, f"{op.operation_id} takes {sorted(query & PAGING_PARAMS)}"
    named = [rule.page_param, rule.per_page_param, rule.cursor_param, rule.order_param,
             rule.order.by if rule.order else None]
    for name in filter(None, named):
        assert op.parameter(name, "query") is not None, f"{name} is not a query parameter"
    for name in rule.exclusive:
        assert op.parameter(name, "query") is not None, f"exclusive {name} is not a parameter"
    assert query & PAGING_PARAMS <= set(filter(None, named))


@pytest.mark.parametrize(("api", "op"), all_operations(lambda op: op.pagination is not None))
def test_pagination_response_fields_exist(api: str, op: Operation) -> None:
    rule = op.pagination
    assert rule is not None
    schema = responses(load_api(api).document, op)["200"]["content"]["application/json"]["schema"]
    properties = schema["properties"]
    assert properties[rule.items]["type"] == "array"
    for field in filter(None, [rule.meta, rule.next_cursor]):
        assert field in properties


@pytest.mark.parametrize(("api", "op"), all_operations())
def test_rule_sources_name_declared_parameters(api: str, op: Operation) -> None:
    for where, ref in refs_of(op):
        if ref.kind in PARAM_KINDS:
            assert op.parameter(ref.name, PARAM_KINDS[ref.kind]) is not None, (
                f"{op.operation_id} {where}: {ref} is not a declared parameter")


@pytest.mark.parametrize(
    ("api", "op"), all_operations(lambda op: op.resource is not None and op.resource.id_ref))
def test_resource_id_parameter_exists(api: str, op: Operation) -> None:
    assert op.resource is not None and op.resource.id_ref is not None
    ref = op.resource.id_ref
    assert ref.kind in PARAM_KINDS
    param = op.parameter(ref.name, PARAM_KINDS[ref.kind])
    assert param is not None and (param.required or ref.kind is not SourceKind.PATH)


# --- the clean step ----------------------------------------------------------------------------


def test_clean_adds_the_implicit_errors_to_transmit() -> None:
    loaded = load_api("transmit")
    raw = raw_document("transmit")
    implicit = {str(s) for s in loaded.model.implicit_errors}
    assert {"401", "403"} <= implicit
    schemas = loaded.document["components"]["schemas"]
    added_any = False
    for op in loaded.model.operations:
        assert op.secured
        before, after = responses(raw, op), responses(loaded.document, op)
        no_success = not any(s[0] in "23" for s in before)
        assert set(after) == set(before) | implicit | ({"204"} if no_success else set())
        for status in set(before):
            assert not after[status].get("description", "").startswith("(orgkit)"), (
                f"{op.operation_id} {status} was overwritten")
        for status in implicit - set(before):
            added_any = True
            content = after[status]["content"]
            assert list(content) == [op.error_shape.content_type]
            expected = schemas[op.error_shape.schema_for(int(status))]
            assert content[op.error_shape.content_type]["schema"] == expected
            if status in ("401", "403"):
                assert expected == schemas["NotFoundHttpError"]
    assert added_any


def test_clean_declares_an_implicit_success_where_the_source_has_none() -> None:
    loaded = load_api("transmit")
    op = loaded.model.operation("deleteOrganization")
    assert not any(s[0] in "23" for s in responses(raw_document("transmit"), op))
    assert responses(loaded.document, op)["204"]["description"].startswith("(orgkit)")
    assert op.success_status == 204


def test_clean_leaves_svx_responses_untouched() -> None:
    loaded = load_api("svx")
    raw = raw_document("svx")
    assert loaded.model.implicit_errors == ()
    for op in loaded.model.operations:
        after = responses(loaded.document, op)
        assert set(after) == set(responses(raw, op)), op.operation_id
        assert not any(str(r.get("description", "")).startswith("(orgkit)")
                       for r in after.values())


# --- tiny documents ----------------------------------------------------------------------------

TINY = textwrap.dedent("""\
    openapi: 3.0.3
    info: {title: Tiny, version: '1.0'}
    x-orgkit:
      api: tiny
      mount: /tiny
      auth: {kind: jwt, tenant_claim: tid}
      default_error_shape: plain
      implicit_errors: [401, 403]
      error_shapes:
        plain:
          schemas: {default: Err, '403': Err403}
          templates: {default: {message: '{message}'}}
    security: [{bearer: []}]
    components:
      securitySchemes: {bearer: {type: http, scheme: bearer}}
      schemas:
        Err: {type: object, properties: {message: {type: string}}}
        Err403: {type: object, properties: {message: {type: string}, why: {type: string}}}
    paths:
      /things/{thing_id}:
        parameters:
          - {name: thing_id, in: path, required: true, schema: {type: string}}
        get:
          operationId: getThing
          parameters:
            - {name: X-Org, in: header, required: false, schema: {type: string}}
          responses:
            '200': {description: ok}
            '401': {description: declared 401}
          x-orgkit-rights:
            mode: any_of
            any_of: [{right: things:read, scope: org, from: 'header:x-org'}]
      /public:
        get:
          operationId: getPublic
          security: []
          responses:
            '200': {description: ok}
          x-orgkit-rights: {mode: public}
    """)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def write(tmp_path: Path, text: str, name: str = "tiny.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_tiny_spec_loads_and_is_cleaned(tmp_path: Path) -> None:
    loaded = load_api(write(tmp_path, TINY))
    model = loaded.model
    assert (model.name, model.title, model.version, model.auth.tenant_claim) == (
        "tiny", "Tiny", "1.0", "tid")
    get_thing, get_public = model.operation("getThing"), model.operation("getPublic")
    assert [(p.name, p.location, p.required) for p in get_thing.parameters] == [
        ("thing_id", "path", True), ("X-Org", "header", False)]
    assert get_thing.parameter("x-org", "header") is not None  # headers case-insensitively
    assert (get_thing.secured, get_public.secured) == (True, False)
    thing = loaded.document["paths"]["/things/{thing_id}"]["get"]["responses"]
    assert thing["401"] == {"description": "declared 401"}
    assert thing["403"]["content"]["application/json"]["schema"] == (
        loaded.document["components"]["schemas"]["Err403"])
    assert set(loaded.document["paths"]["/public"]["get"]["responses"]) == {"200"}
    with pytest.raises(KeyError, match="no operation 'nope'"):
        model.operation("nope")


BROKEN = [
    ("not-openapi", "just: [a, list\n"),
    ("missing-info", edit(TINY, "info: {title: Tiny, version: '1.0'}\n", "")),
    ("response-not-an-object", edit(TINY, "'401': {description: declared 401}", "'401': 5")),
    ("parameter-without-in", edit(TINY, "{name: X-Org, in: header,", "{name: X-Org,")),
]


@pytest.mark.parametrize("text", [t for _, t in BROKEN], ids=[i for i, _ in BROKEN])
def test_broken_document_names_the_file(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text, "broken.yaml")
    with pytest.raises(SpecError) as info:
        load_api(path)
    assert info.value.source == path
    assert str(info.value).startswith(f"{path}: ")


def test_missing_file_names_the_file_and_the_known_apis(tmp_path: Path) -> None:
    path = str(tmp_path / "absent.yaml")
    with pytest.raises(SpecError, match="no such spec file") as info:
        load_api(path)
    assert info.value.source == path
    assert "svx, transmit" in str(info.value)


MALFORMED_RULES = [
    ("unknown-mode", "mode: any_of\n", "mode: sometimes\n",
     "/paths/~1things~1{thing_id}/get/x-orgkit-rights/mode", "'sometimes'"),
    ("bad-from", "from: 'header:x-org'", "from: 'x-org'",
     "/paths/~1things~1{thing_id}/get/x-orgkit-rights/any_of/0/from", "'x-org'"),
    ("unknown-scope", "scope: org", "scope: orgs",
     "/paths/~1things~1{thing_id}/get/x-orgkit-rights/any_of/0/scope", "'orgs'"),
    ("missing-rights", "      x-orgkit-rights: {mode: public}\n", "",
     "/paths/~1public/get/x-orgkit-rights", "required but missing"),
    ("unknown-default-shape", "default_error_shape: plain", "default_error_shape: fancy",
     "/x-orgkit/default_error_shape", "'fancy'"),
    ("shape-without-default", "schemas: {default: Err, '403': Err403}", "schemas: {'403': Err403}",
     "/x-orgkit/error_shapes/plain/schemas", "'default'"),
    ("missing-mount", "  mount: /tiny\n", "", "/x-orgkit/mount", "required but missing"),
]


@pytest.mark.parametrize(("old", "new", "pointer", "fragment"), [c[1:] for c in MALFORMED_RULES],
                         ids=[c[0] for c in MALFORMED_RULES])
def test_valid_document_with_malformed_rule_names_the_pointer(
    tmp_path: Path, old: str, new: str, pointer: str, fragment: str
) -> None:
    path = write(tmp_path, edit(TINY, old, new), "rule.yaml")
    with pytest.raises(SpecError) as info:
        load_api(path)
    assert (info.value.source, info.value.pointer) == (path, pointer)
    assert str(info.value).startswith(f"{path}: at {pointer}: ")
    assert fragment in str(info.value)


def test_build_model_refuses_a_document_without_x_orgkit() -> None:
    document = copy.deepcopy(yaml.safe_load(TINY))
    del document["x-orgkit"]
    with pytest.raises(SpecError, match=r"^doc\.yaml: at /x-orgkit: is required but missing$"):
        build_model(document, "doc.yaml")


def test_build_model_refuses_an_unknown_operation_error_shape() -> None:
    document = yaml.safe_load(TINY)
    document["paths"]["/public"]["get"]["x-orgkit-error-shape"] = "fancy"
    with pytest.raises(SpecError) as info:
        build_model(document, "doc.yaml")
    assert info.value.pointer == "/paths/~1public/get/x-orgkit-error-shape"
    assert "'fancy'" in str(info.value) and "plain" in str(info.value)
