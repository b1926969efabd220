"""Bad input and routing: every mistake is a 4xx in the API's error shape, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mockserver.mocksupport import ORG_A1, TENANT_A, Api, expect, expect_error

JSON = {"content-type": "application/json"}
TEN_MB = 10 * 1024 * 1024

# (id, method, url, persona) of operations that take a JSON body, one per error shape.
BODY_TARGETS = [
    ("svx-create-tenant", "POST", "/svx/tenants", "global-admin"),
    ("svx-update-org", "PUT", f"/svx/orgs/{ORG_A1}", "tenant-admin"),
    ("svx-invitation", "POST", "/svx/invitations", "tenant-admin"),
    ("transmit-create", "POST", "/cis/v1/organizations", "management-app"),
]
BAD_BODIES: list[tuple[str, bytes, dict[str, str], int]] = [
    ("malformed-json", b'{"name": ', JSON, 400),
    ("trailing-garbage", b'{"name": "x"} tail', JSON, 400),
    ("single-quotes", b"{'name': 'x'}", JSON, 400),
    ("non-utf8", b'{"name": "\xff\xfe\xfd"}', JSON, 400),
    ("latin1-declared-utf8", '{"name": "Zoë"}'.encode("latin-1"), JSON, 400),
    ("json-null", b"null", JSON, 400),
    ("json-array", b"[1, 2]", JSON, 400),
    ("json-string", b'"name"', JSON, 400),
    ("nan", b'{"name": NaN}', JSON, 400),
    ("deeply-nested", b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", JSON, 400),
    ("nested-objects", b'{"a":' * 5000 + b"1" + b"}" * 5000, JSON, 400),
    ("text-plain", b'{"name": "x"}', {"content-type": "text/plain"}, 415),
    ("form", b"name=x", {"content-type": "application/x-www-form-urlencoded"}, 415),
    ("xml", b"<name>x</name>", {"content-type": "application/xml"}, 415),
    ("ten-megabytes", b'{"name": "' + b"x" * TEN_MB + b'"}', JSON, 413),
]


@pytest.mark.parametrize(("body", "headers", "status"), [c[1:] for c in BAD_BODIES],
                         ids=[c[0] for c in BAD_BODIES])
@pytest.mark.parametrize(("method", "url", "persona"), [c[1:] for c in BODY_TARGETS],
                         ids=[c[0] for c in BODY_TARGETS])
def test_bad_bodies_are_4xx_in_the_shape(api: Api, method: str, url: str, persona: str,
                                         body: bytes, headers: dict[str, str],
                                         status: int) -> None:
    response = api.call(method, url, as_=persona, content=body, headers=headers)
    expect_error(response, status)
    expect(api.get("/svx/version"), 200)  # still up


def test_a_streamed_body_over_the_limit_is_413(api: Api) -> None:
    def chunks() -> Any:
        for _ in range(11):
            yield b"x" * (1024 * 1024)

    response = api.call("POST", "/svx/tenants", as_="global-admin", content=chunks(),
                        headers=JSON)
    expect_error(response, 413)


def test_a_body_without_content_type_is_415_not_an_empty_create(api: Api) -> None:
    before = api.app.mock.snapshot()
    response = api.post("/svx/tenants", as_="global-admin", content=b'{"name": "x"}')
    expect_error(response, 415)
    assert api.app.mock.snapshot() == before


def test_an_absent_required_body_is_400(api: Api) -> None:
    expect_error(api.post("/svx/tenants", as_="global-admin", headers=JSON), 400)


BAD_UUIDS = [
    ("word", "not-a-uuid"), ("too-short", "97aba509-421a-4829-bcfa"),
    ("no-dashes", "97aba509421a4829bcfab0eaeca247ab"),
    ("dashes-misplaced", "97aba509421a4829bcfab0eaeca247ab----"),
    ("braces", "{97aba509-421a-4829-bcfa-b0eaeca247ab}"),
    ("urn", "urn:uuid:97aba509-421a-4829-bcfa-b0eaeca247ab"),
    ("unicode-digits", "٩٧aba509-421a-4829-bcfa-b0eaeca247ab"),
    ("sql", "1' OR '1'='1"),
]


@pytest.mark.parametrize("value", [c[1] for c in BAD_UUIDS], ids=[c[0] for c in BAD_UUIDS])
def test_invalid_uuids_are_400(api: Api, value: str) -> None:
    expect_error(api.get(f"/svx/orgs/{value}", as_="global-admin"), 400)
    expect_error(api.get(f"/svx/tenants/{TENANT_A}/admins/{value}", as_="tenant-admin"), 400)
    expect_error(api.get("/svx/applications", as_="global-admin",
                         headers={"Meeco-Organisation-Id": value.encode()}), 400)


LONG = "x" * 100_000
STRINGS = [
    ("very-long", LONG),
    ("emoji", "🏢🚀 Ünïcödé Org"),
    ("rtl", "שלום עולם"),
    ("zero-width", "a\u200bb\u200dc\ufeff"),
    ("combining", "e\u0301\u0301\u0301"),
    ("nul", "a\u0000b"),
    ("lone-surrogate-escape", "\\ud800"),
    ("control", "\u0001\u001f\u007f"),
]


@pytest.mark.parametrize("value", [c[1] for c in STRINGS], ids=[c[0] for c in STRINGS])
def test_odd_strings_are_stored_or_refused_never_500(api: Api, value: str) -> None:
    response = api.post("/svx/tenants", as_="global-admin", json={"name": value})
    if response.status_code == 201:
        tenant = expect(response, 201)["tenant"]
        assert tenant["name"] == value
        got = expect(api.get(f"/svx/tenants/{tenant['id']}", as_="global-admin"), 200)
        assert got["tenant"]["name"] == value
    else:
        expect_error(response, 400)


def test_a_lone_surrogate_in_raw_json_never_500s(api: Api) -> None:
    response = api.post("/svx/tenants", as_="global-admin", content=b'{"name": "\\ud800"}',
                        headers=JSON)
    assert response.status_code in (201, 400)
    if response.status_code == 400:
        expect_error(response, 400)


def test_very_long_query_and_path_values(api: Api) -> None:
    expect_error(api.get("/svx/tenants", as_="global-admin",
                         params={"filter_by": "x" * 20_000, "per_page": "1" * 50}), 400)
    expect(api.get("/svx/tenants", as_="global-admin", params={"filter_by": "x" * 20_000}), 200)
    expect_error(api.get(f"/svx/orgs/{'a' * 10_000}", as_="global-admin"), 400)


QUERY_MISTAKES = [
    ("unknown-parameter", {"colour": "red"}),
    ("per-page-not-a-number", {"per_page": "ten"}),
    ("per-page-zero", {"per_page": "0"}),
    ("per-page-over-max", {"per_page": "101"}),
    ("page-zero", {"page": "0"}),
    ("page-negative", {"page": "-3"}),
    ("page-float", {"page": "1.5"}),
    ("order-sideways", {"order": "sideways"}),
    ("status-unknown", {"status": "deleted"}),
    ("page-and-cursor", {"page": "1", "next_page_after": "abc"}),
    ("forged-cursor", {"next_page_after": "bm90IGEgY3Vyc29y"}),
    ("cursor-of-another-order", {"next_page_after": "W1swLCAiYSJdLCAiaWQiLCAiZGVzYyIsICJuYW1lIl0",
                                 "order": "asc"}),
]


@pytest.mark.parametrize("query", [c[1] for c in QUERY_MISTAKES],
                         ids=[c[0] for c in QUERY_MISTAKES])
def test_query_mistakes_are_400(api: Api, query: dict[str, str]) -> None:
    expect_error(api.get("/svx/tenants", as_="global-admin", params=query), 400)


ROUTING = [
    ("unknown-svx-path", "GET", "/svx/nothing/here", 404, None),
    ("unknown-transmit-path", "GET", "/cis/v2/organizations", 404, None),
    ("svx-method", "PATCH", "/svx/tenants", 405, "GET, POST"),
    ("svx-item-method", "POST", f"/svx/orgs/{ORG_A1}", 405, "DELETE, GET, PUT"),
    ("transmit-method", "PATCH", "/cis/v1/organizations", 405, "GET, POST"),
    ("transmit-item-method", "POST", "/cis/v1/organizations/abc", 405, "DELETE, GET, PUT"),
    ("options-without-cors", "OPTIONS", "/svx/tenants", 405, "GET, POST"),
    ("trailing-slash", "GET", "/svx/tenants/", 404, None),
]


@pytest.mark.parametrize(("method", "url", "status", "allow"), [c[1:] for c in ROUTING],
                         ids=[c[0] for c in ROUTING])
def test_routing_errors_in_the_shape(api: Api, method: str, url: str, status: int,
                                     allow: str | None) -> None:
    response = api.call(method, url, as_="global-admin")
    expect_error(response, status)
    assert response.headers.get("allow") == allow


def test_outside_any_mount_is_a_json_404(api: Api) -> None:
    response = api.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "/svx" in response.json()["message"]


def test_docs_are_served(api: Api) -> None:
    for mount in ("/svx", "/cis"):
        servers = api.get(f"{mount}/openapi.json").json()["servers"]
        assert [server["url"] for server in servers] == [mount]
        assert api.get(f"{mount}/ui/").status_code == 200


SCALARS = (st.none() | st.booleans() | st.integers() | st.text()
           | st.floats(allow_nan=False, allow_infinity=False))
JSON_VALUES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=8), children, max_size=4),
                           max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(payload=JSON_VALUES)
def test_any_json_body_is_answered_below_500(api: Api, payload: Any) -> None:
    for method, url, persona in (("POST", "/svx/tenants", "global-admin"),
                                 ("PUT", f"/svx/orgs/{ORG_A1}", "tenant-admin"),
                                 ("POST", "/svx/invitations", "tenant-admin")):
        response = api.call(method, url, as_=persona, json={"name": "x", "extra": payload})
        assert response.status_code < 500, response.text
        response = api.call(method, url, as_=persona, json=payload)
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            expect_error(response, response.status_code)
