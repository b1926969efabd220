"""The fast path (body-less operations without Connexion) answers exactly like Connexion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from connexion.json_schema import Draft4RequestValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from orgkit_fixtures import load, persona_token
from starlette.testclient import TestClient

from mockserver.app import MockApp, create_app
from mockserver.config import ServeConfig
from mockserver.fastpath import ParameterCheck, acceptor, query_pairs
from mockserver.formats import check_body_formats
from mockserver.validation import Finish, _declares_formats
from orgkit.errors import InvalidInput
from orgkit.specs import load_api

DATA = load()
PERSONAS = DATA["personas"]
TENANT_A = PERSONAS["tenant-admin"]["tenant_id"]
ORG_A1 = PERSONAS["org-admin"]["org_id"]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[MockApp, TestClient, TestClient]]:
    fast = create_app(ServeConfig(fast_path=True), DATA)
    slow = create_app(ServeConfig(fast_path=False), DATA)
    # Same keys on both sides, so one token works for both.
    slow.mock.keyring = fast.mock.keyring
    for runtime in slow.mock.runtimes.values():
        runtime.keyring = fast.mock.keyring
    with TestClient(fast) as a, TestClient(slow) as b:
        yield fast, a, b


def token(app: MockApp, persona: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + persona_token(DATA, persona, app.mock.keyring)}


REQUESTS = [
    ("list-tenants", "global-admin", "/svx/tenants?per_page=5&page=2&order=desc"),
    ("list-orgs-cursor", "tenant-admin", f"/svx/tenants/{TENANT_A}/orgs?per_page=3"),
    ("list-orgs-filter", "tenant-admin", f"/svx/tenants/{TENANT_A}/orgs?filter_by=a&status=all"),
    ("get-org", "org-admin", f"/svx/orgs/{ORG_A1}"),
    ("get-org-forbidden", "other-tenant-admin", f"/svx/orgs/{ORG_A1}"),
    ("get-org-bad-uuid", "global-admin", "/svx/orgs/not-a-uuid"),
    ("per-page-not-int", "global-admin", "/svx/tenants?per_page=abc"),
    ("per-page-too-big", "global-admin", "/svx/tenants?per_page=101"),
    ("page-and-cursor", "global-admin", "/svx/tenants?page=1&next_page_after=x"),
    ("bad-enum", "global-admin", "/svx/tenants?status=gone"),
    ("unknown-param", "global-admin", "/svx/tenants?colour=red"),
    ("me", "no-rights", "/svx/me"),
    ("my-rights", "org-admin", "/svx/me/security_rights"),
    ("visible-orgs", "tenant-admin", "/svx/orgs"),
    ("catalogue-inactive", None, "/svx/security_rights?with_inactive=true"),
    ("bool-not-bool", None, "/svx/security_rights?with_inactive=maybe"),
    ("invitations", "tenant-admin", "/svx/invitations?status=pending,expired&order=ASC"),
    ("version", None, "/svx/atom/version"),
    ("missing-header", "org-admin", "/svx/applications"),
]


@pytest.mark.parametrize(("persona", "url"), [r[1:] for r in REQUESTS],
                         ids=[r[0] for r in REQUESTS])
def test_same_answer(clients: tuple[MockApp, TestClient, TestClient], persona: str | None,
                     url: str) -> None:
    app, fast, slow = clients
    headers = token(app, persona) if persona else {}
    a, b = fast.get(url, headers=headers), slow.get(url, headers=headers)
    assert a.status_code == b.status_code, (a.text, b.text)
    if a.status_code < 400:
        assert a.json() == b.json()
    else:
        assert set(a.json()) == set(b.json())
        assert a.headers["content-type"] == b.headers["content-type"]


@pytest.mark.parametrize(("api", "op_id", "compiled"), [
    ("svx", "getOrg", True),
    ("svx", "createOrg", True),  # JSON bodies: compiled checks with Connexion's validator
    ("transmit", "uploadLogo", False),  # multipart: Connexion parses and validates it
], ids=["body-less", "json-body", "multipart"])
def test_fast_path_is_used(clients: tuple[MockApp, TestClient, TestClient], api: str,
                           op_id: str, compiled: bool) -> None:
    app, fast, _ = clients
    gateway = app._asgi.app.inner  # CORS wraps the guard, the guard the gateway
    op = app.mock.runtimes[api].model.operation(op_id)
    assert gateway.validation.compiled(api, op) is compiled


def _check(op_id: str) -> ParameterCheck:
    return ParameterCheck(load_api("svx").model.operation(op_id))


@pytest.mark.parametrize(("pairs", "problem"), [
    ([("per_page", "x")], "must be of type integer"),
    ([("status", "nope")], "is not one of"),
    ([("bogus", "1")], "Extra query parameter"),
    ([("page", "1"), ("page", "2")], "more than once"),
], ids=["type", "enum", "unknown", "repeated"])
def test_parameter_check_refuses(pairs: list[tuple[str, str]], problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        _check("listTenants").query(pairs)


def test_parameter_check_converts() -> None:
    values = _check("listTenants").query([("per_page", "7"), ("order", "desc")])
    assert values == {"per_page": 7, "order": "desc"}
    assert _check("listSecurityRights").query([("with_inactive", "TRUE")]) == {
        "with_inactive": True}


def test_required_header_is_enforced() -> None:
    with pytest.raises(InvalidInput, match="Missing header parameter 'Meeco-Organisation-Id'"):
        _check("listApplicationAgents").headers({})


LENIENT = [
    ("fast-get", True, "GET", "/svx/tenants?_=123&per_page=2", 200),
    ("connexion-get", False, "GET", "/svx/tenants?_=123&per_page=2", 200),
    ("connexion-post", True, "POST", "/svx/tenants?_=1&with_external_security_rights=x", 400),
    ("known-still-checked", True, "GET", "/svx/tenants?_=1&per_page=abc", 400),
]


@pytest.mark.parametrize(("fast_path", "method", "path", "lenient_status"),
                         [c[1:] for c in LENIENT], ids=[c[0] for c in LENIENT])
def test_lenient_query_ignores_only_undeclared_parameters(
        fast_path: bool, method: str, path: str, lenient_status: int) -> None:
    strict = create_app(ServeConfig(fast_path=fast_path), DATA)
    lenient = create_app(ServeConfig(fast_path=fast_path, lenient_query=True), DATA)
    lenient.mock.keyring = strict.mock.keyring
    for runtime in lenient.mock.runtimes.values():
        runtime.keyring = strict.mock.keyring
    headers = token(strict, "global-admin")
    with TestClient(strict) as a, TestClient(lenient) as b:
        body: dict[str, Any] | None = {} if method == "POST" else None
        refused = a.request(method, path, headers=headers, json=body)
        answered = b.request(method, path, headers=headers, json=body)
    assert refused.status_code == 400 and "Extra query parameter" in refused.text
    assert answered.status_code == lenient_status, answered.text
    assert "Extra query parameter" not in answered.text
    assert lenient.mock.log and list(lenient.mock.log)[-1]["query"].startswith("_=")


JSON = {"Content-Type": "application/json"}
# (id, persona, method, url, body bytes, headers): JSON bodies, validated by the pipeline's
# compiled checks on one side and by Connexion on the other.
BODY_REQUESTS = [
    ("create-org", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs",
     b'{"name": "Diff Org"}', JSON),
    ("create-org-no-name", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs", b"{}", JSON),
    ("create-org-name-type", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs",
     b'{"name": 5}', JSON),
    ("create-org-empty-body", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs", b"", {}),
    ("create-org-text-plain", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs",
     b'{"name": "x"}', {"Content-Type": "text/plain"}),
    ("create-org-extra-query", "tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/orgs?x=1",
     b'{"name": "x"}', JSON),
    ("update-org", "org-admin", "PUT", f"/svx/orgs/{ORG_A1}", b'{"name": "Renamed"}', JSON),
    ("update-org-bad-uuid", "org-admin", "PUT", "/svx/orgs/nope", b'{"name": "R"}', JSON),
    ("create-tenant-forbidden", "tenant-admin", "POST", "/svx/tenants", b'{"name": "T"}', JSON),
    ("transmit-create", "management-app", "POST", "/cis/v1/organizations",
     b'{"name": "Diff Org T", "domain": "diff.example"}', JSON),
]


@pytest.mark.parametrize(("persona", "method", "url", "body", "headers"),
                         [r[1:] for r in BODY_REQUESTS], ids=[r[0] for r in BODY_REQUESTS])
def test_same_answer_with_a_body(clients: tuple[MockApp, TestClient, TestClient], persona: str,
                                 method: str, url: str, body: bytes,
                                 headers: dict[str, str]) -> None:
    app, fast, slow = clients
    sent = {**token(app, persona), **headers}
    a = fast.request(method, url, headers=sent, content=body)
    b = slow.request(method, url, headers=sent, content=body)
    assert a.status_code == b.status_code, (a.text, b.text)
    assert set(a.json()) == set(b.json())
    assert a.headers["content-type"] == b.headers["content-type"]
    if a.status_code >= 400:
        assert a.text == b.text  # the same message, from the same validator


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_connexion_finds_the_served_specs_valid(api: str) -> None:
    # The mock skips this check at start-up (mockserver/adapter.py: validated_already).
    from connexion.spec import OpenAPISpecification

    from mockserver.docs import with_how_to_call

    loaded = load_api(api)
    spec = OpenAPISpecification.from_dict(with_how_to_call(loaded.document, loaded.model))
    assert spec["openapi"].startswith("3.")


RECURSIVE: dict[str, Any] = {"type": "object", "properties": {}}
RECURSIVE["properties"]["child"] = RECURSIVE
FORMAT_SCHEMAS = [
    ("none", {"type": "object", "properties": {"name": {"type": "string"}}}, False),
    ("unchecked-format", {"properties": {"mail": {"type": "string", "format": "email"}}}, False),
    ("top-level", {"type": "string", "format": "uuid"}, True),
    ("nested-property", {"properties": {"a": {"properties": {"b": {"format": "uri"}}}}}, True),
    ("array-items", {"properties": {"ids": {"items": {"format": "uuid"}}}}, True),
    ("recursive", RECURSIVE, True),
    ("odd-property", {"properties": {"a": 5}}, True),
]


@pytest.mark.parametrize(("schema", "declared"), [c[1:] for c in FORMAT_SCHEMAS],
                         ids=[c[0] for c in FORMAT_SCHEMAS])
def test_body_formats_are_checked_wherever_the_schema_declares_one(schema: dict[str, Any],
                                                                  declared: bool) -> None:
    assert _declares_formats(schema) is declared


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_an_operation_finished_without_body_formats_has_none_to_refuse(api: str) -> None:
    for op in load_api(api).model.operations:
        if not Finish(op).body_formats:
            check_body_formats(op.request_schema, _all_strings(op.request_schema), "body")


def _all_strings(schema: Any) -> Any:
    """A value shaped by schema with the text 'no' in every string: no uuid, no uri."""
    if isinstance(schema.get("items"), dict):
        return [_all_strings(schema["items"])]
    if schema.get("properties"):
        return {n: _all_strings(p) for n, p in schema["properties"].items()}
    return "no"


STRINGS = (st.text(max_size=90) | st.integers(0, 100).map(lambda n: "a" * n)
           | st.sampled_from(["https://a.example/x", "no uri", "a@b.example", "ab", "AB",
                              "3fa85f64-5717-4562-b3fc-2c963f66afa6"]))
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | STRINGS)
TYPED: dict[str, st.SearchStrategy[Any]] = {
    "string": STRINGS, "integer": st.integers(), "boolean": st.booleans(),
    "number": st.integers() | st.floats(allow_nan=False)}


def _bodies(schema: Any) -> st.SearchStrategy[Any]:
    """Values shaped (mostly) like schema: its properties, items and types, or any leaf."""
    shaped = TYPED.get(str(schema.get("type")), LEAVES)
    if schema.get("enum"):
        shaped = st.sampled_from(schema["enum"]) | shaped
    if isinstance(schema.get("items"), dict):
        shaped = st.lists(_bodies(schema["items"]), max_size=3)
    if schema.get("properties"):
        shaped = st.fixed_dictionaries({}, optional={
            name: _bodies(prop) for name, prop in schema["properties"].items()})
    return st.one_of(shaped, shaped, shaped, LEAVES)


REQUEST_SCHEMAS = [(f"{api}-{op.operation_id}", op.request_schema)
                   for api in ("svx", "transmit") for op in load_api(api).model.operations
                   if op.has_body and acceptor(op.request_schema) is not None]
PATTERNED = {"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
    "count": {"type": "integer"}, "share": {"type": "number"},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}}}}
LOOSE = {"type": "object", "properties": {
    "count": {"type": "integer"}, "share": {"type": "number"}, "ok": {"type": "boolean"},
    "code": {"type": "string", "minLength": 1, "maxLength": 3},
    "mail": {"type": "string", "format": "email"}, "word": {"pattern": "^[a-z]+$"}}}


PARAMETER_SCHEMAS = list({repr(p.schema): (f"{api}-{p.location}-{p.name}", dict(p.schema))
                          for api in ("svx", "transmit")
                          for op in load_api(api).model.operations for p in op.parameters
                          if acceptor(p.schema) is not None}.values())
BOUNDED = {"type": "integer", "minimum": 1, "maximum": 100}
# Keywords beyond the bundled specs' own, so the comparison covers them too.
WIDER = [
    ("closed", {"type": "object", "additionalProperties": False,
                "properties": {"count": {"type": "integer"}}}),
    ("type-list", {"type": ["string", "integer"]}),
    ("exclusive", {"type": "number", "maximum": 5, "exclusiveMaximum": True}),
    ("one-of", {"properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}}),
    ("tuple-items", {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}),
    ("nullable", {"type": "object", "properties": {"url": {"type": "string", "format": "uri",
                                                           "nullable": True}}}),
]


@pytest.mark.parametrize(("schema", "validator"), [
    *[(s, Draft4RequestValidator) for _, s in REQUEST_SCHEMAS + [("", PATTERNED), ("", LOOSE)]],
    *[(s, Draft4Validator) for _, s in PARAMETER_SCHEMAS + [("", BOUNDED)]],
    *[(s, Draft4RequestValidator) for _, s in WIDER],
], ids=[i for i, _ in REQUEST_SCHEMAS] + ["patterned", "loose"]
    + [i for i, _ in PARAMETER_SCHEMAS] + ["bounded"] + [i for i, _ in WIDER])
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_value_the_quick_test_accepts_is_valid(schema: dict[str, Any], validator: Any,
                                                 data: st.DataObject) -> None:
    """Bodies against Connexion's request validator, parameters against the plain one."""
    value = data.draw(_bodies(schema))
    quick = acceptor(schema)
    assert quick is not None
    if quick(value):
        checker = validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
        assert not list(checker.iter_errors(value))


