"""Comparing two answers through the id map: what counts as a difference, and what does not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.diff.comparison import (
    Lens,
    compare_exchanges,
    compare_values,
    compare_walks,
    inversion,
    membership,
)
from contract_tests.diff.mapping import IdMap, Origin
from contract_tests.target import Exchange
from contract_tests.walks import Order, Page, Walk
from orgkit.model import PagingStyle

L1, R1, L2, R2 = "l-1", "r-1", "l-2", "r-2"


def idmap() -> IdMap:
    ids = IdMap()
    ids.add(L1, R1, Origin(1, "step 1", created=True))
    ids.add(L2, R2, Origin(2, "step 2", created=True))
    ids.add("tenant-l", "tenant-r", Origin(0, "persona tenant"))
    ids.add("seen-l", "seen-r", Origin(3, "step 3"))  # two data sets' items, paired by place
    return ids


def aspects(left: Any, right: Any, **lens: Any) -> list[str]:
    return [d.aspect for d in compare_values(left, right, "", Lens(idmap(), **lens))]


@pytest.mark.parametrize(("left", "right", "lens", "expected"), [
    ({"id": L1, "name": "n"}, {"id": R1, "name": "n"}, {"scenario": True}, []),
    ({"id": L1}, {"id": R2}, {}, ["value"]),  # wrong id through the map
    ({"tenant_id": "tenant-l"}, {"tenant_id": "tenant-r"}, {}, []),  # persona facts map
    ({"logo_url": "seen-l"}, {"logo_url": "other"}, {}, []),  # a pairing is no evidence
    ({"name": "Acme"}, {"name": "Globex"}, {}, []),  # other data: type only
    ({"name": "Acme"}, {"name": "Globex"}, {"echoed": frozenset({"Acme"})}, ["value"]),
    ({"status": "archived"}, {"status": "active"}, {"scenario": True}, ["value"]),
    ({"domain": "a1.example"}, {"domain": "b2.example"}, {"scenario": True}, []),  # generated
    ({"created_at": 1}, {"created_at": 2}, {"scenario": True}, []),  # server's moment
    ({"count": 1}, {"count": 2}, {"scenario": True}, ["value"]),
    ({"a": 1, "b": 2}, {"a": 1}, {}, ["fields"]),
    ({"a": 1}, {"a": "1"}, {}, ["type"]),
    ({"logo": None}, {"logo": "x"}, {}, []),  # optional data of two data sets
    ({"logo": None}, {"logo": "x"}, {"scenario": True}, ["type"]),
    ({"rights": ["a", "b"]}, {"rights": ["b", "a"]}, {"echoed": frozenset({"a", "b"})}, []),
    ({"rights": ["a", "b"]}, {"rights": ["a"]}, {"echoed": frozenset({"a", "b"})}, ["value"]),
], ids=["same", "wrong-id", "persona", "seen-pairing", "other-data", "echoed", "status-word",
        "generated", "timestamp", "number", "fields", "type", "null-fixture", "null-made",
        "set-order", "set-missing"])
def test_values(left: Any, right: Any, lens: dict[str, Any], expected: list[str]) -> None:
    assert aspects(left, right, **lens) == expected


@pytest.mark.parametrize(("left", "right", "expected"), [
    ([{"id": L1}, {"id": "x"}, {"id": L2}], [{"id": "y"}, {"id": R1}, {"id": R2}], []),
    ([{"id": L1}, {"id": L2}], [{"id": R1}], ["membership"]),
    ([{"id": L1}, {"id": L2}], [{"id": R2}, {"id": R1}], ["order"]),
    ([{"id": L1, "name": "a"}], [{"id": R1, "name": "b"}], ["value"]),  # made: compared
    ([{"id": "x", "name": "a"}], [{"id": "y", "name": "b"}], []),  # not made: not paired
], ids=["interleaved", "missing", "order", "made-item-value", "fixture-items"])
def test_lists(left: list[Any], right: list[Any], expected: list[str]) -> None:
    assert aspects({"items": left}, {"items": right}) == expected


def exchange(status: int, body: Any, headers: dict[str, str] | None = None) -> Exchange:
    return Exchange("GET", "http://x/svx/orgs", {}, None, status,
                    {"content-type": "application/json", **(headers or {})}, json.dumps(body))


@pytest.mark.parametrize(("left", "right", "expected"), [
    (exchange(404, {"http_code": 404, "message": "a"}),
     exchange(404, {"http_code": 404, "message": "b"}), []),
    (exchange(404, {"http_code": 404}), exchange(403, {"http_code": 403}), ["status"]),
    (exchange(404, {"http_code": 404}), exchange(404, {"http_code": 400}), ["status_field"]),
    (exchange(404, {"http_code": 404}), exchange(404, {"detail": "x"}), ["status_field", "fields"]),
    (exchange(405, {"http_code": 405}, {"allow": "GET, PUT"}),
     exchange(405, {"http_code": 405}, {"allow": "GET, HEAD, PUT"}), ["allow"]),
    (exchange(405, {"http_code": 405}, {"allow": "GET, PUT"}),
     exchange(405, {"http_code": 405}, {"Allow": "PUT,GET"}), []),
], ids=["messages-free", "status", "status-field", "envelope", "allow", "allow-as-set"])
def test_exchanges(left: Exchange, right: Exchange, expected: list[str]) -> None:
    lens = Lens(idmap(), status_field="http_code")
    assert [d.aspect for d in compare_exchanges(left, right, lens)] == expected


def walk(ids: list[str], names: list[str], ended: bool = True, total: int | None = None) -> Walk:
    items = tuple({"id": i, "name": n} for i, n in zip(ids, names, strict=True))
    meta = {"total_count": total if total is not None else len(items)}
    page = Page(exchange(200, {}), items, None, meta, 1)
    return Walk(PagingStyle.CURSOR, 10, Order("asc", "name", {}), (page,), ended)


@pytest.mark.parametrize(("left", "right", "expected"), [
    (walk([L1, "a", L2], ["b", "c", "d"]), walk(["z", R1, R2], ["a", "b", "d"]), []),
    (walk([L1, L2], ["b", "b"]), walk([R2, R1], ["b", "b"]), []),  # a tie: order open
    (walk([L1, L2], ["a", "b"]), walk([R2, R1], ["a", "b"]), ["order"]),
    (walk([L1, L2], ["a", "b"]), walk([R1], ["a"]), ["total", "total", "membership"]),
    (walk([L1], ["a"]), walk([R1], ["a"], ended=False), ["termination"]),
    (walk([L1], ["a"]), walk([R1], ["a"], total=5), ["total"]),
], ids=["same", "tie", "inverted", "missing", "not-ended", "total"])
def test_walks(left: Walk, right: Walk, expected: list[str]) -> None:
    assert [d.aspect for d in compare_walks(left, right, Lens(idmap()))] == expected


@given(st.permutations(["a", "b", "c", "d", "e"]))
def test_membership_is_empty_exactly_for_equal_lists(order: list[str]) -> None:
    found = membership(["a", "b", "c", "d", "e"], order, "")
    assert (found == []) == (order == ["a", "b", "c", "d", "e"])
    assert all(d.aspect == "order" for d in found)


@given(st.permutations(range(6)))
def test_inversion_only_between_strictly_ordered_pairs(order: list[int]) -> None:
    left = [str(i) for i in range(6)]
    right = [str(i) for i in order]
    distinct = {v: int(v) for v in left}
    tied = dict.fromkeys(left, 0)
    assert (inversion(left, right, distinct, distinct) is None) == (right == left)
    assert inversion(left, right, tied, distinct) is None  # ties on one side leave it open
