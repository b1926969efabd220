"""SVX organisations, their admins and security rights, logos, /orgs and /me/orgs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mockserver.mocksupport import (
    MISSING,
    NO_RIGHTS,
    ORG_A1,
    ORG_ADMIN,
    ORG_B1,
    TENANT_A,
    TENANT_ADMIN,
    TENANT_B,
    Api,
    expect,
    expect_error,
    svx_items,
)

NEW_ORG = {"name": "Aurora Freight", "company_url": "https://aurora.example",
           "logo_url": "https://aurora.example/logo.png", "color": "#0a0b0c"}


def org_ids(api: Api, tenant_id: str, persona: str = "tenant-admin", **query: Any) -> set[str]:
    """Ids of a tenant's organisations (one page of 100)."""
    body = expect(api.get(f"/svx/tenants/{tenant_id}/orgs", as_=persona,
                          params={"per_page": 100, **query}), 200)
    return {o["id"] for o in body["orgs"]}


def my_org_ids(api: Api, persona: str) -> set[str]:
    """Ids of the active organisations in a persona's /me/orgs."""
    return {o["id"] for o in expect(api.get("/svx/me/orgs", as_=persona), 200)["orgs"]}


def test_create_org_appears_in_the_tenant_and_in_the_creators_orgs(api: Api) -> None:
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin", json=NEW_ORG),
                 201)["org"]
    assert org["tenant_id"] == TENANT_A and org["status"] == "active"
    assert org["name"] == NEW_ORG["name"]
    tenant = expect(api.get(f"/svx/tenants/{TENANT_A}", as_="tenant-admin"), 200)["tenant"]
    internal_org_rights = {r["name"] for r in svx_items("security_rights", for_org=True,
                                                        external=False, active=True)}
    assert set(org["security_rights"]) == internal_org_rights & set(tenant["security_rights"])
    assert org["id"] in org_ids(api, TENANT_A)
    assert org["id"] in my_org_ids(api, "tenant-admin")
    me = expect(api.get("/svx/me", as_="tenant-admin"), 200)
    assert org["id"] in {o["id"] for o in me["administered_orgs"]}
    assert expect(api.get(f"/svx/orgs/{org['id']}", as_="tenant-admin"), 200)["org"] == org


def test_create_org_without_first_user_does_not_make_the_creator_admin(api: Api) -> None:
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin", json=NEW_ORG,
                          params={"no_first_user": "true"}), 201)["org"]
    assert org["id"] in org_ids(api, TENANT_A)
    assert org["id"] not in my_org_ids(api, "tenant-admin")
    admins = expect(api.get(f"/svx/orgs/{org['id']}/admins", as_="tenant-admin"), 200)
    assert admins["admins"] == [] and admins["meta"]["total_count"] == 0


def test_create_org_with_external_rights(api: Api) -> None:
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin", json=NEW_ORG,
                          params={"add_all_external_security_rights": "true"}), 201)["org"]
    assert "svx:org:issue_credentials" in org["security_rights"]


def test_orgs_of_a_missing_tenant_are_403_without_rights_and_404_with(api: Api) -> None:
    expect_error(api.post(f"/svx/tenants/{MISSING}/orgs", as_="tenant-admin", json=NEW_ORG),
                 403)
    expect_error(api.get(f"/svx/tenants/{MISSING}/orgs", as_="global-admin"), 404)


def test_update_org(api: Api) -> None:
    org = expect(api.put(f"/svx/orgs/{ORG_A1}", as_="tenant-admin",
                         json={"name": "Harrison Mobility 2", "color": "#000000"}), 200)["org"]
    assert org["name"] == "Harrison Mobility 2" and org["tenant_id"] == TENANT_A
    got = expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)["org"]
    assert got["name"] == "Harrison Mobility 2" and got["color"] == "#000000"


BAD_URIS = [("not-a-uri", "AAA"), ("spaces", "https://a b.example/"), ("empty", "")]


@pytest.mark.parametrize("value", [c[1] for c in BAD_URIS], ids=[c[0] for c in BAD_URIS])
def test_org_urls_must_be_uris(api: Api, value: str) -> None:
    expect_error(api.put(f"/svx/orgs/{ORG_A1}", as_="tenant-admin",
                         json={"name": "x", "logo_url": value}), 400)
    expect_error(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                          json={"name": "x", "company_url": value}), 400)


