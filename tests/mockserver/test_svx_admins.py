"""SVX global admins and their rights, the rights catalogue, /me, and escalation refusals."""

from __future__ import annotations

import pytest
from orgkit_fixtures.personas import svx_rights_of

from tests.mockserver.mocksupport import (
    DATASET,
    GLOBAL_ADMIN,
    MISSING,
    NO_RIGHTS,
    ORG_A1,
    ORG_ADMIN,
    PERSONAS,
    SVX_PERSONAS,
    TENANT_A,
    TENANT_ADMIN,
    Api,
    expect,
    expect_error,
    svx_items,
)

GLOBAL_RIGHT = "atom:global:view_all_tenants"


def global_admin_ids(api: Api, status: str = "active") -> set[str]:
    """Ids of the global admins with a status (one page of 100)."""
    body = expect(api.get("/svx/global_admins", as_="global-admin",
                          params={"status": status, "per_page": 100}), 200)
    return {a["id"] for a in body["admins"]}


def test_list_global_admins_by_status_and_email(api: Api) -> None:
    active, archived = global_admin_ids(api), global_admin_ids(api, "archived")
    assert GLOBAL_ADMIN in active and not active & archived
    assert len(active | archived) == len(svx_items("global_admins"))
    admin = svx_items("global_admins", id=GLOBAL_ADMIN)[0]
    body = expect(api.get("/svx/global_admins", as_="global-admin",
                          params={"email": admin["email"]}), 200)
    assert [a["id"] for a in body["admins"]] == [GLOBAL_ADMIN]


def test_get_global_admin(api: Api) -> None:
    admin = expect(api.get(f"/svx/global_admins/{GLOBAL_ADMIN}", as_="global-admin"),
                   200)["admin"]
    assert admin["id"] == GLOBAL_ADMIN and GLOBAL_RIGHT in admin["security_rights"]


def test_archive_global_admin_is_listed_archived_and_restore_makes_it_active(api: Api) -> None:
    victim = next(a["id"] for a in svx_items("global_admins", status="active")
                  if a["id"] != GLOBAL_ADMIN)
    expect(api.post(f"/svx/global_admins/{victim}/archive", as_="global-admin"), 204)
    assert victim in global_admin_ids(api, "archived")
    assert victim not in global_admin_ids(api)
    restored = expect(api.post(f"/svx/global_admins/{victim}/restore", as_="global-admin"),
                      200)["admin"]
    assert restored["status"] == "active" and restored["archived_at"] is None
    assert victim in global_admin_ids(api)


def test_assign_and_remove_global_rights_change_what_the_user_may_do(api: Api) -> None:
    expect_error(api.get("/svx/tenants", as_="no-rights"), 403)
    expect(api.post(f"/svx/global_admins/{NO_RIGHTS}/security_rights", as_="global-admin",
                    json={"security_rights": [GLOBAL_RIGHT]}), 204)
    assert NO_RIGHTS in global_admin_ids(api)
    expect(api.get("/svx/tenants", as_="no-rights"), 200)
    me = expect(api.get("/svx/me/security_rights", as_="no-rights"), 200)
    assert me["security_rights"] == [GLOBAL_RIGHT]
    expect(api.delete(f"/svx/global_admins/{NO_RIGHTS}/security_rights/{GLOBAL_RIGHT}",
                      as_="global-admin"), 204)
    expect_error(api.get("/svx/tenants", as_="no-rights"), 403)
    admin = expect(api.get(f"/svx/global_admins/{NO_RIGHTS}", as_="global-admin"),
                   200)["admin"]
    assert admin["security_rights"] == []


def test_remove_several_global_rights_at_once(api: Api) -> None:
    victim = next(a for a in svx_items("global_admins", status="active")
                  if a["id"] != GLOBAL_ADMIN and len(a["security_rights"]) >= 2)
    doomed = victim["security_rights"][:2]
    expect(api.delete(f"/svx/global_admins/{victim['id']}/security_rights/{','.join(doomed)}",
                      as_="global-admin"), 204)
    admin = expect(api.get(f"/svx/global_admins/{victim['id']}", as_="global-admin"),
                   200)["admin"]
    assert not set(doomed) & set(admin["security_rights"])


def test_removing_a_global_admin_takes_every_global_right(api: Api) -> None:
    expect(api.delete(f"/svx/global_admins/{GLOBAL_ADMIN}", as_="global-admin"), 204)
    expect_error(api.get("/svx/tenants", as_="global-admin"), 403)
    assert expect(api.get("/svx/me/security_rights", as_="global-admin"),
                  200)["security_rights"] == []


