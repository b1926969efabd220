"""The per-request caches (list answers, encoded items, the Caller per token) never serve stale
data: every test warms a cache first, writes, and looks again at once."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.app import MockApp
from mockserver.identity import SCOPE_MEMO_ENTRIES, ScopedRights
from orgkit.rightsrules import Scope
from tests.mockserver.mocksupport import (
    GLOBAL_ADMIN,
    NO_RIGHTS,
    ORG_A1,
    ORG_ADMIN,
    TENANT_A,
    TENANT_ADMIN,
    Api,
    expect,
    expect_error,
)

GLOBAL_RIGHT = "atom:global:view_all_tenants"
TENANT_RIGHT = "atom:tenant:view_tenant_orgs"
PAGE = {"per_page": 100}


def listed(api: Api, **query: Any) -> dict[str, dict[str, Any]]:
    """Tenant A's organisations (one page of 100) by id, as the tenant admin sees them."""
    body = expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                          params={**PAGE, **query}), 200)
    return {o["id"]: o for o in body["orgs"]}


def got(api: Api, org_id: str = ORG_A1) -> dict[str, Any]:
    """One organisation, as the tenant admin sees it."""
    org: dict[str, Any] = expect(api.get(f"/svx/orgs/{org_id}", as_="tenant-admin"), 200)["org"]
    return org


def warm(api: Api) -> None:
    """Fill the list and item caches (twice: the second answer comes from them)."""
    for _ in range(2):
        listed(api)
        got(api)


def test_an_updated_item_is_new_in_get_and_list_at_once(api: Api) -> None:
    warm(api)
    expect(api.put(f"/svx/orgs/{ORG_A1}", as_="tenant-admin",
                   json={"name": "Renamed Mobility", "color": "#010203"}), 200)
    assert got(api)["name"] == "Renamed Mobility"
    assert listed(api)[ORG_A1]["color"] == "#010203"


def test_a_created_item_is_listed_and_its_page_counts_it_at_once(api: Api) -> None:
    before = expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                            params=PAGE), 200)
    listed(api)
    org = expect(api.post(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                          json={"name": "Cache Probe Org"}), 201)["org"]
    after = expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="tenant-admin",
                           params=PAGE), 200)
    assert org["id"] in {o["id"] for o in after["orgs"]}
    assert after["meta"]["total_count"] == before["meta"]["total_count"] + 1


def test_a_deleted_item_is_gone_from_get_and_list_at_once(api: Api) -> None:
    warm(api)
    expect(api.delete(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 204)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="global-admin"), 404)
    assert ORG_A1 not in listed(api)


@pytest.mark.parametrize("query", [{}, {"status": "archived"}], ids=["active", "archived"])
def test_archiving_moves_an_item_between_filtered_lists_at_once(api: Api,
                                                               query: dict[str, str]) -> None:
    listed(api, **query)
    expect(api.post(f"/svx/orgs/{ORG_A1}/archive", as_="tenant-admin"), 200)
    assert (ORG_A1 in listed(api, **query)) == (query.get("status") == "archived")


def test_a_reset_brings_back_the_fixtures_in_get_and_list(api: Api, app: MockApp) -> None:
    name = got(api)["name"]
    expect(api.put(f"/svx/orgs/{ORG_A1}", as_="tenant-admin", json={"name": "Before Reset"}),
           200)
    warm(api)
    app.mock.reset()
    assert got(api)["name"] == name and listed(api)[ORG_A1]["name"] == name


def test_a_revoked_global_right_is_403_at_once(api: Api) -> None:
    expect(api.post(f"/svx/global_admins/{NO_RIGHTS}/security_rights", as_="global-admin",
                    json={"security_rights": [GLOBAL_RIGHT]}), 204)
    for _ in range(2):  # the second request finds the caller cached
        expect(api.get("/svx/tenants", as_="no-rights"), 200)
    expect(api.delete(f"/svx/global_admins/{NO_RIGHTS}/security_rights/{GLOBAL_RIGHT}",
                      as_="global-admin"), 204)
    expect_error(api.get("/svx/tenants", as_="no-rights"), 403)


