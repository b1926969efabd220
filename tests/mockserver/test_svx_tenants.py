"""SVX tenants: create, read, list, update, archive/restore, delete (with its cascade), rights."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mockserver.mocksupport import (
    GLOBAL_ADMIN,
    MISSING,
    ORG_A1,
    TENANT_A,
    TENANT_ADMIN,
    TENANT_B,
    Api,
    expect,
    expect_error,
    svx_items,
)

NEW_TENANT = {"name": "Zephyr Holdings", "legal_name": "Zephyr Holdings Ltd",
              "logo_url": "https://zephyr.example/logo.png", "color": "#123456"}


def all_tenants(api: Api, **query: Any) -> list[dict[str, Any]]:
    """Every tenant of a listing, following the cursor."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"per_page": 100, **query}
    while True:
        body = expect(api.get("/svx/tenants", as_="global-admin", params=params), 200)
        found += body["tenants"]
        if body["next_page_after"] is None:
            return found
        params = {**query, "per_page": 100, "next_page_after": body["next_page_after"]}


def test_create_tenant_appears_in_list_and_get_and_makes_the_creator_its_admin(
        api: Api) -> None:
    created = expect(api.post("/svx/tenants", as_="global-admin", json=NEW_TENANT), 201)
    tenant = created["tenant"]
    assert tenant["name"] == NEW_TENANT["name"] and tenant["status"] == "active"
    assert tenant["logo_url"] == NEW_TENANT["logo_url"]
    assert any(r.startswith("atom:tenant:") for r in tenant["security_rights"])
    assert tenant["id"] in {t["id"] for t in all_tenants(api)}
    got = expect(api.get(f"/svx/tenants/{tenant['id']}", as_="global-admin"), 200)
    assert got["tenant"] == tenant
    me = expect(api.get("/svx/me", as_="global-admin"), 200)
    assert tenant["id"] in {t["id"] for t in me["administered_tenants"]}


EXTERNAL = [("without", "false", False), ("with", "true", True)]


@pytest.mark.parametrize(("flag", "external"), [c[1:] for c in EXTERNAL],
                         ids=[c[0] for c in EXTERNAL])
def test_create_tenant_external_rights_only_on_request(api: Api, flag: str,
                                                       external: bool) -> None:
    tenant = expect(api.post("/svx/tenants", as_="global-admin", json=NEW_TENANT,
                             params={"with_external_security_rights": flag}), 201)["tenant"]
    externals = {r["name"] for r in svx_items("security_rights", external=True)}
    assert bool(externals & set(tenant["security_rights"])) is external


def test_create_tenant_with_a_taken_id_is_409(api: Api) -> None:
    body = expect_error(api.post("/svx/tenants", as_="global-admin",
                                 json={**NEW_TENANT, "id": TENANT_A}), 409)
    assert TENANT_A in body["message"]


def test_create_tenant_with_a_chosen_id_keeps_it(api: Api) -> None:
    chosen = "5f1f0a4e-1c1d-4c3a-9d8e-0a1b2c3d4e5f"
    tenant = expect(api.post("/svx/tenants", as_="global-admin",
                             json={**NEW_TENANT, "id": chosen}), 201)["tenant"]
    assert tenant["id"] == chosen


