"""Single requests that used to crash or corrupt the mock: each is a clear 4xx, state intact."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import jwt
import pytest

from orgkit.tokens import DEFAULT_SECRET
from tests.mockserver.mocksupport import (
    GLOBAL_ADMIN,
    MISSING,
    Api,
    error_message,
    expect,
    expect_error,
)

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_a_numeric_string_exp_is_401_on_every_use(api: Api) -> None:
    claims = {"sub": GLOBAL_ADMIN, "exp": str(int(time.time()) + 600)}
    headers = {"Authorization": f"Bearer {jwt.encode(claims, DEFAULT_SECRET)}"}
    for _ in range(3):  # the token cache used to compare the string with a number on reuse
        body = expect_error(api.get("/svx/me", headers=headers), 401)
        assert "'exp' claim must be a number" in error_message(body)


FAULT_MISTAKES = [
    ("infinite-latency", b'{"latency_ms": Infinity}'),
    ("nan-jitter", b'{"jitter_ms": NaN}'),
    ("huge-latency", b'{"latency_ms": 1e999}'),
    ("latency-beyond-a-minute", b'{"latency_ms": 3600000}'),
    ("fractional-latency", b'{"latency_ms": 2.5}'),
    ("string-rate", b'{"error_rate": "0.5"}'),
    ("boolean-status", b'{"error_status": true}'),
    ("one-bad-of-two", b'{"error_rate": 1.0, "jitter_ms": -1}'),
    ("not-an-object", b"[]"),
    ("unknown-key", b'{"latency": 5}'),
]


@pytest.mark.parametrize("raw", [c[1] for c in FAULT_MISTAKES], ids=[c[0] for c in FAULT_MISTAKES])
def test_bad_fault_settings_are_400_and_change_nothing(api: Api, raw: bytes) -> None:
    before = api.client.get("/__mock/faults").json()
    response = api.client.put("/__mock/faults", content=raw,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["http_code"] == 400
    assert api.client.get("/__mock/faults").json() == before
    expect(api.get("/svx/me", as_="global-admin"), 200)


DEEP_TARGETS = [
    ("control-faults", "PUT", "/__mock/faults"),
    ("control-snapshot", "PUT", "/__mock/snapshot"),
    ("control-fixtures", "PUT", "/__mock/fixtures"),
    ("control-tokens", "POST", "/__mock/tokens"),
]


@pytest.mark.parametrize(("method", "path"), [c[1:] for c in DEEP_TARGETS],
                         ids=[c[0] for c in DEEP_TARGETS])
def test_deep_json_to_the_control_api_is_400(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path, content=DEEP,
                                  headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:200]
    assert "nests too deeply" in response.json()["message"]


@pytest.mark.parametrize("depth", [100_000, 65], ids=["recursion-deep", "just-over-the-limit"])
def test_deep_json_to_the_token_endpoint_is_400(api: Api, depth: int) -> None:
    body = b'{"a":' * depth + b"1" + b"}" * depth
    response = api.client.post("/cis/oidc/token", content=body,
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:200]
    assert response.json()["error"] == "invalid_request"
    assert "nest" in response.json()["error_description"]


API_BODIES = [
    ("svx-deep", "/svx/tenants", b"[" * 100_000 + b"]" * 100_000),
    ("svx-beyond-limit", "/svx/tenants", b'{"name": ' + b"[" * 70 + b"]" * 70 + b"}"),
    ("svx-infinity", "/svx/tenants", b'{"name": "x", "color": Infinity}'),
    ("transmit-nan", "/cis/v1/organizations",
     b'{"name": "n", "domain": "d", "domains": [], "app_ids": [], "enabled": NaN}'),
]


@pytest.mark.parametrize(("path", "raw"), [c[1:] for c in API_BODIES],
                         ids=[c[0] for c in API_BODIES])
def test_unreadable_api_bodies_are_400_in_the_api_shape(api: Api, path: str, raw: bytes) -> None:
    persona = "global-admin" if path.startswith("/svx") else "management-app"
    response = api.post(path, as_=persona, content=raw,
                        headers={"Content-Type": "application/json"})
    expect_error(response, 400)


def test_persona_tokens_honour_ttl_seconds(api: Api) -> None:
    minted = api.client.post("/__mock/tokens", json={"persona": "tenant-admin",
                                                      "ttl_seconds": 120}).json()
    claims = jwt.decode(minted["token"], DEFAULT_SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 120
    expired = api.client.post("/__mock/tokens", json={"persona": "tenant-admin",
                                                       "ttl_seconds": -60}).json()
    expect_error(api.get("/svx/me", headers={"Authorization": expired["authorization"]}), 401)


CONTROL_MISTAKES: list[tuple[str, str, str, Any, str]] = [
    ("generate-unknown-key", "POST", "/__mock/fixtures", {"generate": {"tenant": 3}},
     "unknown generate options ['tenant']; known: ["),
    ("generate-string-size", "POST", "/__mock/fixtures", {"generate": {"tenants": "many"}},
     "generate.tenants must be a whole number"),
    ("token-string-ttl", "POST", "/__mock/tokens", {"sub": GLOBAL_ADMIN, "ttl_seconds": "1h"},
     "ttl_seconds must be a whole number"),
    ("token-persona-object", "POST", "/__mock/tokens", {"persona": {"a": 1}},
     "send a persona name alone"),
    ("token-bad-algorithm", "POST", "/__mock/tokens", {"sub": GLOBAL_ADMIN, "algorithm": 5},
     "algorithm must be one of"),
]


@pytest.mark.parametrize(("method", "path", "body", "message"), [c[1:] for c in CONTROL_MISTAKES],
                         ids=[c[0] for c in CONTROL_MISTAKES])
def test_control_errors_say_what_is_known_without_internals(
        api: Api, method: str, path: str, body: Any, message: str) -> None:
    response = api.client.request(method, path, json=body)
    assert response.status_code == 400, response.text
    text = response.json()["message"]
    assert text.startswith(message)
    assert "__init__" not in text and "keyword argument" not in text


def _tenant_name_infinity(snapshot: dict[str, Any]) -> bytes:
    snapshot["apis"]["svx"]["collections"]["tenants"][0]["name"] = "@INF@"
    return json.dumps(snapshot).replace('"@INF@"', "Infinity").encode()


def _admin_rights_five(snapshot: dict[str, Any]) -> bytes:
    admins = snapshot["apis"]["svx"]["collections"]["global_admins"]
    next(a for a in admins if a["id"] == GLOBAL_ADMIN)["security_rights"] = 5
    return json.dumps(snapshot).encode()


def _org_id_twice(snapshot: dict[str, Any]) -> bytes:
    orgs = snapshot["apis"]["svx"]["collections"]["orgs"]
    other = next(o for o in orgs if o["tenant_id"] != orgs[0]["tenant_id"])
    orgs.append({**other, "id": orgs[0]["id"]})
    return json.dumps(snapshot).encode()


def _org_of_no_tenant(snapshot: dict[str, Any]) -> bytes:
    snapshot["apis"]["svx"]["collections"]["orgs"][0]["tenant_id"] = MISSING
    return json.dumps(snapshot).encode()


def _key_with_separator(snapshot: dict[str, Any]) -> bytes:
    snapshot["apis"]["transmit"]["collections"]["organizations"][0]["organization_id"] = "a\x1fb"
    return json.dumps(snapshot).encode()


def _unknown_collection(snapshot: dict[str, Any]) -> bytes:
    snapshot["apis"]["svx"]["collections"]["widgets"] = []
    return json.dumps(snapshot).encode()


SNAPSHOT_MISTAKES = [
    ("tenant-named-infinity", _tenant_name_infinity, "not standard JSON"),
    ("admin-rights-five", _admin_rights_five, "security_rights"),
    ("org-id-twice", _org_id_twice, "has the same id as item"),
    ("org-of-no-tenant", _org_of_no_tenant, "tenant_id"),
    ("key-with-separator", _key_with_separator, "without control characters"),
    ("unknown-collection", _unknown_collection, "unknown collections ['widgets']"),
]


@pytest.mark.parametrize(("spoil", "message"), [c[1:] for c in SNAPSHOT_MISTAKES],
                         ids=[c[0] for c in SNAPSHOT_MISTAKES])
def test_unfit_snapshots_are_400_and_change_nothing(api: Api, spoil: Any, message: str) -> None:
    before = api.client.get("/__mock/snapshot").json()
    response = api.client.put("/__mock/snapshot", content=spoil(copy.deepcopy(before)),
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    assert message in response.json()["message"]
    assert api.client.get("/__mock/snapshot").json() == before
    expect(api.get("/svx/me", as_="global-admin"), 200)
    expect(api.get("/svx/tenants", as_="global-admin"), 200)


def test_unfit_data_sets_are_400_and_change_nothing(api: Api) -> None:
    dataset = copy.deepcopy(api.client.get("/__mock/fixtures").json())
    dataset["svx"]["org_admins"][0]["security_rights"] = 5
    before = api.client.get("/__mock/snapshot").json()
    response = api.client.put("/__mock/fixtures", json=dataset)
    assert response.status_code == 400, response.text[:300]
    assert "security_rights" in response.json()["message"]
    assert api.client.get("/__mock/snapshot").json() == before


def test_a_snapshot_round_trips(api: Api) -> None:
    snapshot = api.client.get("/__mock/snapshot").json()
    assert api.client.put("/__mock/snapshot", json=snapshot).status_code == 200
    assert api.client.get("/__mock/snapshot").json() == snapshot