QUICK = [
    ("valid", PATTERNED, {"code": "ab", "tags": ["x"]}, True),
    ("missing-required", PATTERNED, {"tags": []}, False),
    ("pattern", PATTERNED, {"code": "AB"}, False),
    ("bool-is-no-integer", PATTERNED, {"code": "ab", "count": True}, False),
    ("null", {"type": "string", "nullable": True}, None, False),
    ("long-item", PATTERNED, {"code": "ab", "tags": ["long"]}, False),
    ("short", LOOSE, {"code": ""}, False),
    ("float-is-no-integer", LOOSE, {"count": 1.5}, False),
    ("text-is-no-number", LOOSE, {"share": "1"}, False),
    ("format", LOOSE, {"mail": "nobody"}, False),
    ("below-minimum", BOUNDED, 0, False),
    ("above-maximum", BOUNDED, 101, False),
    ("in-bounds", BOUNDED, 100, True),
    ("enum-member", {"type": "string", "enum": ["asc", "desc"]}, "asc", True),
    ("enum-stranger", {"type": "string", "enum": ["asc", "desc"]}, "ASC", False),
    ("all-valid", LOOSE, {"count": 1, "share": 0.5, "ok": False, "code": "abc",
                          "mail": "a@b.example", "word": "ab", "other": None}, True),
]


@pytest.mark.parametrize(("schema", "body", "accepted"), [c[1:] for c in QUICK],
                         ids=[c[0] for c in QUICK])
def test_the_quick_test_accepts_only_what_it_knows_is_valid(schema: dict[str, Any], body: Any,
                                                          accepted: bool) -> None:
    quick = acceptor(schema)
    assert quick is not None and quick(body) is accepted


@pytest.mark.parametrize("schema", [
    RECURSIVE, {"pattern": "("}, {"type": "nonsense"}, {"maxLength": "x"},
], ids=["recursive", "bad-pattern", "unknown-type", "non-integer-bound"])
def test_a_schema_the_quick_test_cannot_compile_is_left_to_the_validator(
        schema: dict[str, Any]) -> None:
    assert acceptor(schema) is None


@settings(max_examples=400, deadline=None)
@given(raw=st.text(alphabet="ab=&+%2F;é \x00", max_size=24))
def test_query_pairs_read_a_query_string_as_parse_qsl_does(raw: str) -> None:
    encoded = raw.encode("latin-1")
    assert query_pairs(encoded) == parse_qsl(raw, keep_blank_values=True)
