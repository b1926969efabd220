"""SVX invitations: contexts, status filters, ordering, paging, create, resend, delete."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.mockserver.mocksupport import (
    ORG_A1,
    ORG_ADMIN,
    ORG_B1,
    TENANT_A,
    Api,
    expect,
    expect_error,
    svx_items,
)

HEADER = "Meeco-Organisation-ID"
A1 = {HEADER: ORG_A1}
NEW = {"invitation": {"email": "new.person@example.com", "given_name": "New",
                      "family_name": "Person"}}


def listed(api: Api, persona: str, headers: dict[str, str] | None = None,
           **query: Any) -> list[dict[str, Any]]:
    """One page of 100 invitations as a persona."""
    body = expect(api.get("/svx/invitations", as_=persona, headers=headers,
                          params={"per_page": 100, **query}), 200)
    invitations: list[dict[str, Any]] = body["invitations"]
    assert body["meta"]["total_count"] == len(invitations)
    return invitations


CONTEXTS = [
    ("tenant-context-sees-the-whole-tenancy", "tenant-admin", None,
     svx_items("invitations", tenant_id=TENANT_A)),
    ("org-context-sees-the-org", "org-admin", A1, svx_items("invitations", org_id=ORG_A1)),
    ("global-context-sees-global-ones", "global-admin", None,
     svx_items("invitations", context="global")),
]


@pytest.mark.parametrize(("persona", "headers", "expected"), [c[1:] for c in CONTEXTS],
                         ids=[c[0] for c in CONTEXTS])
def test_context_decides_what_is_listed(api: Api, persona: str,
                                        headers: dict[str, str] | None,
                                        expected: list[dict[str, Any]]) -> None:
    assert expected
    assert {i["id"] for i in listed(api, persona, headers)} == {i["id"] for i in expected}


STATUS_FILTERS = [("pending", {"pending"}), ("accepted", {"accepted"}),
                  ("pending,expired", {"pending", "expired"}),
                  ("expired,accepted,pending", {"pending", "accepted", "expired"})]


@pytest.mark.parametrize(("status", "wanted"), STATUS_FILTERS, ids=[c[0] for c in STATUS_FILTERS])
def test_status_filter(api: Api, status: str, wanted: set[str]) -> None:
    found = listed(api, "tenant-admin", status=status)
    assert {i["status"] for i in found} == wanted
    assert len(found) == len([i for i in svx_items("invitations", tenant_id=TENANT_A)
                              if i["status"] in wanted])


def test_a_status_outside_the_list_is_400_in_the_invitation_shape(api: Api) -> None:
    expect_error(api.get("/svx/invitations", as_="tenant-admin",
                         params={"status": "pending,bogus"}), 400)


ORDERS = [
    ("default-newest-first", {}, "created_at", True),
    ("desc", {"order": "DESC"}, "created_at", True),
    ("asc", {"order": "ASC"}, "created_at", False),
    ("given-name-asc", {"order_by": "given_name", "order": "ASC"}, "given_name", False),
    ("given-name-desc", {"order_by": "given_name", "order": "DESC"}, "given_name", True),
]


@pytest.mark.parametrize(("query", "key", "reverse"), [c[1:] for c in ORDERS],
                         ids=[c[0] for c in ORDERS])
def test_ordering(api: Api, query: dict[str, str], key: str, reverse: bool) -> None:
    found = listed(api, "tenant-admin", None, **query)
    values = [str(i[key]).casefold() for i in found]
    assert values == sorted(values, reverse=reverse)


def test_pages_split_the_context(api: Api) -> None:
    first = expect(api.get("/svx/invitations", as_="tenant-admin",
                           params={"per_page": 20, "page": 1}), 200)
    second = expect(api.get("/svx/invitations", as_="tenant-admin",
                            params={"per_page": 20, "page": 2}), 200)
    total = len(svx_items("invitations", tenant_id=TENANT_A))
    assert first["meta"] == {"total_count": total, "per_page": 20, "page": 1,
                             "total_pages": 2}
    ids = [i["id"] for i in first["invitations"] + second["invitations"]]
    assert len(ids) == len(set(ids)) == total


def test_create_appears_pending_and_can_be_read(api: Api) -> None:
    created = expect(api.post("/svx/invitations", as_="org-admin", headers=A1, json=NEW),
                     201)["invitation"]
    assert created["status"] == "pending" and created["org_id"] == ORG_A1
    assert created["context"] == "org" and created["tenant_id"] == TENANT_A
    pending = listed(api, "org-admin", A1, status="pending")
    assert created["id"] in {i["id"] for i in pending}
    assert created["id"] in {i["id"] for i in listed(api, "tenant-admin")}
    got = expect(api.get(f"/svx/invitations/{created['id']}", as_="org-admin", headers=A1), 200)
    assert got["invitation"] == created


def test_create_without_header_uses_the_tenant_context(api: Api) -> None:
    created = expect(api.post("/svx/invitations", as_="tenant-admin", json=NEW),
                     201)["invitation"]
    assert created["context"] == "tenant" and created["org_id"] is None
    assert created["id"] not in {i["id"] for i in listed(api, "org-admin", A1)}


def an(status: str, **where: Any) -> dict[str, Any]:
    """An invitation of the default data set with this status (in org A1 unless told)."""
    where = where or {"org_id": ORG_A1}
    return next(i for i in svx_items("invitations", **where) if i["status"] == status)


@pytest.mark.parametrize("status", ["pending", "expired"])
def test_resend_makes_pending_with_a_later_expiry(api: Api, status: str) -> None:
    invitation = an(status)
    resent = expect(api.post(f"/svx/invitations/{invitation['id']}/resend", as_="org-admin",
                             headers=A1), 200)["invitation"]
    assert resent["status"] == "pending"
    assert resent["updated_at"] != invitation["updated_at"]
    sent = datetime.fromisoformat(resent["updated_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(resent["expires_at"].replace("Z", "+00:00"))
    assert expires - sent == timedelta(days=7)
    got = expect(api.get(f"/svx/invitations/{invitation['id']}", as_="org-admin",
                         headers=A1), 200)["invitation"]
    assert got == resent


@pytest.mark.parametrize("status", ["pending", "expired"])
def test_delete_then_404(api: Api, status: str) -> None:
    url = f"/svx/invitations/{an(status)['id']}"
    expect(api.delete(url, as_="org-admin", headers=A1), 204)
    expect_error(api.get(url, as_="org-admin", headers=A1), 404)
    expect_error(api.delete(url, as_="org-admin", headers=A1), 404)


ACCEPTED_REFUSALS = [("resend", "POST", "/resend"), ("delete", "DELETE", "")]


@pytest.mark.parametrize(("method", "suffix"), [c[1:] for c in ACCEPTED_REFUSALS],
                         ids=[c[0] for c in ACCEPTED_REFUSALS])
def test_accepted_invitations_cannot_be_resent_or_deleted(api: Api, method: str,
                                                          suffix: str) -> None:
    invitation = an("accepted")
    expect_error(api.call(method, f"/svx/invitations/{invitation['id']}{suffix}",
                          as_="org-admin", headers=A1), 422)
    assert api.svx["invitations"].get((invitation["id"],))["status"] == "accepted"


def test_other_contexts_cannot_see_an_invitation(api: Api) -> None:
    url = f"/svx/invitations/{an('pending')['id']}"
    expect_error(api.get(url, as_="other-tenant-admin"), 404)
    expect_error(api.get(url, as_="global-admin"), 404)
    expect_error(api.delete(url, as_="other-tenant-admin"), 404)


def test_an_org_header_outside_the_callers_tenant_is_404_for_lists(api: Api) -> None:
    expect_error(api.get("/svx/invitations", as_="tenant-admin", headers={HEADER: ORG_B1}), 404)


# The context rule (x-orgkit-rights mode context): "The user who is sending the invitations can
# only invite other users within the tenant or organization they have selected."
OUTSIDE_CONTEXT = [
    ("org-of-another-tenant", "tenant-admin", {HEADER: ORG_B1}),
    ("no-right-in-the-selected-tenant", "no-rights", None),
    ("no-right-in-the-selected-org", "no-rights", A1),
    ("global-context-without-a-global-right", "org-admin-without-tid", None),
]


@pytest.mark.parametrize(("persona", "headers"), [c[1:] for c in OUTSIDE_CONTEXT],
                         ids=[c[0] for c in OUTSIDE_CONTEXT])
def test_invitations_outside_the_callers_context_are_403(api: Api, persona: str,
                                                         headers: dict[str, str] | None) -> None:
    auth = api.bearer(ORG_ADMIN) if persona == "org-admin-without-tid" else api.auth(persona)
    before = api.app.mock.snapshot()
    pending = an("pending")["id"]
    for method, url, body in (("POST", "/svx/invitations", NEW),
                              ("DELETE", f"/svx/invitations/{pending}", None),
                              ("POST", f"/svx/invitations/{pending}/resend", None)):
        response = api.client.request(method, url, headers={**auth, **(headers or {})},
                                      json=body)
        expect_error(response, 403)
    assert api.app.mock.snapshot() == before


def test_a_member_of_the_selected_org_invites_into_it(api: Api) -> None:
    body = expect(api.post("/svx/invitations", as_="org-admin", headers=A1, json=NEW), 201)
    assert body["invitation"]["org_id"] == ORG_A1


BAD_CREATES = [
    ("no-envelope", {"email": "a@example.com"}),
    ("bad-email", {"invitation": {"email": "not an email"}}),
    ("no-email", {"invitation": {"given_name": "x"}}),
]


@pytest.mark.parametrize("body", [c[1] for c in BAD_CREATES], ids=[c[0] for c in BAD_CREATES])
def test_bad_invitations_are_400_in_the_invitation_shape(api: Api, body: Any) -> None:
    expect_error(api.post("/svx/invitations", as_="tenant-admin", json=body), 400)


def test_without_token_401_in_the_invitation_shape(api: Api) -> None:
    expect_error(api.get("/svx/invitations"), 401)
    expect_error(api.get(f"/svx/invitations/{an('pending')['id']}"), 401)