def test_archived_global_admin_holds_nothing(api: Api) -> None:
    expect(api.post(f"/svx/global_admins/{GLOBAL_ADMIN}/archive", as_="global-admin"), 204)
    expect_error(api.get("/svx/tenants", as_="global-admin"), 403)


def test_global_level_check_for_global_assignments(api: Api) -> None:
    expect_error(api.post(f"/svx/global_admins/{NO_RIGHTS}/security_rights",
                          as_="global-admin",
                          json={"security_rights": ["atom:tenant:view_tenant"]}), 422)


MISSING_ITEMS = [
    ("get", "GET", f"/svx/global_admins/{MISSING}"),
    ("remove", "DELETE", f"/svx/global_admins/{MISSING}"),
    ("archive", "POST", f"/svx/global_admins/{MISSING}/archive"),
    ("restore", "POST", f"/svx/global_admins/{MISSING}/restore"),
    ("remove-rights", "DELETE", f"/svx/global_admins/{MISSING}/security_rights/{GLOBAL_RIGHT}"),
]


@pytest.mark.parametrize(("method", "url"), [c[1:] for c in MISSING_ITEMS],
                         ids=[c[0] for c in MISSING_ITEMS])
def test_missing_global_admins_are_404(api: Api, method: str, url: str) -> None:
    expect_error(api.call(method, url, as_="global-admin"), 404)


