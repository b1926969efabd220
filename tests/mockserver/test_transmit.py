"""Transmit organizations: token endpoint, CRUD, by name, apps, logo, managed orgs, role groups."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mockserver.mocksupport import ORG_X, PERSONAS, Api, expect, expect_error, transmit_items

ORGS = "/cis/v1/organizations"
APP = transmit_items("apps")[0]["app_id"]
OTHER_APP = transmit_items("apps")[1]["app_id"]
NEW = {"name": "Quasar Logistics", "domain": "quasar.example",
       "domains": ["quasar.example", "quasar-eu.example"], "app_ids": [APP], "enabled": True}


def token_request(persona: str, **changes: str) -> dict[str, str]:
    """The form of a client-credentials grant for a Transmit persona."""
    entry = PERSONAS[persona]
    return {"grant_type": "client_credentials", "client_id": entry["client_id"],
            "client_secret": entry["client_secret"], **changes}


def create(api: Api, **changes: Any) -> dict[str, Any]:
    """A new organization made by the management app."""
    body = expect(api.post(ORGS, as_="management-app", json={**NEW, **changes}), 201)
    org: dict[str, Any] = body["result"]
    return org


# The token endpoint.
def test_token_endpoint_issues_a_working_admin_token(api: Api) -> None:
    response = api.client.post("/cis/oidc/token", data=token_request("management-app"))
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert len(expect(api.get(ORGS, headers=headers), 200)["result"]) == len(
        transmit_items("organizations"))


def test_token_endpoint_takes_json_too(api: Api) -> None:
    response = api.client.post("/cis/oidc/token", json=token_request("readonly-app"))
    assert response.status_code == 200 and response.json()["access_token"]


TOKEN_FAILURES = [
    ("wrong-secret", {"client_secret": "nope"}, 401, "invalid_client"),
    ("unknown-client", {"client_id": "nobody"}, 401, "invalid_client"),
    ("other-grant", {"grant_type": "password"}, 400, "unsupported_grant_type"),
]


@pytest.mark.parametrize(("changes", "status", "error"), [c[1:] for c in TOKEN_FAILURES],
                         ids=[c[0] for c in TOKEN_FAILURES])
def test_token_endpoint_failures(api: Api, changes: dict[str, str], status: int,
                                 error: str) -> None:
    response = api.client.post("/cis/oidc/token", data=token_request("management-app",
                                                                     **changes))
    assert response.status_code == status and response.json()["error"] == error


def test_token_endpoint_takes_http_basic_client_authentication(api: Api) -> None:
    import base64

    entry = PERSONAS["readonly-app"]
    basic = base64.b64encode(f"{entry['client_id']}:{entry['client_secret']}".encode()).decode()
    response = api.client.post("/cis/oidc/token", data={"grant_type": "client_credentials"},
                               headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200
    token = response.json()["access_token"]
    expect(api.get(ORGS, headers={"Authorization": f"Bearer {token}"}), 200)
    wrong = base64.b64encode(f"{entry['client_id']}:nope".encode()).decode()
    response = api.client.post("/cis/oidc/token", data={"grant_type": "client_credentials"},
                               headers={"Authorization": f"Basic {wrong}"})
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")


MALFORMED_TOKEN_REQUESTS = [
    ("json-array", b"[]", "application/json"), ("broken-json", b"{", "application/json"),
    ("xml", b"<grant/>", "application/xml"),
]


@pytest.mark.parametrize(("body", "media"), [c[1:] for c in MALFORMED_TOKEN_REQUESTS],
                         ids=[c[0] for c in MALFORMED_TOKEN_REQUESTS])
def test_malformed_token_requests_are_400(api: Api, body: bytes, media: str) -> None:
    response = api.client.post("/cis/oidc/token", content=body, headers={"content-type": media})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_org_admin_token_carries_its_organization(api: Api) -> None:
    import jwt

    response = api.client.post("/cis/oidc/token", data=token_request("transmit-org-admin"))
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["token_kind"] == "org_admin" and claims["org_id"] == ORG_X
    assert set(claims["permissions"]) == set(PERSONAS["transmit-org-admin"]["permissions"])


def test_a_token_of_a_deleted_client_is_401(api: Api) -> None:
    headers = api.auth("management-app")
    api.transmit["clients"].delete((PERSONAS["management-app"]["client_id"],))
    expect_error(api.get(ORGS, headers=headers), 401)


def test_an_svx_token_is_not_a_transmit_token(api: Api) -> None:
    expect_error(api.get(ORGS, as_="global-admin"), 401)


# Organizations.
def test_create_read_update_delete(api: Api) -> None:
    org = create(api)
    assert org["name"] == NEW["name"] and org["app_ids"] == [APP]
    assert isinstance(org["created_at"], int | float)
    url = f"{ORGS}/{org['organization_id']}"
    assert expect(api.get(url, as_="readonly-app"), 200)["result"] == org
    listed = expect(api.get(ORGS, as_="readonly-app"), 200)["result"]
    assert org["organization_id"] in {o["organization_id"] for o in listed}
    updated = expect(api.put(url, as_="management-app",
                             json={"name": "Quasar 2", "enabled": False}), 200)["result"]
    assert updated["name"] == "Quasar 2" and updated["enabled"] is False
    assert updated["organization_id"] == org["organization_id"]
    expect(api.delete(url, as_="management-app"), 204)
    expect_error(api.get(url, as_="management-app"), 404)
    listed = expect(api.get(ORGS, as_="readonly-app"), 200)["result"]
    assert org["organization_id"] not in {o["organization_id"] for o in listed}


def test_names_are_unique(api: Api) -> None:
    taken = transmit_items("organizations")[3]["name"]
    expect_error(api.post(ORGS, as_="management-app", json={**NEW, "name": taken}), 409)


def test_by_name_and_name_filter(api: Api) -> None:
    org = create(api, name="Name With Spaces")
    found = expect(api.get(f"{ORGS}/name/Name With Spaces", as_="readonly-app"), 200)
    assert found["result"]["organization_id"] == org["organization_id"]
    listed = expect(api.get(ORGS, as_="readonly-app", params={"name": "Name With Spaces"}), 200)
    assert [o["organization_id"] for o in listed["result"]] == [org["organization_id"]]
    expect_error(api.get(f"{ORGS}/name/No Such Org", as_="readonly-app"), 404)


def test_add_and_remove_apps(api: Api) -> None:
    org = create(api)
    url = f"{ORGS}/{org['organization_id']}"
    expect(api.put(f"{url}/apps", as_="management-app", json={"app_ids": [OTHER_APP]}), 204)
    assert expect(api.get(url, as_="readonly-app"), 200)["result"]["app_ids"] == [APP, OTHER_APP]
    expect(api.put(f"{url}/apps", as_="management-app", json={"app_ids": [OTHER_APP]}), 204)
    assert expect(api.get(url, as_="readonly-app"), 200)["result"]["app_ids"] == [APP, OTHER_APP]
    expect(api.call("DELETE", f"{url}/apps", as_="management-app", json={"app_ids": [APP]}), 204)
    assert expect(api.get(url, as_="readonly-app"), 200)["result"]["app_ids"] == [OTHER_APP]


def test_unknown_apps_are_refused(api: Api) -> None:
    expect_error(api.put(f"{ORGS}/{ORG_X}/apps", as_="management-app",
                         json={"app_ids": ["nosuchapp"]}), 422)


def test_logo_upload_is_served_by_the_mock(api: Api) -> None:
    data = b"\x89PNG\r\n\x1a\n logo bytes"
    response = api.post(f"{ORGS}/{ORG_X}/logo", as_="management-app",
                        files={"logo": ("logo.png", data, "image/png")})
    expect(response, 202)
    org = expect(api.get(f"{ORGS}/{ORG_X}", as_="readonly-app"), 200)["result"]
    path = org["logo_url"].removeprefix("http://testserver")
    served = api.client.get(path)
    assert served.status_code == 200 and served.content == data


LOGO_PROBLEMS = [
    ("no-logo-part", {"files": {"other": ("x.txt", b"x", "text/plain")}}, 400),
    ("form-instead-of-multipart", {"data": {"logo": "x"}}, 415),
    ("empty-file", {"files": {"logo": ("logo.png", b"", "image/png")}}, 422),
    ("malformed-multipart", {"content": b"garbage",
                             "headers": {"content-type": "multipart/form-data"}}, 400),
]


@pytest.mark.parametrize(("kwargs", "status"), [c[1:] for c in LOGO_PROBLEMS],
                         ids=[c[0] for c in LOGO_PROBLEMS])
def test_logo_problems(api: Api, kwargs: dict[str, Any], status: int) -> None:
    expect_error(api.post(f"{ORGS}/{ORG_X}/logo", as_="management-app", **kwargs), status)


def test_managed_organizations(api: Api) -> None:
    url = f"{ORGS}/{ORG_X}/applications/{APP}/managed-organizations"
    before = expect(api.get(f"{ORGS}/{ORG_X}", as_="readonly-app"), 200)["result"]
    child = expect(api.post(url, as_="transmit-org-admin",
                            json={"name": "Child Co", "domain": "child.example",
                                  "domains": ["child.example"]}), 201)["result"]
    assert child["managing_organization_id"] == ORG_X and child["app_ids"] == [APP]
    parent = expect(api.get(f"{ORGS}/{ORG_X}", as_="readonly-app"), 200)["result"]
    managed = parent["managed_organizations_by_app"][APP]
    assert managed == [*before["managed_organizations_by_app"].get(APP, []),
                       child["organization_id"]]
    expect(api.get(f"{ORGS}/{child['organization_id']}", as_="readonly-app"), 200)


def managed_by_x() -> tuple[str, list[str]]:
    """An app under which organization X manages others, and their ids."""
    app_id, ids = next(iter(transmit_items("organizations", organization_id=ORG_X)[0][
        "managed_organizations_by_app"].items()))
    return app_id, list(ids)


def test_deleting_a_managed_organization_unlinks_it_from_its_manager(api: Api) -> None:
    app_id, ids = managed_by_x()
    expect(api.delete(f"{ORGS}/{ids[0]}", as_="management-app"), 204)
    parent = expect(api.get(f"{ORGS}/{ORG_X}", as_="readonly-app"), 200)["result"]
    assert parent["managed_organizations_by_app"][app_id] == ids[1:]


def test_deleting_a_manager_leaves_its_organizations_unmanaged(api: Api) -> None:
    _, ids = managed_by_x()
    expect(api.delete(f"{ORGS}/{ORG_X}", as_="management-app"), 204)
    for child in ids:
        org = expect(api.get(f"{ORGS}/{child}", as_="readonly-app"), 200)["result"]
        assert "managing_organization_id" not in org
    rest = expect(api.get(ORGS, as_="readonly-app"), 200)["result"]
    assert not [o for o in rest if ORG_X in str(o.get("managed_organizations_by_app"))]


def test_org_admin_token_is_confined_to_its_organization(api: Api) -> None:
    other = next(o for o in transmit_items("organizations") if o["organization_id"] != ORG_X)
    url = f"{ORGS}/{other['organization_id']}/applications/{APP}/managed-organizations"
    expect_error(api.post(url, as_="transmit-org-admin",
                          json={"name": "Sneaky", "domain": "s.example",
                                "domains": ["s.example"]}), 403)
    expect_error(api.get(f"{ORGS}/{ORG_X}", as_="transmit-org-admin"), 403)


def role_groups_of(app_id: str) -> list[str]:
    """Role group ids of an app in the default data set."""
    return [g["group_id"] for g in transmit_items("role_groups", app_id=app_id)]


def roles_of(app_id: str) -> list[str]:
    """Role ids of an app in the default data set."""
    return [r["role_id"] for r in transmit_items("roles", app_id=app_id)]


def test_set_and_get_role_groups(api: Api) -> None:
    org = create(api)
    base = f"/cis/v1/applications/{APP}/organizations/{org['organization_id']}"
    empty = expect(api.get(f"{base}/role-groups", as_="readonly-app"), 200)["result"]
    assert empty["role_groups"] == []
    default_roles = transmit_items("apps", app_id=APP)[0]["default_role_ids"]
    assert [r["role_id"] for r in empty["default_organization_roles"]] == default_roles
    groups = role_groups_of(APP)[:2]
    expect(api.post(f"{base}/role-groups/set", as_="management-app",
                    json={"role_group_ids": groups}), 202)
    got = expect(api.get(f"{base}/role-groups", as_="readonly-app"), 200)["result"]
    assert [g["group_id"] for g in got["role_groups"]] == groups


def test_set_and_get_roles_and_groups(api: Api) -> None:
    base = f"/cis/v1/applications/{APP}/organizations/{ORG_X}"
    groups, roles = role_groups_of(APP)[:1], roles_of(APP)[:2]
    expect(api.post(f"{base}/roles-and-groups/set", as_="management-app",
                    json={"role_group_ids": groups, "role_ids": roles}), 202)
    got = expect(api.get(f"{base}/roles-and-groups", as_="readonly-app"), 200)["result"]
    assert [g["group_id"] for g in got["role_groups"]] == groups
    assert [r["role_id"] for r in got["roles"]] == roles
    # The groups are per app: the other app's assignment is untouched.
    other = f"/cis/v1/applications/{OTHER_APP}/organizations/{ORG_X}/roles-and-groups"
    assert expect(api.get(other, as_="readonly-app"), 200)["result"]["roles"] != roles


def test_role_groups_of_another_app_are_refused(api: Api) -> None:
    base = f"/cis/v1/applications/{APP}/organizations/{ORG_X}"
    expect_error(api.post(f"{base}/role-groups/set", as_="management-app",
                          json={"role_group_ids": role_groups_of(OTHER_APP)[:1]}), 422)


MISSING = [
    ("get", "GET", f"{ORGS}/nosuchorganization0000"),
    ("update", "PUT", f"{ORGS}/nosuchorganization0000"),
    ("delete", "DELETE", f"{ORGS}/nosuchorganization0000"),
    ("apps", "PUT", f"{ORGS}/nosuchorganization0000/apps"),
    ("role-groups-of-missing-org", "GET",
     f"/cis/v1/applications/{APP}/organizations/nosuchorganization0000/role-groups"),
    ("role-groups-of-missing-app", "GET",
     f"/cis/v1/applications/nosuchapp/organizations/{ORG_X}/role-groups"),
    ("managed-of-missing-app", "POST", f"{ORGS}/{ORG_X}/applications/nosuchapp/"
     "managed-organizations"),
]
BODIES = {"PUT": {"app_ids": [APP], "name": "x"}, "POST": {**NEW, "name": "Orphan"}}


@pytest.mark.parametrize(("method", "url"), [c[1:] for c in MISSING], ids=[c[0] for c in MISSING])
def test_missing_items_are_404_in_the_transmit_shape(api: Api, method: str, url: str) -> None:
    expect_error(api.call(method, url, as_="management-app", json=BODIES.get(method)), 404)


def test_readonly_app_cannot_write(api: Api) -> None:
    expect_error(api.post(ORGS, as_="readonly-app", json=NEW), 403)
    expect_error(api.delete(f"{ORGS}/{ORG_X}", as_="readonly-app"), 403)
    expect(api.get(f"{ORGS}/{ORG_X}", as_="management-app"), 200)
