"""orgkit.pagination: request parsing, page and cursor selection, cursor tokens."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orgkit.errors import InvalidInput
from orgkit.model import OrderRule, PaginationRule, PagingStyle
from orgkit.pagination import (
    Cursor,
    Entry,
    PageRequest,
    SortedListView,
    parse_request,
    select,
    sort_value,
)

MAX = 7
FAST = settings(max_examples=200, deadline=None)

RULE = PaginationRule(
    styles=(PagingStyle.PAGE, PagingStyle.CURSOR),
    items="orgs",
    page_param="page",
    per_page_param="per_page",
    cursor_param="next_page_after",
    order_param="order",
    default_per_page=3,
    max_per_page=MAX,
    order=OrderRule(key="name"),
    meta="meta",
    next_cursor="next_page_after",
    exclusive=("page", "next_page_after"),
)

# Like SVX listInvitations: upper-case directions, desc by default, a second key via order_by.
BY_RULE = PaginationRule(
    styles=(PagingStyle.PAGE, PagingStyle.CURSOR),
    items="invitations",
    page_param="page",
    per_page_param="per_page",
    cursor_param="cursor",
    order_param="order",
    default_per_page=20,
    max_per_page=100,
    order=OrderRule(key="created_at", asc="ASC", desc="DESC", default="desc", by="order_by",
                    keys=("given_name",)),
    meta="meta",
    next_cursor="cursor",
    exclusive=(),
)

PAGE_ONLY = PaginationRule(
    styles=(PagingStyle.PAGE,), items="deployments", page_param="page",
    per_page_param="per_page", cursor_param=None, order_param=None, default_per_page=20,
    max_per_page=100, order=None, meta="meta", next_cursor=None,
)


# --- strategies and an independent oracle ------------------------------------------------------

NAMES = st.one_of(
    st.sampled_from(["alpha", "Alpha", "ALPHA", "beta", "Beta", "", "ß", "SS", "ss", "zeta"]),
    st.none(),
    st.text(alphabet="abAB ", max_size=3),
)
ITEMS = st.lists(
    st.tuples(st.text(alphabet="abcdef0123456789", min_size=1, max_size=5), NAMES),
    unique_by=lambda t: t[0], max_size=30,
)
DIRECTION = st.sampled_from(["asc", "desc"])


def oracle_order(items: Sequence[tuple[str, str | None]], direction: str) -> list[str]:
    """Ids in the documented order: case-insensitive name, missing names last, id breaks ties."""

    def key(item: tuple[str, str | None]) -> tuple[bool, str, str]:
        item_id, name = item
        return (name is None, "" if name is None else name.casefold(), item_id)

    ordered = [item_id for item_id, _ in sorted(items, key=key)]
    return ordered[::-1] if direction == "desc" else ordered


def entries_of(items: Sequence[tuple[str, str | None]]) -> list[Entry]:
    return sorted((sort_value(name), item_id) for item_id, name in items)


def ids(page_entries: tuple[Entry, ...]) -> list[str]:
    return [item_id for _, item_id in page_entries]


def fetch(entries: list[Entry], params: dict[str, Any], rule: PaginationRule = RULE) -> Any:
    return select(SortedListView(entries), parse_request(rule, params))


# --- page mode ---------------------------------------------------------------------------------


@FAST
@given(items=ITEMS, per_page=st.integers(1, MAX), direction=DIRECTION)
def test_page_mode_covers_every_item_once_in_order(
    items: list[tuple[str, str | None]], per_page: int, direction: str
) -> None:
    entries = entries_of(items)
    total_pages = math.ceil(len(items) / per_page)
    seen: list[str] = []
    for page_no in range(1, total_pages + 1):
        page = fetch(entries, {"page": str(page_no), "per_page": per_page, "order": direction})
        assert 1 <= len(page.entries) <= per_page
        assert page.meta == {"total_count": len(items), "per_page": per_page, "page": page_no,
                             "total_pages": total_pages}
        assert (page.next_cursor is None) == (page_no == total_pages)
        seen += ids(page.entries)
    assert seen == oracle_order(items, direction)
    values = [sort_value(dict(items)[i]) for i in seen]
    assert values == sorted(values, reverse=direction == "desc")
    beyond = fetch(entries, {"page": total_pages + 1, "per_page": per_page, "order": direction})
    assert beyond.entries == () and beyond.next_cursor is None


# --- cursor mode -------------------------------------------------------------------------------


@FAST
@given(items=ITEMS, per_page=st.integers(1, MAX), direction=DIRECTION)
def test_cursor_mode_terminates_and_covers_every_item_once_in_order(
    items: list[tuple[str, str | None]], per_page: int, direction: str
) -> None:
    entries = entries_of(items)
    page = fetch(entries, {"per_page": per_page, "order": direction})
    seen, cursors = ids(page.entries), list[str]()
    while page.next_cursor is not None:
        assert page.next_cursor not in cursors, "a cursor was issued twice"
        assert len(cursors) <= len(items), "cursor paging does not terminate"
        cursors.append(page.next_cursor)
        page = fetch(entries, {"next_page_after": page.next_cursor, "per_page": per_page,
                               "order": direction})
        assert 1 <= len(page.entries) <= per_page
        assert page.meta["page"] is None and page.meta["total_count"] == len(items)
        seen += ids(page.entries)
    assert seen == oracle_order(items, direction)
    assert len(cursors) == max(math.ceil(len(items) / per_page) - 1, 0)


@FAST
@given(
    items=ITEMS,
    per_page=st.integers(1, MAX),
    direction=DIRECTION,
    batches=st.lists(st.lists(NAMES, max_size=4), max_size=6),
)
def test_cursor_survives_inserts_between_calls(
    items: list[tuple[str, str | None]], per_page: int, direction: str,
    batches: list[list[str | None]],
) -> None:
    entries = entries_of(items)
    page = fetch(entries, {"per_page": per_page, "order": direction})
    seen = list(page.entries)
    ahead: set[str] = set()  # inserted beyond the cursor: must still be listed
    behind: set[str] = set()  # inserted before the cursor: must not be listed
    fresh = 0
    while page.next_cursor is not None:
        last = seen[-1]
        for name in batches.pop(0) if batches else []:
            fresh += 1
            entry = (sort_value(name), f"new-{fresh}")  # "new-" never collides with ITEMS ids
            is_ahead = entry > last if direction == "asc" else entry < last
            (ahead if is_ahead else behind).add(entry[1])
            entries = sorted([*entries, entry])
        page = fetch(entries, {"next_page_after": page.next_cursor, "per_page": per_page,
                               "order": direction})
        seen += page.entries
    assert seen == sorted(seen, reverse=direction == "desc")
    assert len(set(seen)) == len(seen), "an item was listed twice"
    listed = set(ids(tuple(seen)))
    assert listed >= {item_id for item_id, _ in items}
    assert ahead <= listed
    assert not behind & listed


def test_cursor_survives_deleting_the_cursor_item() -> None:
    items = [(f"id{i}", name) for i, name in enumerate("abcdef")]
    entries = entries_of(items)
    first = fetch(entries, {"per_page": 2})
    assert ids(first.entries) == ["id0", "id1"]
    entries.remove(first.entries[-1])
    second = fetch(entries, {"next_page_after": first.next_cursor, "per_page": 2})
    assert ids(second.entries) == ["id2", "id3"]


def test_cursor_paging_works_over_a_sortedcontainers_list() -> None:
    sortedcontainers = pytest.importorskip("sortedcontainers")
    items = [(f"id{i:02d}", name) for i, name in enumerate("qwertyuiopasdfgh")]
    store = sortedcontainers.SortedList(entries_of(items))
    for direction in ("asc", "desc"):
        page = select(store, parse_request(RULE, {"per_page": 5, "order": direction}))
        seen = ids(page.entries)
        while page.next_cursor:
            request = parse_request(RULE, {"next_page_after": page.next_cursor, "per_page": 5,
                                           "order": direction})
            page = select(store, request)
            seen += ids(page.entries)
        assert seen == oracle_order(items, direction)


# --- parse_request -----------------------------------------------------------------------------

DESC_CURSOR = Cursor(((0, "m"), "id"), "desc", "name").encode()
BY_CURSOR = Cursor(((0, "m"), "id"), "desc", "given_name").encode()

BAD = [
    ("page-and-cursor", RULE, {"page": "1", "next_page_after": DESC_CURSOR},
     ["page", "next_page_after", "cannot be combined"]),
    ("per-page-zero", RULE, {"per_page": "0"}, ["per_page", f"between 1 and {MAX}", "got 0"]),
    ("per-page-int-zero", RULE, {"per_page": 0}, ["per_page", "got 0"]),
    ("per-page-over-max", RULE, {"per_page": str(MAX + 1)}, ["per_page", f"got {MAX + 1}"]),
    ("per-page-negative", RULE, {"per_page": "-1"}, ["per_page", "got -1"]),
    ("per-page-word", RULE, {"per_page": "abc"}, ["per_page", "whole number", "'abc'"]),
    ("per-page-decimal-str", RULE, {"per_page": "1.5"}, ["per_page", "whole number", "'1.5'"]),
    ("per-page-float", RULE, {"per_page": 1.5}, ["per_page", "whole number"]),
    ("per-page-float-whole", RULE, {"per_page": 2.0}, ["per_page", "whole number"]),
    ("per-page-bool", RULE, {"per_page": True}, ["per_page", "whole number", "True"]),
    ("per-page-empty", RULE, {"per_page": ""}, ["per_page", "whole number"]),
    ("page-zero", RULE, {"page": "0"}, ["page", "at least 1", "got 0"]),
    ("page-negative", RULE, {"page": -2}, ["page", "at least 1"]),
    ("page-word", RULE, {"page": "first"}, ["page", "whole number"]),
    ("cursor-garbage", RULE, {"next_page_after": "!!"}, ["next_page_after", "'!!'"]),
    ("cursor-not-json", RULE, {"next_page_after": "bm90IGpzb24"}, ["next_page_after"]),
    ("cursor-wrong-json", RULE, {"next_page_after": "WzEsMiwzXQ"}, ["next_page_after"]),
    ("cursor-desc-used-asc", RULE, {"next_page_after": DESC_CURSOR, "order": "asc"},
     ["next_page_after", "desc", "asc"]),
    ("cursor-other-key", BY_RULE, {"cursor": BY_CURSOR, "order": "DESC"},
     ["cursor", "given_name", "created_at"]),
    ("order-by-unknown", BY_RULE, {"order_by": "email"}, ["order_by", "given_name", "'email'"]),
]


@pytest.mark.parametrize(("rule", "params", "fragments"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_parse_request_refuses(
    rule: PaginationRule, params: dict[str, Any], fragments: list[str]
) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_request(rule, params)
    for fragment in fragments:
        assert fragment in info.value.message


CURSOR = Cursor(((0, "m"), "id"), "asc", "name")
GOOD = [
    ("defaults", RULE, {}, PageRequest(PagingStyle.PAGE, 3, 1, None, "asc", "name")),
    ("none-values-are-absent", RULE, {"page": None, "per_page": None, "next_page_after": None},
     PageRequest(PagingStyle.PAGE, 3, 1, None, "asc", "name")),
    ("per-page-str", RULE, {"per_page": "5"}, PageRequest(PagingStyle.PAGE, 5, 1, None, "asc",
                                                          "name")),
    ("per-page-max", RULE, {"per_page": MAX}, PageRequest(PagingStyle.PAGE, MAX, 1, None, "asc",
                                                          "name")),
    ("page-and-desc", RULE, {"page": "4", "order": "desc"},
     PageRequest(PagingStyle.PAGE, 3, 4, None, "desc", "name")),
    ("cursor", RULE, {"next_page_after": CURSOR.encode(), "per_page": "2"},
     PageRequest(PagingStyle.CURSOR, 2, 1, CURSOR, "asc", "name")),
    ("by-rule-defaults", BY_RULE, {}, PageRequest(PagingStyle.PAGE, 20, 1, None, "desc",
                                                  "created_at")),
    ("by-rule-asc-by-name", BY_RULE, {"order": "ASC", "order_by": "given_name"},
     PageRequest(PagingStyle.PAGE, 20, 1, None, "asc", "given_name")),
    ("page-only-ignores-cursorish", PAGE_ONLY, {"page": "2", "next_page_after": "!!"},
     PageRequest(PagingStyle.PAGE, 20, 2, None, "asc", "id")),
]


@pytest.mark.parametrize(("rule", "params", "expected"), [c[1:] for c in GOOD],
                         ids=[c[0] for c in GOOD])
def test_parse_request_accepts(
    rule: PaginationRule, params: dict[str, Any], expected: PageRequest
) -> None:
    assert parse_request(rule, params) == expected


# --- cursor tokens -----------------------------------------------------------------------------

CURSORS = st.builds(
    Cursor,
    entry=st.tuples(st.tuples(st.integers(0, 1), st.text(max_size=20)), st.text(max_size=20)),
    direction=DIRECTION,
    key=st.text(max_size=10),
)


@FAST
@given(cursor=CURSORS)
def test_cursor_round_trips_and_is_url_safe(cursor: Cursor) -> None:
    token = cursor.encode()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert Cursor.decode(token, "next_page_after") == cursor


@FAST
@given(token=st.text(max_size=40))
def test_cursor_decode_refuses_with_invalid_input_only(token: str) -> None:
    try:
        cursor = Cursor.decode(token, "next_page_after")
    except InvalidInput as exc:
        assert "next_page_after" in exc.message
    else:
        assert cursor.direction in ("asc", "desc")


def test_sort_value_is_case_insensitive_and_puts_missing_last() -> None:
    assert sort_value("Alpha") == sort_value("ALPHA") == sort_value("alpha")
    assert sort_value("ß") == sort_value("SS")
    assert sort_value("zzz") < sort_value(None)
    assert sort_value(5) == (0, "5")
