"""Pagination through HTTP, as properties: pages are disjoint, cover the list, in order, and the
cursor chain terminates (null on the last page), also while items are inserted and deleted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.mockserver.mocksupport import ORG_A1, TENANT_A, Api, expect, expect_error

PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass(frozen=True)
class Listing:
    """A paginated list of the mock, as its x-orgkit-pagination rule describes it."""

    url: str
    persona: str
    items: str
    key: str
    cursor: bool
    asc: str = "asc"
    desc: str = "desc"
    headers: tuple[tuple[str, str], ...] = ()


LISTINGS = {
    "tenants": Listing("/svx/tenants", "global-admin", "tenants", "name", True),
    "tenant-orgs": Listing(f"/svx/tenants/{TENANT_A}/orgs", "tenant-admin", "orgs", "name", True),
    "org-admins": Listing(f"/svx/orgs/{ORG_A1}/admins", "org-admin", "admins", "given_name",
                          True),
    "global-admins": Listing("/svx/global_admins", "global-admin", "admins", "given_name", True),
    "tenant-admins": Listing(f"/svx/tenants/{TENANT_A}/admins", "tenant-admin", "admins",
                             "given_name", True),
    "deployments": Listing(f"/svx/orgs/{ORG_A1}/deployments", "org-admin", "deployments",
                           "inserted_at", False),
    "invitations": Listing("/svx/invitations", "tenant-admin", "invitations", "created_at",
                           False, "ASC", "DESC"),
}
CURSOR_LISTINGS = [name for name, listing in LISTINGS.items() if listing.cursor]


def fetch(api: Api, listing: Listing, **query: Any) -> dict[str, Any]:
    """One page."""
    body: dict[str, Any] = expect(api.get(listing.url, as_=listing.persona,
                                          headers=dict(listing.headers), params=query), 200)
    return body


def id_of(item: dict[str, Any]) -> str:
    """The identity of a listed item."""
    return str(item.get("id") or item.get("instance_id"))


def everything(api: Api, listing: Listing) -> list[dict[str, Any]]:
    """The whole list in one page (every list here has fewer than 100 items)."""
    body = fetch(api, listing, per_page=100)
    assert body["meta"]["total_count"] == len(body[listing.items]) < 100
    items: list[dict[str, Any]] = body[listing.items]
    return items


def assert_ordered(listing: Listing, items: list[dict[str, Any]], descending: bool) -> None:
    """Items sorted by the listing's key (case-insensitive, missing last ascending)."""
    keys = [(item.get(listing.key) is None, str(item.get(listing.key) or "").casefold())
            for item in items]
    assert keys == sorted(keys, reverse=descending)


def walk_cursor(api: Api, listing: Listing, per_page: int, order: str,
                between: Any = None) -> list[dict[str, Any]]:
    """Every page of a cursor chain; asserts it ends within the possible number of pages."""
    seen: list[dict[str, Any]] = []
    body = fetch(api, listing, per_page=per_page, order=order)
    limit = math.ceil(body["meta"]["total_count"] / per_page) + 50
    for _ in range(limit):
        assert len(body[listing.items]) <= per_page
        assert body["meta"]["page"] is None or not seen
        seen += body[listing.items]
        cursor = body["next_page_after"]
        if cursor is None:
            return seen
        assert body[listing.items], "an empty page must be the last one"
        if between is not None:
            between()
        body = fetch(api, listing, per_page=per_page, order=order, next_page_after=cursor)
    raise AssertionError(f"the cursor chain of {listing.url} did not end after {limit} pages")


@PROPERTY
@given(name=st.sampled_from(CURSOR_LISTINGS), per_page=st.integers(1, 30),
       descending=st.booleans())
def test_cursor_pages_are_disjoint_cover_everything_and_end(api: Api, name: str, per_page: int,
                                                            descending: bool) -> None:
    listing = LISTINGS[name]
    order = listing.desc if descending else listing.asc
    walked = walk_cursor(api, listing, per_page, order)
    ids = [id_of(i) for i in walked]
    assert len(ids) == len(set(ids)), "an item was served twice"
    assert set(ids) == {id_of(i) for i in everything(api, listing)}
    assert_ordered(listing, walked, descending)


@PROPERTY
@given(name=st.sampled_from(list(LISTINGS)), per_page=st.integers(1, 30),
       descending=st.booleans())
