"""SVX deployments, application agents, versions and the alive probe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mockserver.mocksupport import (
    MISSING,
    ORG_A1,
    ORG_B1,
    Api,
    expect,
    expect_error,
    svx_items,
)

AGENT = {"application": {"name": "Ledger sync", "description": "Pushes entries"}}
A1 = {"Meeco-Organisation-Id": ORG_A1}


def deployment_ids(api: Api, org_id: str, persona: str = "org-admin") -> set[str]:
    """Instance ids of an organisation's deployments (one page of 100)."""
    body = expect(api.get(f"/svx/orgs/{org_id}/deployments", as_=persona,
                          params={"per_page": 100}), 200)
    assert body["meta"]["total_count"] == len(body["deployments"])
    return {d["instance_id"] for d in body["deployments"]}


def test_list_deployments_of_an_org(api: Api) -> None:
    assert deployment_ids(api, ORG_A1) == {d["instance_id"]
                                           for d in svx_items("deployments", org_id=ORG_A1)}


def test_create_get_delete_deployment(api: Api) -> None:
    created = expect(api.post(f"/svx/orgs/{ORG_A1}/deployments", as_="org-admin",
                              json={"description": "pilot", "version_series": "0.2"}), 201)
    instance = created["instance_id"]
    assert instance in deployment_ids(api, ORG_A1)
    got = expect(api.get(f"/svx/deployments/{instance}", as_="org-admin"), 200)
    assert got["instance_id"] == instance and got["org_id"] == ORG_A1
    assert got["description"] == "pilot"
    expect(api.delete(f"/svx/deployments/{instance}", as_="org-admin"), 204)
    expect_error(api.get(f"/svx/deployments/{instance}", as_="global-admin"), 404)
    # Gone, it belongs to no org: org rights no longer reach it (as for another tenant's).
    expect_error(api.get(f"/svx/deployments/{instance}", as_="org-admin"), 403)
    assert instance not in deployment_ids(api, ORG_A1)


def test_create_deployment_without_a_body(api: Api) -> None:
    created = expect(api.post(f"/svx/orgs/{ORG_A1}/deployments", as_="tenant-admin"), 201)
    expect(api.get(f"/svx/deployments/{created['instance_id']}", as_="tenant-admin"), 200)


MEMBERSHIP = [
    ("org-admin-of-a1", "org-admin", ORG_A1, 200),
    ("tenant-admin-through-the-tenant", "tenant-admin", ORG_A1, 200),
    ("global-admin-through-any-global-right", "global-admin", ORG_B1, 200),
    ("org-admin-of-another-org", "org-admin", ORG_B1, 403),
    ("other-tenant", "other-tenant-admin", ORG_A1, 403),
    ("no-rights", "no-rights", ORG_A1, 403),
]


@pytest.mark.parametrize(("persona", "org_id", "status"), [c[1:] for c in MEMBERSHIP],
                         ids=[c[0] for c in MEMBERSHIP])
def test_deployments_need_membership(api: Api, persona: str, org_id: str, status: int) -> None:
    instance = svx_items("deployments", org_id=org_id)[0]["instance_id"]
    for response in (api.get(f"/svx/orgs/{org_id}/deployments", as_=persona),
                     api.get(f"/svx/deployments/{instance}", as_=persona)):
        if status == 200:
            expect(response, 200)
        else:
            expect_error(response, status)


def test_missing_deployments(api: Api) -> None:
    expect_error(api.get("/svx/deployments/nope-nope", as_="global-admin"), 404)
    expect_error(api.delete("/svx/deployments/nope-nope", as_="global-admin"), 404)
    expect_error(api.get(f"/svx/orgs/{MISSING}/deployments", as_="global-admin"), 404)


# Application agents (scoped by the Meeco-Organisation-Id header).
def agents(api: Api, persona: str = "org-admin",
           headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The application agents of an organisation."""
    body = expect(api.get("/svx/applications", as_=persona, headers=headers or A1), 200)
    found: list[dict[str, Any]] = body["applications"]
    return found


def test_list_agents_of_the_header_org(api: Api) -> None:
    assert {a["id"] for a in agents(api)} == {
        a["id"] for a in svx_items("application_agents", org_id=ORG_A1)}


def test_agent_crud(api: Api) -> None:
    created = expect(api.post("/svx/applications", as_="org-admin", headers=A1, json=AGENT),
                     201)["application"]
    assert created["name"] == "Ledger sync" and created["org_id"] == ORG_A1
    assert created["id"] in {a["id"] for a in agents(api)}
    url = f"/svx/applications/{created['id']}"
    assert expect(api.get(url, as_="org-admin", headers=A1), 200)["application"] == created
    updated = expect(api.put(url, as_="org-admin", headers=A1,
                             json={"application": {"name": "Ledger sync 2"}}), 200)
    assert updated["application"]["name"] == "Ledger sync 2"
    assert updated["application"]["id"] == created["id"]
    expect(api.delete(url, as_="org-admin", headers=A1), 204)
    expect_error(api.get(url, as_="org-admin", headers=A1), 404)
    assert created["id"] not in {a["id"] for a in agents(api)}


def test_an_agent_is_only_found_under_its_own_org(api: Api) -> None:
    agent = svx_items("application_agents", org_id=ORG_A1)[0]
    other = {"Meeco-Organisation-Id": ORG_B1}
    expect_error(api.get(f"/svx/applications/{agent['id']}", as_="global-admin",
                         headers=other), 404)


AGENT_HEADERS = [
    ("missing", {}, 400),
    ("not-a-uuid", {"Meeco-Organisation-Id": "A1"}, 400),
    ("unknown-org", {"Meeco-Organisation-Id": MISSING}, 404),
]


@pytest.mark.parametrize(("headers", "status"), [c[1:] for c in AGENT_HEADERS],
                         ids=[c[0] for c in AGENT_HEADERS])
def test_agent_org_header_problems(api: Api, headers: dict[str, str], status: int) -> None:
    expect_error(api.get("/svx/applications", as_="global-admin", headers=headers), status)
    expect_error(api.post("/svx/applications", as_="global-admin", headers=headers,
                          json=AGENT), status)


def test_agents_need_membership(api: Api) -> None:
    expect_error(api.get("/svx/applications", as_="other-tenant-admin", headers=A1), 403)
    expect_error(api.post("/svx/applications", as_="no-rights", headers=A1, json=AGENT), 403)


# Versions and the alive probe (public).
VERSIONS = [("platform", "/svx/version", "svx-platform"), ("atom", "/svx/atom/version", "atom"),
            ("utilities", "/svx/utilities/version", "svx-utilities")]


@pytest.mark.parametrize(("url", "component"), [c[1:] for c in VERSIONS],
                         ids=[c[0] for c in VERSIONS])
def test_versions_are_public_and_name_their_component(api: Api, url: str,
                                                      component: str) -> None:
    body = expect(api.get(url), 200)
    assert body["component"]["name"] == component
    assert body["component"]["version"] == api.app.mock.runtimes["svx"].model.version


def test_alive(api: Api) -> None:
    response = api.get("/svx/alive/platform")
    expect(response, 200)
    assert response.content == b""