# Escalation: nobody hands out rights above their own.
ESCALATIONS = [
    ("tenant-admin-assigns-global-rights", "tenant-admin",
     f"/svx/global_admins/{NO_RIGHTS}/security_rights", [GLOBAL_RIGHT]),
    ("tenant-admin-assigns-global-rights-through-the-tenant", "tenant-admin",
     f"/svx/tenants/{TENANT_A}/admins/{NO_RIGHTS}/security_rights", [GLOBAL_RIGHT]),
    ("tenant-admin-assigns-global-rights-through-an-org", "tenant-admin",
     f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights", [GLOBAL_RIGHT]),
    ("org-admin-assigns-tenant-rights-through-the-org", "org-admin",
     f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights", ["atom:tenant:view_tenant"]),
    ("org-admin-assigns-tenant-rights-through-the-tenant", "org-admin",
     f"/svx/tenants/{TENANT_A}/admins/{NO_RIGHTS}/security_rights", ["atom:tenant:view_tenant"]),
    ("org-admin-assigns-themself-tenant-rights", "org-admin",
     f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN}/security_rights", ["atom:tenant:create_org"]),
    ("no-rights-assigns-themself-org-rights", "no-rights",
     f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights", ["atom:org:view_org"]),
    ("no-rights-assigns-themself-global-rights", "no-rights",
     f"/svx/global_admins/{NO_RIGHTS}/security_rights", [GLOBAL_RIGHT]),
]


@pytest.mark.parametrize(("persona", "url", "rights"), [c[1:] for c in ESCALATIONS],
                         ids=[c[0] for c in ESCALATIONS])
def test_escalation_is_403_and_changes_nothing(api: Api, persona: str, url: str,
                                               rights: list[str]) -> None:
    before = api.app.mock.snapshot()
    expect_error(api.post(url, as_=persona, json={"security_rights": rights}), 403)
    assert api.app.mock.snapshot() == before


def self_assigning_admin(api: Api) -> tuple[str, str]:
    """An org-A1 admin who may assign org rights but lacks atom:org:view_org (user, org)."""
    record = dict(api.svx["org_admins"].get((ORG_A1, ORG_ADMIN)))
    record["security_rights"] = ["atom:org:assign_org_sr_to_user"]
    api.svx["org_admins"].put(record)
    return ORG_ADMIN, ORG_A1


def test_assigning_yourself_a_right_you_do_not_hold_is_403(api: Api) -> None:
    user, org = self_assigning_admin(api)
    url = f"/svx/orgs/{org}/admins/{user}/security_rights"
    expect_error(api.post(url, as_="org-admin", json={"security_rights": ["atom:org:view_org"]}),
                 403)
    rights = api.svx["org_admins"].get((org, user))["security_rights"]
    assert rights == ["atom:org:assign_org_sr_to_user"]


def test_assigning_yourself_a_right_you_hold_is_fine(api: Api) -> None:
    user, org = self_assigning_admin(api)
    expect(api.post(f"/svx/orgs/{org}/admins/{user}/security_rights", as_="org-admin",
                    json={"security_rights": ["atom:org:assign_org_sr_to_user"]}), 204)


def test_a_global_admin_assigns_themself_only_what_they_hold(api: Api) -> None:
    record = dict(api.svx["global_admins"].get((GLOBAL_ADMIN,)))
    record["security_rights"] = ["atom:global:assign_global_sr_to_user"]
    api.svx["global_admins"].put(record)
    expect_error(api.post(f"/svx/global_admins/{GLOBAL_ADMIN}/security_rights",
                          as_="global-admin", json={"security_rights": [GLOBAL_RIGHT]}), 403)


# The catalogue and /me.
def test_list_security_rights_active_unless_asked(api: Api) -> None:
    active = expect(api.get("/svx/security_rights"), 200)["security_rights"]
    every = expect(api.get("/svx/security_rights", params={"with_inactive": "true"}),
                   200)["security_rights"]
    assert {r["name"] for r in every} - {r["name"] for r in active} == {
        r["name"] for r in svx_items("security_rights", active=False)}
    assert len(every) == len(svx_items("security_rights"))


@pytest.mark.parametrize("persona", SVX_PERSONAS)
def test_my_security_rights_are_those_of_the_active_records(api: Api, persona: str) -> None:
    held = svx_rights_of(DATASET, PERSONAS[persona]["sub"])
    active = {i["id"] for c in ("tenants", "orgs") for i in svx_items(c, status="active")}
    body = expect(api.get("/svx/me/security_rights", as_=persona), 200)
    assert body["security_rights"] == held["global"]
    assert {t["tenant_id"]: t["security_rights"] for t in body["tenants"]} == {
        t: r for t, r in held["tenants"].items() if t in active}
    assert {o["org_id"]: o["security_rights"] for o in body["orgs"]} == {
        o: r for o, r in held["orgs"].items() if o in active}


def test_my_security_rights_of_the_tenant_admin_are_not_empty(api: Api) -> None:
    body = expect(api.get("/svx/me/security_rights", as_="tenant-admin"), 200)
    assert [t["tenant_id"] for t in body["tenants"]] == [TENANT_A]


ME = [
    ("global-admin", "global_admin", None),
    ("tenant-admin", "tenant_admin", TENANT_A),
    ("org-admin", "org_admin", TENANT_A),
    ("no-rights", "user", TENANT_A),
]


@pytest.mark.parametrize(("persona", "user_type", "tid"), ME, ids=[c[0] for c in ME])
def test_get_me(api: Api, persona: str, user_type: str, tid: str | None) -> None:
    me = expect(api.get("/svx/me", as_=persona), 200)
    assert me["id"] == api.app.mock.dataset["personas"][persona]["sub"]
    assert me["user_type"] == user_type
    assert (me["tenant_in_jwt"] or {}).get("id") == tid


def test_me_follows_assignments(api: Api) -> None:
    assert expect(api.get("/svx/me", as_="no-rights"), 200)["administered_orgs"] == []
    expect(api.post(f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights", as_="org-admin",
                    json={"security_rights": ["atom:org:view_org"]}), 204)
    me = expect(api.get("/svx/me", as_="no-rights"), 200)
    assert [o["id"] for o in me["administered_orgs"]] == [ORG_A1]
    assert me["user_type"] == "org_admin"


FIRST, SECOND, THIRD = "correct-horse-1", "battery-staple-2", "another-one-3"


def test_update_me_and_change_password(api: Api) -> None:
    user = expect(api.put("/svx/me", as_="tenant-admin",
                          json={"user": {"given_name": "Jo", "family_name": "Doe"}}), 200)
    assert user["user"]["given_name"] == "Jo" and user["user"]["id"] == TENANT_ADMIN
    me = expect(api.get("/svx/me", as_="tenant-admin"), 200)
    assert (me["given_name"], me["family_name"]) == ("Jo", "Doe")
    url = "/svx/me/password"
    expect(api.put(url, as_="tenant-admin",
                   json={"user": {"current_password": FIRST, "new_password": SECOND}}), 200)
    expect_error(api.put(url, as_="tenant-admin",
                         json={"user": {"current_password": FIRST, "new_password": THIRD}}), 422)
    expect(api.put(url, as_="tenant-admin",
                   json={"user": {"current_password": SECOND, "new_password": THIRD}}), 200)
