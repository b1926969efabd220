"""Ids are the server's: a body never chooses or breaks the key of what a create stores.

Regression tests for issue 12 item 1: `createOrg` and Transmit `createOrganization` stored an
`id` / `organization_id` the request schema does not declare, so an id holding the store's key
separator (U+001F) made lists answer 500, odd ids made unreachable items, and an id equal to
another tenant's org answered 409 (telling the caller that it exists). Read-only fields of the
item (`status`, timestamps, `security_rights`, the parent) cannot be set through a body either.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.mockserver.mocksupport import (
    ORG_B1,
    TENANT_A,
    TENANT_B,
    Api,
    expect,
    expect_error,
    transmit_items,
)

ORGS = "/cis/v1/organizations"
APP = transmit_items("apps")[0]["app_id"]
OTHER_ORG = transmit_items("organizations")[0]["organization_id"]
SVX_ORG = {"name": "Keystone Depot"}
TRANSMIT_ORG = {"name": "Keystone Depot", "domain": "keystone.example",
                "domains": ["keystone.example"], "app_ids": [APP]}
# 4,000 characters: long, yet under the mock's 4,096-character string limit (a longer body string
# is refused with 400 before anything is stored: tests/mockserver/test_limits.py).
ODD_IDS = ["evil\x1fid", "../../x", "5", "x" * 4_000, ORG_B1]
ODD_ID_NAMES = ["key-separator", "dot-segments", "digit", "4k-chars", "another-tenants-org"]


def create_svx_org(api: Api, **extra: Any) -> dict[str, Any]:
    """An org created in tenant A by its admin, with extra body fields."""
    body = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                           json={**SVX_ORG, **extra}), 201)
    org: dict[str, Any] = body["org"]
    return org


def create_transmit_org(api: Api, **extra: Any) -> dict[str, Any]:
    """An organization created by the management app, with extra body fields."""
    body = expect(api.post(ORGS, as_="management-app", json={**TRANSMIT_ORG, **extra}), 201)
    org: dict[str, Any] = body["result"]
    return org


@pytest.mark.parametrize("odd", ODD_IDS, ids=ODD_ID_NAMES)
def test_create_org_ignores_a_body_id(api: Api, odd: str) -> None:
    org = create_svx_org(api, id=odd)
    assert org["id"] != odd
    assert expect(api.get(f"/svx/orgs/{org['id']}", as_="tenant-admin"), 200)["org"] == org
    listed = expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                            params={"per_page": 100, "filter_by": SVX_ORG["name"]}), 200)
    assert org["id"] in {o["id"] for o in listed["orgs"]}
    expect(api.get("/svx/me", as_="tenant-admin"), 200)
    expect(api.get("/svx/orgs", as_="global-admin"), 200)


@pytest.mark.parametrize("odd", [*ODD_IDS[:4], OTHER_ORG], ids=[*ODD_ID_NAMES[:4], "existing"])
def test_create_organization_ignores_a_body_organization_id(api: Api, odd: str) -> None:
    org = create_transmit_org(api, organization_id=odd)
    assert org["organization_id"] != odd
    read = expect(api.get(f"{ORGS}/{org['organization_id']}", as_="management-app"), 200)
    assert read["result"]["organization_id"] == org["organization_id"]
    listed = expect(api.get(ORGS, as_="management-app"), 200)["result"]
    assert org["organization_id"] in {o["organization_id"] for o in listed}


def test_create_managed_organization_ignores_a_body_organization_id(api: Api) -> None:
    body = {"name": "Keystone Child", "domain": "child.keystone.example",
            "domains": ["child.keystone.example"], "organization_id": "evil\x1fchild"}
    child = expect(api.post(f"{ORGS}/{OTHER_ORG}/applications/{APP}/managed-organizations",
                            as_="management-app", json=body), 201)["result"]
    assert child["organization_id"] != body["organization_id"]
    expect(api.get(ORGS, as_="management-app"), 200)


READ_ONLY = {"status": "archived", "inserted_at": "2001-02-03T04:05:06Z",
             "updated_at": "2001-02-03T04:05:06Z", "tenant_id": TENANT_B,
             "security_rights": ["atom:global:create_tenant"],
             "archived_at": "2001-02-03T04:05:06Z"}


def test_create_org_does_not_store_read_only_fields(api: Api) -> None:
    org = create_svx_org(api, **READ_ONLY)
    stored = expect(api.get(f"/svx/orgs/{org['id']}", as_="tenant-admin"), 200)["org"]
    for field, value in READ_ONLY.items():
        assert stored.get(field) != value, field
    assert stored["tenant_id"] == TENANT_A and stored["status"] == "active"


def test_update_org_does_not_store_read_only_fields(api: Api) -> None:
    org = create_svx_org(api)
    expect(api.put(f"/svx/orgs/{org['id']}", as_="tenant-admin",
                   json={**SVX_ORG, "id": "evil\x1fid", **READ_ONLY}), 200)
    stored = expect(api.get(f"/svx/orgs/{org['id']}", as_="tenant-admin"), 200)["org"]
    for field, value in READ_ONLY.items():
        assert stored.get(field) != value, field


def test_create_organization_does_not_store_read_only_fields(api: Api) -> None:
    injected = {"created_at": 981173106000, "updated_at": 981173106000,
                "logo_url": "https://evil.example/logo.png",
                "managing_organization_id": OTHER_ORG}
    org = create_transmit_org(api, **injected)
    stored = expect(api.get(f"{ORGS}/{org['organization_id']}", as_="management-app"),
                    200)["result"]
    for field, value in injected.items():
        assert stored.get(field) != value, field


def test_create_tenant_takes_the_declared_id_and_refuses_an_odd_one(api: Api) -> None:
    """TenantInput declares `id` (seed: "optional. If missing, ATOM will choose a random UUID")."""
    chosen = "5d0a6e0c-2f7e-4c35-9a53-1b8b1f6a7d10"
    tenant = expect(api.post("/svx/tenants", as_="global-admin",
                             json={"name": "Chosen", "id": chosen}), 201)["tenant"]
    assert tenant["id"] == chosen
    expect_error(api.post("/svx/tenants", as_="global-admin",
                          json={"name": "Odd", "id": "evil\x1fid"}), 400)
    expect(api.get("/svx/tenants", as_="global-admin", params={"per_page": 100}), 200)
