"""The store's memo of derived values (encoded items): computed once, dropped on every write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockserver import store
from mockserver.store import SEP, Collection


def encode(item: dict[str, Any]) -> bytes:
    return json.dumps(item).encode()


def test_a_derived_value_is_computed_once_per_write() -> None:
    coll = Collection("orgs", ("id",))
    coll.put({"id": "a", "name": "A"})
    calls: list[str] = []

    def counting(item: dict[str, Any]) -> bytes:
        calls.append(item["id"])
        return encode(item)

    assert coll.derived("a", counting) == coll.derived("a", counting) == b'{"id": "a", "name": "A"}'
    assert calls == ["a"]
    coll.put({"id": "a", "name": "Renamed"})
    assert coll.derived("a", counting) == b'{"id": "a", "name": "Renamed"}'
    assert calls == ["a", "a"]


@pytest.mark.parametrize("write", ["delete", "clear"])
def test_a_removed_item_has_no_derived_value(write: str) -> None:
    coll = Collection("orgs", ("tenant_id", "id"))
    coll.put({"tenant_id": "t", "id": "a"})
    joined = SEP.join(("t", "a"))
    coll.derived(joined, encode)
    if write == "delete":
        coll.delete(("t", "a"))
    else:
        coll.clear()
    with pytest.raises(KeyError):
        coll.derived(joined, encode)


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MEMO_ENTRIES", 3)
    coll = Collection("orgs", ("id",))
    for i in range(5):
        coll.put({"id": str(i)})
        coll.derived(str(i), encode)
    assert len(coll._memo) <= 3


def test_a_page_is_joined_once_until_the_next_write() -> None:
    coll = Collection("orgs", ("id",))
    for key in "abc":
        coll.put({"id": key})
    calls: list[str] = []

    def counting(item: dict[str, Any]) -> bytes:
        calls.append(item["id"])
        return encode(item)

    page = coll.derived_page(("a", "b"), counting, b", ")
    assert page == coll.derived_page(("a", "b"), counting, b", ") == \
        b'{"id": "a"}, {"id": "b"}'
    assert calls == ["a", "b"]
    coll.put({"id": "c", "name": "C"})  # any write: pages are joined again (items reused)
    assert coll.derived_page(("a", "b"), counting, b", ") == page and calls == ["a", "b"]
    coll.put({"id": "a", "name": "A"})
    assert coll.derived_page(("a", "b"), counting, b", ").startswith(b'{"id": "a", "name": "A"}')


def test_large_pages_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "PAGE_BYTES", 5)
    coll = Collection("orgs", ("id",))
    coll.put({"id": "a"})
    coll.derived_page(("a",), encode, b", ")
    assert not coll._pages