def test_update_tenant_changes_fields_and_keeps_id(api: Api) -> None:
    body = {"name": "Renamed Bank", "color": "#abcdef"}
    updated = expect(api.put(f"/svx/tenants/{TENANT_A}", as_="global-admin", json=body), 200)
    assert updated["tenant"]["name"] == "Renamed Bank"
    assert updated["tenant"]["id"] == TENANT_A
    got = expect(api.get(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 200)["tenant"]
    assert got["name"] == "Renamed Bank" and got["color"] == "#abcdef"


def test_archive_and_restore_tenant_move_it_between_status_filters(api: Api) -> None:
    archived = expect(api.post(f"/svx/tenants/{TENANT_B}/archive", as_="global-admin"), 200)
    assert archived["tenant"]["status"] == "archived"
    assert archived["tenant"]["archived_at"] is not None
    assert TENANT_B not in {t["id"] for t in all_tenants(api)}
    assert TENANT_B in {t["id"] for t in all_tenants(api, status="archived")}
    restored = expect(api.post(f"/svx/tenants/{TENANT_B}/restore", as_="global-admin"), 200)
    assert restored["tenant"]["status"] == "active"
    assert restored["tenant"]["archived_at"] is None
    assert TENANT_B in {t["id"] for t in all_tenants(api)}


def test_status_all_lists_active_and_archived(api: Api) -> None:
    everything = all_tenants(api, status="all")
    assert {t["status"] for t in everything} == {"active", "archived"}
    assert len(everything) == len(svx_items("tenants"))


def test_delete_tenant_removes_it_its_orgs_and_their_admins(api: Api) -> None:
    orgs = {o["id"] for o in svx_items("orgs", tenant_id=TENANT_A)}
    assert ORG_A1 in orgs
    expect(api.delete(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 204)
    expect_error(api.get(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 404)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="global-admin"), 404)
    assert not [o for o in api.svx["orgs"].values() if o["tenant_id"] == TENANT_A]
    assert not [a for a in api.svx["org_admins"].values() if a["org_id"] in orgs]
    assert not [a for a in api.svx["tenant_admins"].values() if a["tenant_id"] == TENANT_A]
    assert svx_items("invitations", tenant_id=TENANT_A)
    assert not [i for i in api.svx["invitations"].values() if i["tenant_id"] == TENANT_A]
    # The tenant admin's rights went with the records.
    expect_error(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin"), 403)
    mine = expect(api.get("/svx/me/security_rights", as_="tenant-admin"), 200)
    assert mine["tenants"] == [] and mine["orgs"] == []


def test_tenant_logo_redirects_to_its_logo_url(api: Api) -> None:
    expect(api.put(f"/svx/tenants/{TENANT_A}", as_="global-admin",
                   json={"name": "A", "logo_url": "https://a.example/logo.svg"}), 200)
    response = api.get(f"/svx/tenants/{TENANT_A}/logo", follow_redirects=False)
    expect(response, 302)
    assert response.headers["location"] == "https://a.example/logo.svg"


def test_tenant_logo_of_a_tenant_without_one_is_404(api: Api) -> None:
    tenant = next(t for t in svx_items("tenants") if not t.get("logo_url"))
    expect_error(api.get(f"/svx/tenants/{tenant['id']}/logo", follow_redirects=False), 404)


# Tenant security rights: enable, disable (and revoke them from admins below).
EXTERNAL_TENANT_RIGHT = "svx:tenant:manage_branding"


def test_add_tenant_security_rights_enables_them(api: Api) -> None:
    tenant = next(t for t in svx_items("tenants")
                  if EXTERNAL_TENANT_RIGHT not in t["security_rights"])
    body = expect(api.post(f"/svx/tenants/{tenant['id']}/security_rights", as_="global-admin",
                           json={"security_rights": [EXTERNAL_TENANT_RIGHT]}), 200)
    assert EXTERNAL_TENANT_RIGHT in body["tenant"]["security_rights"]


def test_remove_tenant_security_right_revokes_it_from_tenant_admins(api: Api) -> None:
    right = "atom:tenant:view_tenant"
    expect(api.get(f"/svx/tenants/{TENANT_A}", as_="tenant-admin"), 200)
    expect(api.delete(f"/svx/tenants/{TENANT_A}/security_rights/{right}",
                      as_="global-admin"), 204)
    tenant = expect(api.get(f"/svx/tenants/{TENANT_A}", as_="global-admin"), 200)["tenant"]
    assert right not in tenant["security_rights"]
    expect_error(api.get(f"/svx/tenants/{TENANT_A}", as_="tenant-admin"), 403)


UNKNOWN_RIGHTS = [
    ("unknown-name", "atom:tenant:does_not_exist"),
    ("inactive", "atom:org:export_audit_log"),
]


@pytest.mark.parametrize("right", [c[1] for c in UNKNOWN_RIGHTS],
                         ids=[c[0] for c in UNKNOWN_RIGHTS])
def test_unknown_or_inactive_tenant_rights_are_422(api: Api, right: str) -> None:
    expect_error(api.post(f"/svx/tenants/{TENANT_A}/security_rights", as_="global-admin",
                          json={"security_rights": [right]}), 422)
    expect_error(api.delete(f"/svx/tenants/{TENANT_A}/security_rights/{right}",
                            as_="global-admin"), 422)


# Tenant admins: list, get, archive, restore, remove, assign rights.
def test_list_tenant_admins_filters_by_status_and_email(api: Api) -> None:
    url = f"/svx/tenants/{TENANT_A}/admins"
    active = expect(api.get(url, as_="tenant-admin", params={"per_page": 100}), 200)
    archived = expect(api.get(url, as_="tenant-admin",
                              params={"status": "archived", "per_page": 100}), 200)
    assert {a["status"] for a in active["admins"]} == {"active"}
    assert {a["status"] for a in archived["admins"]} == {"archived"}
    assert active["meta"]["total_count"] + archived["meta"]["total_count"] == len(
        svx_items("tenant_admins", tenant_id=TENANT_A))
    someone = active["admins"][3]
    by_email = expect(api.get(url, as_="tenant-admin", params={"email": someone["email"]}), 200)
    assert [a["id"] for a in by_email["admins"]] == [someone["id"]]


def test_archive_then_restore_tenant_admin(api: Api) -> None:
    victim = next(a for a in svx_items("tenant_admins", tenant_id=TENANT_A, status="active")
                  if a["id"] != TENANT_ADMIN)
    url = f"/svx/tenants/{TENANT_A}/admins/{victim['id']}"
    expect(api.post(f"{url}/archive", as_="tenant-admin"), 204)
    archived = expect(api.get(url, as_="tenant-admin"), 200)["admin"]
    assert archived["status"] == "archived" and archived["archived_at"] is not None
    listed = expect(api.get(f"/svx/tenants/{TENANT_A}/admins", as_="tenant-admin",
                            params={"status": "archived", "per_page": 100}), 200)
    assert victim["id"] in {a["id"] for a in listed["admins"]}
    restored = expect(api.post(f"{url}/restore", as_="tenant-admin"), 200)["admin"]
    assert restored["status"] == "active" and restored["archived_at"] is None


def test_archiving_a_tenant_admin_takes_their_rights(api: Api) -> None:
    expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin"), 200)
    expect(api.post(f"/svx/tenants/{TENANT_A}/admins/{TENANT_ADMIN}/archive",
                    as_="global-admin"), 204)
    expect_error(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin"), 403)


def test_assigning_tenant_rights_turns_403_into_200(api: Api) -> None:
    url = f"/svx/tenants/{TENANT_A}"
    expect_error(api.get(url, as_="no-rights"), 403)
    no_rights = api.app.mock.dataset["personas"]["no-rights"]["sub"]
    expect(api.post(f"{url}/admins/{no_rights}/security_rights", as_="tenant-admin",
                    json={"security_rights": ["atom:tenant:view_tenant"]}), 204)
    expect(api.get(url, as_="no-rights"), 200)
    rights = expect(api.get("/svx/me/security_rights", as_="no-rights"), 200)
    assert rights["tenants"] == [{"tenant_id": TENANT_A,
                                  "security_rights": ["atom:tenant:view_tenant"]}]
    expect(api.delete(f"{url}/admins/{no_rights}", as_="tenant-admin"), 204)
    expect_error(api.get(url, as_="no-rights"), 403)


def test_assigning_a_right_the_tenant_lacks_is_422(api: Api) -> None:
    tenant = next(t for t in svx_items("tenants")
                  if EXTERNAL_TENANT_RIGHT not in t["security_rights"])
    admins = [a for a in svx_items("tenant_admins", tenant_id=tenant["id"], status="active")]
    assigner = next(a for a in admins
                    if "atom:tenant:assign_tenant_sr_to_tenant_admin" in a["security_rights"])
    target = next(a for a in admins if a["id"] != assigner["id"])
    url = f"/svx/tenants/{tenant['id']}/admins/{target['id']}/security_rights"
    expect_error(api.post(url, headers=api.bearer(assigner["id"], tenant["id"]),
                          json={"security_rights": [EXTERNAL_TENANT_RIGHT]}), 422)


MISSING_ITEMS = [
    ("get-tenant", "GET", f"/svx/tenants/{MISSING}"),
    ("update-tenant", "PUT", f"/svx/tenants/{MISSING}"),
    ("delete-tenant", "DELETE", f"/svx/tenants/{MISSING}"),
    ("archive-tenant", "POST", f"/svx/tenants/{MISSING}/archive"),
    ("restore-tenant", "POST", f"/svx/tenants/{MISSING}/restore"),
    ("tenant-logo", "GET", f"/svx/tenants/{MISSING}/logo"),
    ("tenant-orgs", "GET", f"/svx/tenants/{MISSING}/orgs"),
    ("get-tenant-admin", "GET", f"/svx/tenants/{TENANT_A}/admins/{MISSING}"),
    ("archive-tenant-admin", "POST", f"/svx/tenants/{TENANT_A}/admins/{MISSING}/archive"),
    ("remove-tenant-admin", "DELETE", f"/svx/tenants/{TENANT_A}/admins/{MISSING}"),
]


@pytest.mark.parametrize(("method", "url"), [c[1:] for c in MISSING_ITEMS],
                         ids=[c[0] for c in MISSING_ITEMS])
def test_missing_tenant_items_are_404(api: Api, method: str, url: str) -> None:
    persona = "tenant-admin" if "/admins/" in url else "global-admin"
    body = {"name": "x"} if method == "PUT" else None
    expect_error(api.call(method, url, as_=persona, json=body), 404)


def test_global_admin_is_not_a_tenant_admin(api: Api) -> None:
    assert GLOBAL_ADMIN not in {a["id"] for a in svx_items("tenant_admins", tenant_id=TENANT_A)}
    expect_error(api.get(f"/svx/tenants/{TENANT_A}/admins", as_="global-admin"), 403)
