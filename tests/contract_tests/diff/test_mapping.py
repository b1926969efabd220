"""The id map: one-to-one, learned from answers at the same places, applied to requests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.diff.mapping import IdMap, Origin, is_reference, parallel_leaves, strings_in

A, B = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
C, D = "33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"
STEP = Origin(7, "step 7", created=True)


def test_mapping_is_one_to_one() -> None:
    ids = IdMap()
    assert ids.add(A, B, STEP)
    assert not ids.add(A, C, STEP)  # left already mapped
    assert not ids.add(C, B, STEP)  # right already taken
    assert (ids.right_of(A), ids.left_of(B), ids.created(A), len(ids)) == (B, A, True, 1)


@pytest.mark.parametrize(("value", "expected"), [
    (A, B),
    (f"/orgs/{A}/admins", f"/orgs/{B}/admins"),
    ({"org_id": A, "names": [A, "x"]}, {"org_id": B, "names": [B, "x"]}),
    ("unrelated", "unrelated"),
    (42, 42),
], ids=["whole", "path-segment", "json", "untouched", "number"])
def test_translate(value: Any, expected: Any) -> None:
    ids = IdMap()
    ids.add(A, B, STEP)
    assert ids.translate(value) == expected


@pytest.mark.parametrize(("left", "right", "known", "learned"), [
    ({"org": {"id": A}}, {"org": {"id": B}}, frozenset(), {A: B}),
    ({"org": {"id": A}}, {"org": {"id": B}}, frozenset({A}), {}),  # the request sent it
    ({"name": "a"}, {"name": "b"}, frozenset(), {}),  # not a reference
    ({"at": "2026-01-01T00:00:00Z"}, {"at": "2026-01-02T00:00:00Z"}, frozenset(), {}),
    ({"upload_url": "http://l/x"}, {"upload_url": "http://r/y"}, frozenset(),
     {"http://l/x": "http://r/y"}),
    ({"items": [{"id": A}, {"id": C}]}, {"items": [{"id": B}, {"id": D}]}, frozenset(),
     {A: B, C: D}),
    ({"org": {"id": A}}, {"org": {"id": A}}, frozenset(), {A: A}),  # same id: still its origin
], ids=["id", "sent-by-request", "name", "timestamp", "url", "list", "same-on-both"])
def test_learn(left: Any, right: Any, known: frozenset[str], learned: dict[str, str]) -> None:
    ids = IdMap()
    ids.learn(left, right, STEP, known)
    assert {k: ids.right_of(k) for k in learned} == learned
    assert len(ids) == len(learned)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("id", "abc", True), ("org_id", "abc", True), ("app_ids", "abc", True),
    ("logo_url", "https://x", True), ("name", A, True), ("name", "Acme", False),
    ("created_at", "2026-01-01T10:00:00Z", False), ("next_page_after", "b64", True),
], ids=lambda v: str(v)[:12])
def test_is_reference(key: str, value: str, expected: bool) -> None:
    assert is_reference(key, value) is expected


def test_depends_lists_steps_not_persona_facts() -> None:
    ids = IdMap()
    ids.add("tok-left", "tok-right", Origin(0, "persona token"))
    ids.add(A, B, Origin(3, "step 3", True))
    ids.add(C, D, Origin(5, "step 5", True))
    assert ids.uses(frozenset({"tok-left", C, A, "other"})) == [3, 5]


uuids = st.uuids(version=4).map(str)


@given(st.lists(uuids, unique=True, max_size=24), st.integers(0, 8))
def test_translating_there_and_back_is_identity(values: list[str], n: int) -> None:
    n = min(n, len(values) // 3)
    lefts, rights, extra = values[:n], values[n:2 * n], values[2 * n:]
    ids, back = IdMap(), IdMap()
    for left, right in zip(lefts, rights, strict=True):
        ids.add(left, right, STEP)
        back.add(right, left, STEP)
    body = {"path": "/".join(["", *lefts, *extra]), "values": [*lefts, *extra]}
    there = ids.translate(body)
    assert there["values"] == [*rights, *extra]
    assert back.translate(there) == body


@given(st.recursive(st.none() | st.booleans() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12))
def test_parallel_leaves_of_a_value_with_itself_are_its_leaves(value: Any) -> None:
    leaves = list(parallel_leaves(value, value))
    assert all(left == right for _, left, right in leaves)
    assert {v for _, v, _ in leaves if isinstance(v, str)} == set(strings_in(value))


def test_fresh_uuid_strings_are_references() -> None:
    assert is_reference("anything", str(uuid.uuid4()))