def test_numbered_pages_are_disjoint_and_cover_everything(api: Api, name: str, per_page: int,
                                                          descending: bool) -> None:
    listing = LISTINGS[name]
    order = listing.desc if descending else listing.asc
    first = fetch(api, listing, per_page=per_page, order=order, page=1)
    meta = first["meta"]
    assert meta["per_page"] == per_page and meta["page"] == 1
    assert meta["total_pages"] == math.ceil(meta["total_count"] / per_page)
    walked = list(first[listing.items])
    for page in range(2, meta["total_pages"] + 1):
        body = fetch(api, listing, per_page=per_page, order=order, page=page)
        assert body["meta"] == {**meta, "page": page}
        assert 0 < len(body[listing.items]) <= per_page
        walked += body[listing.items]
    ids = [id_of(i) for i in walked]
    assert len(ids) == len(set(ids)) == meta["total_count"]
    assert set(ids) == {id_of(i) for i in everything(api, listing)}
    assert_ordered(listing, walked, descending)
    past = fetch(api, listing, per_page=per_page, order=order, page=meta["total_pages"] + 1)
    assert past[listing.items] == []


@PROPERTY
@given(per_page=st.integers(1, 12), descending=st.booleans(),
       names=st.lists(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12),
                      min_size=1, max_size=8))
def test_cursor_chain_is_stable_under_concurrent_inserts(api: Api, per_page: int,
                                                         descending: bool,
                                                         names: list[str]) -> None:
    api.app.mock.reset()
    listing = LISTINGS["tenants"]
    before = {id_of(i) for i in everything(api, listing)}
    pending = list(names)

    def insert() -> None:
        if pending:
            expect(api.post("/svx/tenants", as_="global-admin",
                            json={"name": pending.pop()}), 201)

    walked = walk_cursor(api, listing, per_page, "desc" if descending else "asc", insert)
    ids = [id_of(i) for i in walked]
    assert len(ids) == len(set(ids)), "an item was served twice"
    assert before <= set(ids), "an item present from the start was skipped"
    assert_ordered(listing, walked, descending)


@PROPERTY
@given(per_page=st.integers(1, 10), descending=st.booleans(), data=st.data())
def test_cursor_chain_is_stable_under_concurrent_deletes(api: Api, per_page: int,
                                                         descending: bool,
                                                         data: st.DataObject) -> None:
    api.app.mock.reset()
    listing = LISTINGS["tenant-orgs"]
    before = [id_of(i) for i in everything(api, listing)]
    doomed = data.draw(st.lists(st.sampled_from(before), unique=True, max_size=6))
    pending = list(doomed)

    def delete() -> None:
        if pending:
            expect(api.delete(f"/svx/orgs/{pending.pop()}", as_="tenant-admin"), 204)

    walked = [id_of(i) for i in walk_cursor(api, listing, per_page,
                                            "desc" if descending else "asc", delete)]
    assert len(walked) == len(set(walked))
    assert set(before) - set(doomed) <= set(walked)


def test_cursor_is_null_on_the_last_page_and_meta_page_is_null_in_cursor_mode(api: Api) -> None:
    listing = LISTINGS["tenants"]
    first = fetch(api, listing, per_page=20)
    assert first["next_page_after"] is not None
    second = fetch(api, listing, per_page=20, next_page_after=first["next_page_after"])
    assert second["next_page_after"] is None and second["meta"]["page"] is None
    assert fetch(api, listing, per_page=100)["next_page_after"] is None


def test_default_page_size_and_default_status(api: Api) -> None:
    body = fetch(api, LISTINGS["tenant-orgs"])
    assert body["meta"]["per_page"] == 20 and len(body["orgs"]) == 20
    assert {o["status"] for o in body["orgs"]} == {"active"}


def test_a_cursor_of_one_order_is_refused_in_the_other(api: Api) -> None:
    listing = LISTINGS["tenants"]
    cursor = fetch(api, listing, per_page=5, order="asc")["next_page_after"]
    expect_error(api.get(listing.url, as_=listing.persona,
                         params={"next_page_after": cursor, "order": "desc"}), 400)


def test_page_and_cursor_together_are_400(api: Api) -> None:
    listing = LISTINGS["org-admins"]
    cursor = fetch(api, listing, per_page=5)["next_page_after"]
    expect_error(api.get(listing.url, as_=listing.persona,
                         params={"next_page_after": cursor, "page": 2}), 400)
