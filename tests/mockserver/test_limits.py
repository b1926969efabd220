"""Strings in API request bodies are bounded: a long one is a 400 in the API's error shape."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.bodies import overlong, string_cap
from mockserver.config import ServeConfig
from tests.mockserver.mocksupport import TENANT_A, Api, error_message, expect, expect_error

LIMIT = ServeConfig().max_string_length
LONG = "x" * (LIMIT + 1)

OVERLONG = [("top", LONG, "body"), ("field", {"name": LONG}, "body.name"),
            ("nested", {"a": [{"b": LONG}]}, "body.a[0].b"), ("key", {LONG: 1}, "a key of body"),
            ("fine", {"name": "x" * LIMIT, "n": 5, "l": [None, True]}, None),
            ("deep", [[[[[[[[[[LONG]]]]]]]]]], "body[0][0][0][0][0][0][0][0][0][0]")]


@pytest.mark.parametrize(("value", "where"), [c[1:] for c in OVERLONG],
                         ids=[c[0] for c in OVERLONG])
def test_overlong_says_where(value: Any, where: str | None) -> None:
    assert overlong(value, LIMIT) == where


def test_overlong_survives_nesting_deeper_than_the_recursion_limit() -> None:
    value: Any = LONG
    for _ in range(100_000):
        value = [value]
    assert overlong(value, LIMIT) is not None


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=20), inner, max_size=4), max_leaves=20)


@given(JSON)
def test_short_strings_everywhere_pass(value: Any) -> None:
    assert overlong(value, 20) is None
    assert overlong({"extra": [value, "y" * 21]}, 20) == "body.extra[1]"


CREATES = [("svx-tenant", "/svx/tenants", "global-admin", {"name": LONG}),
           ("svx-org", f"/svx/tenants/{TENANT_A}/orgs", "global-admin", {"name": LONG}),
           ("transmit-org", "/cis/v1/organizations", "management-app",
            {"name": LONG, "domain": "long.example", "domains": [], "app_ids": []})]


@pytest.mark.parametrize(("path", "persona", "body"), [c[1:] for c in CREATES],
                         ids=[c[0] for c in CREATES])
def test_overlong_strings_are_400_and_not_stored(api: Api, path: str, persona: str,
                                                 body: dict[str, Any]) -> None:
    before = api.app.mock.snapshot()
    body = expect_error(api.post(path, as_=persona, json=body), 400)
    assert f"longer than {LIMIT} characters" in error_message(body)
    assert api.app.mock.snapshot() == before


# (path, persona, body without the field, field, its maxLength in the spec)
DECLARED = [
    ("svx-tenant-name", "/svx/tenants", "global-admin", {}, "name", 255),
    ("svx-org-legal-name", f"/svx/tenants/{TENANT_A}/orgs", "tenant-admin", {"name": "Lima"},
     "legal_name", 72),
    ("transmit-org-domain", "/cis/v1/organizations", "management-app",
     {"name": "Lima", "domains": [], "app_ids": []}, "domain", 253),
]


@pytest.mark.parametrize(("path", "persona", "body", "field", "limit"),
                         [c[1:] for c in DECLARED], ids=[c[0] for c in DECLARED])
def test_the_specs_maxlength_is_the_limit(api: Api, path: str, persona: str,
                                         body: dict[str, Any], field: str, limit: int) -> None:
    """Issue 12 #15: the mock enforces the maxLength the spec declares (inferred ones too)."""
    before = api.app.mock.snapshot()
    expect_error(api.post(path, as_=persona, json={**body, field: "n" * (limit + 1)}), 400)
    assert api.app.mock.snapshot() == before
    expect(api.post(path, as_=persona, json={**body, field: "n" * limit}), 201)


def test_a_declared_limit_above_the_fallback_raises_the_cap() -> None:
    schemas = [{"properties": {"a": {"type": "string", "maxLength": 9000}}}]
    assert string_cap(schemas, LIMIT) == 9000
    assert string_cap([{"properties": {"a": {"maxLength": 10}}}], LIMIT) == LIMIT


def test_token_cache_is_bounded_by_bytes_as_well_as_count() -> None:
    """Issue 12 #16: 101 tokens of 1.3 MB once grew the cache by 230 MB, never released."""
    from mockserver.engine import TOKEN_CACHE_BYTES

    app = create_app()
    runtime = app.mock.runtimes["svx"]
    sub = app.mock.dataset["personas"]["global-admin"]["sub"]
    for i in range(40):
        token = app.mock.keyring.mint({"sub": sub, "pad": f"{i}" + "x" * 200_000})
        runtime.authenticate(f"Bearer {token}")
    small = [app.mock.keyring.mint({"sub": sub, "n": i}) for i in range(200)]
    for token in small:
        runtime.authenticate(f"Bearer {token}")
    assert 0 < runtime.token_cache_bytes <= TOKEN_CACHE_BYTES