def test_archive_and_restore_org(api: Api) -> None:
    archived = expect(api.post(f"/svx/orgs/{ORG_A1}/archive", as_="tenant-admin"), 200)["org"]
    assert archived["status"] == "archived" and archived["archived_at"] is not None
    assert ORG_A1 not in org_ids(api, TENANT_A)
    assert ORG_A1 in org_ids(api, TENANT_A, status="archived")
    assert ORG_A1 in org_ids(api, TENANT_A, status="all")
    mine = expect(api.get("/svx/me/orgs", as_="org-admin"), 200)
    assert ORG_A1 in {o["id"] for o in mine["archived_orgs"]}
    assert ORG_A1 not in {o["id"] for o in mine["orgs"]}
    restored = expect(api.post(f"/svx/orgs/{ORG_A1}/restore", as_="tenant-admin"), 200)["org"]
    assert restored["status"] == "active" and restored["archived_at"] is None
    assert ORG_A1 in org_ids(api, TENANT_A)


def test_delete_org_removes_its_admins_agents_deployments_and_invitations(api: Api) -> None:
    assert svx_items("deployments", org_id=ORG_A1) and svx_items("invitations", org_id=ORG_A1)
    expect(api.delete(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 204)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="global-admin"), 404)
    assert ORG_A1 not in org_ids(api, TENANT_A, status="all")
    for collection in ("org_admins", "application_agents", "deployments", "invitations"):
        assert not [i for i in api.svx[collection].values() if i["org_id"] == ORG_A1]
    # The org admin held rights on A1 only: they are gone.
    assert expect(api.get("/svx/me/security_rights", as_="org-admin"), 200)["orgs"] == []


def test_filter_by_matches_names_case_insensitively(api: Api) -> None:
    name = svx_items("orgs", tenant_id=TENANT_A, status="active")[5]["name"]
    fragment = name.split()[0][1:4].upper()
    body = expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                          params={"filter_by": fragment, "per_page": 100}), 200)
    assert body["orgs"] and all(fragment.casefold() in o["name"].casefold()
                                for o in body["orgs"])
    assert name in {o["name"] for o in body["orgs"]}


# /orgs (visibility) and /me/orgs.
VISIBLE = [
    ("global-admin-sees-every-tenant", "global-admin", {ORG_A1, ORG_B1}, set()),
    ("tenant-admin-sees-tenant-a", "tenant-admin", {ORG_A1}, {ORG_B1}),
    ("org-admin-sees-a1-only", "org-admin", {ORG_A1}, {ORG_B1}),
    ("no-rights-sees-nothing", "no-rights", set(), {ORG_A1, ORG_B1}),
]


@pytest.mark.parametrize(("persona", "seen", "unseen"), [c[1:] for c in VISIBLE],
                         ids=[c[0] for c in VISIBLE])
def test_visible_orgs(api: Api, persona: str, seen: set[str], unseen: set[str]) -> None:
    listed = {o["id"] for o in expect(api.get("/svx/orgs", as_=persona), 200)["orgs"]}
    assert seen <= listed and not unseen & listed


def test_visible_orgs_of_org_admin_are_exactly_a1(api: Api) -> None:
    assert [o["id"] for o in expect(api.get("/svx/orgs", as_="org-admin"), 200)["orgs"]] == [
        ORG_A1]


def test_visible_orgs_filtered_by_tenant(api: Api) -> None:
    body = expect(api.get("/svx/orgs", as_="global-admin", params={"tenant_id": TENANT_B}), 200)
    assert body["orgs"] and {o["tenant_id"] for o in body["orgs"]} == {TENANT_B}


def test_me_orgs_filtered_by_tenant(api: Api) -> None:
    assert my_org_ids(api, "org-admin") == {ORG_A1}
    body = expect(api.get("/svx/me/orgs", as_="org-admin", params={"tenant_id": TENANT_B}), 200)
    assert body == {"orgs": [], "archived_orgs": []}


