"""The control API (/__mock), snapshots, faults, the request log, CORS and `orgkit token`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from mockserver.app import create_app
from mockserver.config import ServeConfig
from tests.mockserver.mocksupport import (
    GLOBAL_ADMIN,
    TENANT_A,
    Api,
    expect,
    expect_error,
    svx_items,
)

NEW_TENANT = {"name": "Snapshot Test Tenant"}


def control(api: Api, method: str, path: str, **kwargs: Any) -> Any:
    """A control call; its JSON answer (asserts a 2xx)."""
    response = api.client.request(method, f"/__mock{path}", **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_index_lists_the_endpoints(api: Api) -> None:
    assert "POST /__mock/reset" in control(api, "GET", "")["endpoints"]


@pytest.mark.parametrize(("route", "api_name"), [
    ("PUT /__mock/uploads/{blob_id}", "svx"),
    ("GET /__mock/blob-content/{blob_id}", "svx"),
    ("GET /__mock/logos/{org_id}", "transmit"),
    ("POST /cis/oidc/token", "transmit"),
], ids=["upload", "blob-content", "logo", "token"])
def test_index_lists_what_the_plugins_add_under_their_api(api: Api, route: str,
                                                         api_name: str) -> None:
    assert control(api, "GET", "")["endpoints"][route].startswith(f"{api_name}: ")


def test_reset_brings_the_fixtures_back(api: Api) -> None:
    created = expect(api.post("/svx/tenants", as_="global-admin", json=NEW_TENANT), 201)
    expect(api.delete(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 204)
    assert control(api, "POST", "/reset", json={}) == {"reset": True}
    expect_error(api.get(f"/svx/tenants/{created['tenant']['id']}", as_="global-admin"), 404)
    expect(api.get(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 200)


def test_snapshot_round_trip_restores_the_state_exactly(api: Api) -> None:
    expect(api.post("/svx/tenants", as_="global-admin", json=NEW_TENANT), 201)
    expect(api.post("/cis/v1/organizations", as_="management-app",
                    json={"name": "Snap Co", "domain": "snap.example",
                          "domains": ["snap.example"], "app_ids": []}), 201)
    before = control(api, "GET", "/snapshot")
    listing_before = expect(api.get("/svx/tenants", as_="global-admin",
                                    params={"per_page": 100}), 200)
    expect(api.delete(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 204)
    expect(api.post("/svx/tenants", as_="global-admin", json={"name": "After"}), 201)
    assert control(api, "GET", "/snapshot") != before
    assert control(api, "PUT", "/snapshot", json=before) == {"restored": True}
    assert control(api, "GET", "/snapshot") == before
    assert expect(api.get("/svx/tenants", as_="global-admin",
                          params={"per_page": 100}), 200) == listing_before


def test_a_snapshot_restores_into_another_mock(api: Api) -> None:
    expect(api.post("/svx/tenants", as_="global-admin", json=NEW_TENANT), 201)
    snapshot = api.app.mock.snapshot()
    other = create_app()
    other.mock.restore(snapshot)
    assert other.mock.snapshot() == snapshot


BAD_SNAPSHOTS = [("not-json", b"{"), ("wrong-format", b'{"format": "x", "apis": {}}'),
                 ("not-an-object", b"[]"),
                 ("unknown-collection",
                  b'{"format": "orgkit-snapshot/1", "apis": {"svx": {"collections": '
                  b'{"nope": []}}}}')]


@pytest.mark.parametrize("body", [c[1] for c in BAD_SNAPSHOTS], ids=[c[0] for c in BAD_SNAPSHOTS])
def test_bad_snapshots_are_400_and_change_nothing(api: Api, body: bytes) -> None:
    before = api.app.mock.snapshot()
    response = api.client.put("/__mock/snapshot", content=body,
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["message"]
    assert api.app.mock.snapshot() == before


def test_a_snapshot_that_fails_halfway_changes_nothing(api: Api) -> None:
    good = api.app.mock.snapshot()
    expect(api.delete(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 204)
    before = api.app.mock.snapshot()
    broken = {**good, "apis": {**good["apis"], "transmit": {"collections": {"nope": []}}}}
    response = api.client.put("/__mock/snapshot", json=broken)
    assert response.status_code == 400 and "transmit" in response.json()["message"]
    assert api.app.mock.snapshot() == before


def test_fixtures_get_put_and_generate(api: Api) -> None:
    loaded = control(api, "GET", "/fixtures")
    assert loaded["format"] == "orgkit-fixtures/1"
    generated = control(api, "POST", "/fixtures", json={"generate": {"seed": 7, "tenants": 3}})
    assert generated["loaded"] is True
    new_admin = generated["personas"]["global-admin"]
    assert expect(api.get("/svx/tenants", headers={"Authorization": f"Bearer {new_admin['token']}"},
                          params={"status": "all"}), 200)["meta"]["total_count"] == 3
    tenants = expect(api.get("/svx/tenants", headers=api.bearer(
        control(api, "GET", "/fixtures")["personas"]["global-admin"]["sub"]),
        params={"status": "all"}), 200)
    assert tenants["meta"]["total_count"] == 3
    control(api, "POST", "/reset", json={})
    assert expect(api.get("/svx/tenants", headers=api.bearer(
        control(api, "GET", "/fixtures")["personas"]["global-admin"]["sub"]),
        params={"status": "all"}), 200)["meta"]["total_count"] == 3, "reset keeps the new set"
    assert control(api, "PUT", "/fixtures", json=loaded) == {"loaded": True,
                                                              "format": "orgkit-fixtures/1"}
    assert expect(api.get("/svx/tenants", as_="global-admin", params={"status": "all"}),
                  200)["meta"]["total_count"] == len(svx_items("tenants"))


def test_bad_fixtures_are_400(api: Api) -> None:
    response = api.client.put("/__mock/fixtures", json={"format": "nope"})
    assert response.status_code == 400
    response = api.client.post("/__mock/fixtures", json={"generate": {"tenants": "many"}})
    assert response.status_code == 400


MINTS = [
    ("persona", {"persona": "tenant-admin"}, 200),
    ("subject-hs256", {"sub": GLOBAL_ADMIN}, 200),
    ("subject-rs256", {"sub": GLOBAL_ADMIN, "algorithm": "RS256"}, 200),
    ("short-lived", {"sub": GLOBAL_ADMIN, "ttl_seconds": 60}, 200),
    ("already-expired", {"sub": GLOBAL_ADMIN, "ttl_seconds": -60}, 401),
]


@pytest.mark.parametrize(("body", "status"), [c[1:] for c in MINTS], ids=[c[0] for c in MINTS])
def test_minted_tokens(api: Api, body: dict[str, Any], status: int) -> None:
    minted = control(api, "POST", "/tokens", json=body)
    assert minted["authorization"] == f"Bearer {minted['token']}"
    response = api.get("/svx/me", headers={"Authorization": minted["authorization"]})
    if status == 200:
        expect(response, 200)
    else:
        expect_error(response, status)


MINT_MISTAKES = [("no-subject", {"tid": TENANT_A}), ("unknown-persona", {"persona": "nobody"}),
                 ("alg-none", {"sub": GLOBAL_ADMIN, "algorithm": "none"}), ("not-object", [])]


@pytest.mark.parametrize("body", [c[1] for c in MINT_MISTAKES], ids=[c[0] for c in MINT_MISTAKES])
def test_mint_mistakes_are_400(api: Api, body: Any) -> None:
    assert api.client.post("/__mock/tokens", json=body).status_code == 400


def test_personas_file_tokens_work(api: Api) -> None:
    personas = control(api, "GET", "/personas")["personas"]
    expect(api.get("/svx/tenants", headers={
        "Authorization": f"Bearer {personas['global-admin']['token']}"}), 200)
    token_url = personas["management-app"]["client_credentials"]["token_url"]
    assert token_url == "http://testserver/cis/oidc/token"


FAULT_STATUSES = [("503", 503, "/svx/tenants", "global-admin"),
                  ("500", 500, "/svx/tenants", "global-admin"),
                  ("429", 429, "/cis/v1/organizations", "management-app"),
                  ("502-invitations", 502, "/svx/invitations", "tenant-admin")]


@pytest.mark.parametrize(("status", "url", "persona"), [c[1:] for c in FAULT_STATUSES],
                         ids=[c[0] for c in FAULT_STATUSES])
def test_error_rate_one_fails_every_call_with_the_chosen_status(api: Api, status: int, url: str,
                                                                persona: str) -> None:
    settings = control(api, "PUT", "/faults", json={"error_rate": 1.0, "error_status": status})
    assert settings["error_rate"] == 1.0 and settings["error_status"] == status
    for _ in range(3):
        expect_error(api.get(url, as_=persona), status)
    control(api, "PUT", "/faults", json={"error_rate": 0.0})
    expect(api.get(url, as_=persona), 200)


def test_faults_leave_the_control_api_alone(api: Api) -> None:
    control(api, "PUT", "/faults", json={"error_rate": 1.0})
    assert control(api, "GET", "/faults")["error_rate"] == 1.0
    assert control(api, "POST", "/reset", json={}) == {"reset": True}


def test_latency_settings_are_recorded_and_kept(api: Api) -> None:
    settings = control(api, "PUT", "/faults", json={"latency_ms": 250, "jitter_ms": 40})
    assert (settings["latency_ms"], settings["jitter_ms"]) == (250, 40)
    assert control(api, "GET", "/faults") == settings
    assert api.app.mock.faults.latency_ms == 250
    control(api, "PUT", "/faults", json={"error_status": 504})
    assert control(api, "GET", "/faults")["latency_ms"] == 250, "a PUT changes only what it names"


BAD_FAULTS = [("rate-above-one", {"error_rate": 1.5}), ("status-200", {"error_status": 200}),
              ("negative-latency", {"latency_ms": -1}), ("unknown-field", {"chaos": True})]


@pytest.mark.parametrize("body", [c[1] for c in BAD_FAULTS], ids=[c[0] for c in BAD_FAULTS])
def test_bad_fault_settings_are_400(api: Api, body: dict[str, Any]) -> None:
    before = control(api, "GET", "/faults")
    assert api.client.put("/__mock/faults", json=body).status_code == 400
    assert control(api, "GET", "/faults") == before


def test_request_log_records_calls_and_clears(api: Api) -> None:
    expect(api.get("/svx/tenants", as_="global-admin"), 200)
    expect_error(api.get("/svx/tenants"), 401)
    expect_error(api.get("/cis/v1/organizations/none", as_="management-app"), 404)
    log = control(api, "GET", "/requests")["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", "/svx/tenants", 200), ("GET", "/svx/tenants", 401),
        ("GET", "/cis/v1/organizations/none", 404)]
    assert all(e["ms"] >= 0 and e["at"].endswith("Z") for e in log)
    assert len(control(api, "GET", "/requests", params={"limit": 1})["requests"]) == 1
    assert control(api, "DELETE", "/requests") == {"cleared": True}
    assert control(api, "GET", "/requests")["requests"] == []


@pytest.mark.parametrize("limit", ["abc", "-1", "1.5"])
def test_a_bad_log_limit_is_400(api: Api, limit: str) -> None:
    response = api.client.get("/__mock/requests", params={"limit": limit})
    assert response.status_code == 400 and limit in response.json()["message"]


CONTROL_ROUTING = [("unknown-path", "GET", "/__mock/nothing", 404),
                   ("wrong-method", "DELETE", "/__mock/reset", 405)]


@pytest.mark.parametrize(("method", "path", "status"), [c[1:] for c in CONTROL_ROUTING],
                         ids=[c[0] for c in CONTROL_ROUTING])
def test_control_routing_errors_are_json(api: Api, method: str, path: str, status: int) -> None:
    response = api.client.request(method, path)
    assert response.status_code == status
    assert response.json()["http_code"] == status


def test_request_log_is_bounded() -> None:
    from starlette.testclient import TestClient

    small = create_app(ServeConfig(request_log_size=3))
    with TestClient(small) as client:
        for _ in range(5):
            client.get("/svx/version")
        assert len(client.get("/__mock/requests").json()["requests"]) == 3


# CORS.
def test_cors_preflight_from_a_local_dev_server(api: Api) -> None:
    response = api.client.options("/svx/tenants", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed


def test_cors_headers_on_actual_responses_including_errors(api: Api) -> None:
    origin = {"Origin": "http://127.0.0.1:3000"}
    ok = api.get("/svx/tenants", as_="global-admin", headers=origin)
    assert ok.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    refused = api.get("/svx/tenants", headers=origin)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert "location" in ok.headers["access-control-expose-headers"].lower()


def test_cors_refuses_foreign_origins_by_default(api: Api) -> None:
    response = api.client.options("/svx/tenants", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in response.headers
    response = api.get("/svx/tenants", as_="global-admin",
                       headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


CORS_CONFIGS = [("explicit-origin", ServeConfig(cors_origins=("https://app.example",),
                                                cors_origin_regex=None),
                 "https://app.example", True),
                ("off", ServeConfig(cors_origin_regex=None), "http://localhost:5173", False)]


@pytest.mark.parametrize(("config", "origin", "allowed"), [c[1:] for c in CORS_CONFIGS],
                         ids=[c[0] for c in CORS_CONFIGS])
def test_cors_configuration(config: ServeConfig, origin: str, allowed: bool) -> None:
    from starlette.testclient import TestClient

    with TestClient(create_app(config)) as client:
        response = client.options("/svx/tenants", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"})
        assert ("access-control-allow-origin" in response.headers) is allowed


# The CLI.
def test_orgkit_token_prints_a_token_the_mock_accepts(api: Api) -> None:
    done = subprocess.run([sys.executable, "-m", "orgkit_cli", "token", "--persona", "org-admin"],
                          capture_output=True, text=True, check=True, timeout=120)
    token = done.stdout.strip()
    me = expect(api.get("/svx/me", headers={"Authorization": f"Bearer {token}"}), 200)
    assert me["id"] == api.app.mock.dataset["personas"]["org-admin"]["sub"]


def test_orgkit_token_for_an_unknown_persona_fails_cleanly() -> None:
    done = subprocess.run([sys.executable, "-m", "orgkit_cli", "token", "--persona", "nobody"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "nobody" in done.stderr


def test_tokens_of_the_control_api_are_signed_with_the_configured_secret(api: Api) -> None:
    import jwt
    from starlette.testclient import TestClient

    from orgkit.tokens import DEFAULT_SECRET, TokenConfig

    secret = "another-secret-of-at-least-32-bytes-0001"
    with TestClient(create_app(ServeConfig(tokens=TokenConfig(secret=secret)))) as client:
        minted = [client.post("/__mock/tokens", json=body).json()["token"]
                  for body in ({"persona": "global-admin"}, {"sub": GLOBAL_ADMIN})]
        listed = client.get("/__mock/personas").json()["personas"]["global-admin"]["token"]
        for token in (*minted, listed):
            assert jwt.decode(token, secret, algorithms=["HS256"])["sub"] == GLOBAL_ADMIN
            with pytest.raises(jwt.InvalidSignatureError):
                jwt.decode(token, DEFAULT_SECRET, algorithms=["HS256"])
            assert client.get("/svx/tenants", headers={"Authorization": f"Bearer {token}"}
                              ).status_code == 200
            expect_error(api.client.get("/svx/tenants",
                                        headers={"Authorization": f"Bearer {token}"}), 401)