def test_an_archived_global_admin_is_403_at_once(api: Api) -> None:
    for _ in range(2):
        expect(api.get("/svx/tenants", as_="global-admin"), 200)
    expect(api.post(f"/svx/global_admins/{GLOBAL_ADMIN}/archive", as_="global-admin"), 204)
    expect_error(api.get("/svx/tenants", as_="global-admin"), 403)


def test_a_revoked_org_right_is_403_at_once(api: Api) -> None:
    for _ in range(2):
        expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)
    expect(api.post(f"/svx/orgs/{ORG_A1}/admins/{ORG_ADMIN}/archive", as_="tenant-admin"), 204)
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 403)


def test_a_replaced_store_rebuilds_the_caller(api: Api, app: MockApp) -> None:
    for _ in range(2):
        expect(api.get("/svx/tenants", as_="global-admin"), 200)
    runtime = app.mock.runtimes["svx"]
    emptied = runtime.store.empty_like()
    emptied.reset({"users": list(runtime.store["users"].values())})
    runtime.store = emptied  # the same users, and no global admin any more (the next test's
    expect_error(api.get("/svx/tenants", as_="global-admin"), 403)  # reset fills it again)


def test_a_new_org_right_is_seen_at_once(api: Api) -> None:
    for _ in range(2):  # the second request asks the caller's remembered org rights
        expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="no-rights"), 403)
    expect(api.post(f"/svx/orgs/{ORG_A1}/admins/{NO_RIGHTS}/security_rights",
                    as_="tenant-admin", json={"security_rights": ["atom:org:view_org"]}), 204)
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="no-rights"), 200)


def test_a_new_tenant_right_is_seen_at_once(api: Api) -> None:
    for _ in range(2):
        expect_error(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="no-rights"), 403)
    record = dict(api.svx["tenant_admins"].get((TENANT_A, TENANT_ADMIN)))
    api.svx["tenant_admins"].put({**record, "id": NO_RIGHTS, "security_rights": [TENANT_RIGHT]})
    expect(api.get(f"/svx/tenants/{TENANT_A}/orgs", as_="no-rights"), 200)


def test_an_archived_and_restored_tenant_admin_is_403_then_200_at_once(api: Api) -> None:
    for _ in range(2):
        expect(api.get(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 200)
    admin = f"/svx/tenants/{TENANT_A}/admins/{TENANT_ADMIN}"
    expect(api.post(f"{admin}/archive", as_="global-admin"), 204)
    for _ in range(2):
        expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 403)
    expect(api.post(f"{admin}/restore", as_="global-admin"), 200)
    expect(api.get(f"/svx/orgs/{ORG_A1}", as_="tenant-admin"), 200)


def test_a_right_changed_in_the_store_itself_is_seen_at_once(api: Api) -> None:
    for _ in range(2):
        expect(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 200)
    record = dict(api.svx["org_admins"].get((ORG_A1, ORG_ADMIN)))
    record["security_rights"] = ["atom:org:assign_org_sr_to_user"]
    api.svx["org_admins"].put(record)  # as a control call or a plugin would write it
    expect_error(api.get(f"/svx/orgs/{ORG_A1}", as_="org-admin"), 403)


def test_the_remembered_scopes_stay_bounded_and_right(api: Api) -> None:
    runtime = api.app.mock.runtimes["svx"]
    rights = ScopedRights(runtime.store, runtime.identity.sources[Scope.ORG], ORG_ADMIN)
    for n in range(SCOPE_MEMO_ENTRIES + 10):
        assert rights.get(f"no-such-org-{n}") is None
        assert len(rights._seen) <= SCOPE_MEMO_ENTRIES  # the memo itself: no public view
    assert "atom:org:view_org" in rights[ORG_A1]