# Org admins.
def test_list_org_admins_by_status(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/admins"
    active = expect(api.get(url, as_="org-admin", params={"per_page": 100}), 200)
    archived = expect(api.get(url, as_="org-admin",
                              params={"status": "archived", "per_page": 100}), 200)
    assert active["meta"]["total_count"] == len(svx_items("org_admins", org_id=ORG_A1,
                                                          status="active"))
    assert {a["status"] for a in archived["admins"]} == {"archived"}
    assert all(a["security_rights"] == [] for a in archived["admins"])


def test_archive_org_admin_listed_as_archived_then_restored_active(api: Api) -> None:
    victim = next(a for a in svx_items("org_admins", org_id=ORG_A1, status="active")
                  if a["id"] not in (ORG_ADMIN, TENANT_ADMIN))
    url = f"/svx/orgs/{ORG_A1}/admins/{victim['id']}"
    expect(api.post(f"{url}/archive", as_="org-admin"), 204)
    listed = expect(api.get(f"/svx/orgs/{ORG_A1}/admins", as_="org-admin",
                            params={"status": "archived", "per_page": 100}), 200)
    assert victim["id"] in {a["id"] for a in listed["admins"]}
    restored = expect(api.post(f"{url}/restore", as_="org-admin"), 200)["admin"]
    assert restored["status"] == "active"
    listed = expect(api.get(f"/svx/orgs/{ORG_A1}/admins", as_="org-admin",
                            params={"per_page": 100}), 200)
    assert victim["id"] in {a["id"] for a in listed["admins"]}


def test_archived_org_admin_loses_access_and_regains_it_on_assignment(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN}"
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)
    expect(api.post(f"{url}/archive", as_="tenant-admin"), 204)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 403)
    expect(api.post(f"{url}/restore", as_="tenant-admin"), 200)
    expect(api.post(f"{url}/security_rights", as_="tenant-admin",
                    json={"security_rights": ["atom:org:view_org"]}), 204)
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)
    rights = expect(api.get(f"{url}/security_rights", as_="tenant-admin"), 200)
    assert "atom:org:view_org" in rights["security_rights"]


def test_assign_org_rights_to_a_new_user_makes_them_org_admin(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}"
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="no-rights"), 403)
    expect(api.post(f"{url}/security_rights", as_="org-admin",
                    json={"security_rights": ["atom:org:view_org"]}), 204)
    admin = expect(api.get(url, as_="org-admin"), 200)["admin"]
    assert admin["security_rights"] == ["atom:org:view_org"] and admin["status"] == "active"
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="no-rights"), 200)
    assert my_org_ids(api, "no-rights") == {ORG_A1}
    expect(api.delete(url, as_="org-admin"), 204)
    expect_error(api.get(url, as_="org-admin"), 404)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="no-rights"), 403)


SHARED_RIGHT = {"name": "svx:org:share_with_tenant", "description": "both levels",
                "for_global": False, "for_tenant": True, "for_org": True, "external": False,
                "active": True}


def enable_shared_right(api: Api) -> str:
    """A right for_org and for_tenant, enabled for tenant A and org A1."""
    api.svx["security_rights"].put(dict(SHARED_RIGHT))
    for collection, key in (("tenants", TENANT_A), ("orgs", ORG_A1)):
        item = dict(api.svx[collection].get((key,)))
        item["security_rights"] = [*item["security_rights"], SHARED_RIGHT["name"]]
        api.svx[collection].put(item)
    return str(SHARED_RIGHT["name"])


def test_a_right_for_org_and_tenant_goes_to_the_tenant(api: Api) -> None:
    right = enable_shared_right(api)
    expect(api.post(f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights",
                    as_="tenant-admin", json={"security_rights": [right]}), 204)
    mine = expect(api.get("/svx/me/security_rights", as_="no-rights"), 200)
    assert mine["tenants"] == [{"tenant_id": TENANT_A, "security_rights": [right]}]
    assert mine["orgs"] == []


def test_an_org_admin_cannot_hand_out_a_right_that_goes_to_the_tenant(api: Api) -> None:
    right = enable_shared_right(api)
    expect_error(api.post(f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights",
                          as_="org-admin", json={"security_rights": [right]}), 403)
    assert api.svx["tenant_admins"].get((TENANT_A, NO_RIGHTS)) is None


def test_a_tenant_only_right_through_the_org_is_422(api: Api) -> None:
    expect_error(api.post(f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights",
                          as_="tenant-admin",
                          json={"security_rights": ["atom:tenant:view_tenant"]}), 422)


# Org security rights.
EXTERNAL_ORG_RIGHT = "svx:org:issue_credentials"


def test_add_and_remove_org_security_rights(api: Api) -> None:
    url = f"/svx/orgs/{ORG_A1}/security_rights"
    org = expect(api.delete(f"{url}/{EXTERNAL_ORG_RIGHT}", as_="tenant-admin"), 204)
    org = expect(api.get(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 200)["org"]
    assert EXTERNAL_ORG_RIGHT not in org["security_rights"]
    org = expect(api.post(url, as_="tenant-admin",
                          json={"security_rights": [EXTERNAL_ORG_RIGHT]}), 200)["org"]
    assert EXTERNAL_ORG_RIGHT in org["security_rights"]


def test_removing_an_org_right_revokes_it_from_its_admins(api: Api) -> None:
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)
    expect(api.delete(f"/svx/orgs/{ORG_A1}/security_rights/atom:org:view_org",
                      as_="tenant-admin"), 204)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 403)
    admin = expect(api.get(f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN}", as_="org-admin"),
                   200)["admin"]
    assert "atom:org:view_org" not in admin["security_rights"]


def test_org_rights_must_be_enabled_for_the_tenant(api: Api) -> None:
    tenant = next(t for t in svx_items("tenants")
                  if EXTERNAL_ORG_RIGHT not in t["security_rights"])
    org = svx_items("orgs", tenant_id=tenant["id"])[0]
    expect_error(api.post(f"/svx/orgs/{org['id']}/security_rights", as_="tenant-admin",
                          json={"security_rights": [EXTERNAL_ORG_RIGHT]}), 403)
    assigner = next(a for a in svx_items("tenant_admins", tenant_id=tenant["id"],
                                         status="active")
                    if "atom:tenant:assign_sr_to_org" in a["security_rights"])
    expect_error(api.post(f"/svx/orgs/{org['id']}/security_rights",
                          headers=api.bearer(assigner["id"], tenant["id"]),
                          json={"security_rights": [EXTERNAL_ORG_RIGHT]}), 422)


def test_org_logo_redirect(api: Api) -> None:
    expect(api.put(f"/svx/orgs/{ORG_A1}", as_="tenant-admin",
                   json={"name": "A1", "logo_url": "https://a1.example/l.png"}), 200)
    response = api.get(f"/svx/orgs/{ORG_A1}/logo", follow_redirects=False)
    expect(response, 302)
    assert response.headers["location"] == "https://a1.example/l.png"


MISSING_ITEMS = [
    ("get-org", "GET", f"/svx/orgs/{MISSING}"),
    ("org-logo", "GET", f"/svx/orgs/{MISSING}/logo"),
    ("get-org-admin", "GET", f"/svx/orgs/{ORG_A1}/admins/{MISSING}"),
    ("archive-org-admin", "POST", f"/svx/orgs/{ORG_A1}/admins/{MISSING}/archive"),
    ("restore-org-admin", "POST", f"/svx/orgs/{ORG_A1}/admins/{MISSING}/restore"),
    ("remove-org-admin", "DELETE", f"/svx/orgs/{ORG_A1}/admins/{MISSING}"),
    ("org-admin-rights", "GET", f"/svx/orgs/{ORG_A1}/admins/{MISSING}/security_rights"),
]


@pytest.mark.parametrize(("method", "url"), [c[1:] for c in MISSING_ITEMS],
                         ids=[c[0] for c in MISSING_ITEMS])
def test_missing_org_items_are_404(api: Api, method: str, url: str) -> None:
    expect_error(api.call(method, url, as_="global-admin"), 404)


def test_the_timestamps_of_one_write_agree(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(1000))
    monkeypatch.setattr(api.app.mock.runtimes["svx"], "now",
                        lambda: f"2026-01-01T00:00:{next(ticks):02d}Z")  # a clock that moves
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                          json={"name": "Clockwork Org"}), 201)["org"]
    assert org["inserted_at"] == org["updated_at"]
