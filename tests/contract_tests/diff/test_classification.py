"""Classifying differences, judging answers against the spec, and the rights outcomes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract_tests.diff.classification import (
    ALLOWED,
    CONTRACT,
    UNKNOWN,
    Judge,
    classify,
    documented,
    rights_problem,
)
from contract_tests.diff.comparison import Difference
from contract_tests.diff.steps import Context, Step
from contract_tests.target import Exchange
from contract_tests.walks import Order, Page, Walk
from orgkit.model import PagingStyle
from orgkit.specs import load_api


def diff(aspect: str) -> Difference:
    return Difference(aspect, "/x", "a", "b")


@pytest.mark.parametrize(("aspect", "left", "right", "kind"), [
    ("status", {}, {"rights_enforced": "200"}, CONTRACT),
    ("status", {"not_a_server_error": "500"}, {}, CONTRACT),
    ("status", {}, {}, UNKNOWN),
    ("value", {}, {}, UNKNOWN),
    ("order", {}, {}, ALLOWED),
    ("allow", {}, {}, ALLOWED),
    ("type", {}, {}, ALLOWED),
    ("fields", {"x": "1"}, {"x": "2"}, UNKNOWN),  # both break the same check
], ids=["right-breaks", "left-breaks", "status-open", "value", "order", "allow", "nullable",
        "same-breakage"])
def test_classify(aspect: str, left: dict[str, str], right: dict[str, str], kind: str) -> None:
    verdict = classify(diff(aspect), left, right)
    assert verdict.kind == kind
    assert verdict.checks == sorted(set(left) ^ set(right))


@pytest.mark.parametrize(("expect", "status", "broken"), [
    ("unauthenticated", 401, False), ("unauthenticated", 403, True),
    ("refused", 403, False), ("refused", 200, True), ("isolated", 404, True),
    ("allowed", 200, False), ("allowed", 404, False), ("allowed", 403, True),
], ids=lambda v: str(v))
def test_rights_problem(expect: str, status: int, broken: bool) -> None:
    op = load_api("svx").model.operation("getOrg")
    assert (rights_problem(op, expect, status) is not None) is broken


def test_documented_statuses() -> None:
    op = load_api("svx").model.operation("getOrg")
    assert documented(op, 200) and not documented(op, 418)


def answer(method: str, path: str, status: int, body: Any,
           headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(method, f"http://h/svx{path}", {}, None, status,
                    {"content-type": "application/json", **(headers or {})}, json.dumps(body))


ORG = "/orgs/8f5d6f61-8f6b-4b38-9b6a-5b2f0c8c2d11"


@pytest.mark.parametrize(("label", "expect", "side", "broken"), [
    ("as x", "refused", answer("GET", ORG, 403, {"error": "forbidden", "extra_info": {},
                                                  "http_code": 403, "message": "m"}), []),
    ("as x", "refused", answer("GET", ORG, 200, {"org": {}}),
     ["response_schema_conformance", "rights_enforced"]),
    ("as x", "", answer("GET", ORG, 404, {"detail": "x"}), ["error_shape_matches"]),
    ("as x", "", answer("GET", ORG, 500, {"error": "e", "extra_info": {}, "http_code": 500,
                                          "message": "m"}),
     ["not_a_server_error", "status_code_conformance"]),
    ("PATCH (not declared for the path)", "",
     answer("PATCH", ORG, 405, {}, {"allow": "DELETE, GET, HEAD, PUT"}), []),
    ("PATCH (not declared for the path)", "",
     answer("PATCH", ORG, 405, {}, {"allow": "GET"}), ["unsupported_method_405"]),
], ids=["refused-403", "refused-200", "detail-errors", "server-error", "allow-with-head",
        "allow-short"])
def test_judge_exchange(label: str, expect: str, side: Exchange, broken: list[str]) -> None:
    judge = Judge(load_api("svx"), "/svx")
    step = Step(1, Context("probe", "getOrg", label, expect), side, side)
    assert sorted(judge.exchange(step, side)) == broken


def walk(style: PagingStyle, names: list[str | None], meta: dict[str, Any]) -> Walk:
    items = tuple({"id": str(i), "name": n} for i, n in enumerate(names))
    page = Page(answer("GET", "/tenants", 200, {}), items, None, meta, 1)
    return Walk(style, 10, Order("asc", "name", {}), (page,), True)


@pytest.mark.parametrize(("names", "breaks"), [
    ([None, "a", "b"], False), (["a", "b", None], False), (["B", "a", None], False),
    (["b", "a"], True), (["a", None, "b"], False),
], ids=["nulls-first", "nulls-last", "binary-collation", "descending", "null-in-the-middle"])
def test_order_is_judged_by_the_spec_rule(names: list[str | None], breaks: bool) -> None:
    """Only what the seed states is a contract difference; inferred parts (nulls, collation)
    are advisory in the suite, so they are allowed here."""
    judge = Judge(load_api("svx"), "/svx")
    op = judge.model.operation("listTenants")
    assert ("order_respected" in judge.walk(op, walk(PagingStyle.PAGE, names, {}))) is breaks


def test_null_meta_page_on_a_first_cursor_page_is_lenient() -> None:
    meta = {"total_count": 2, "total_pages": 1, "per_page": 10, "page": None}
    cursor = walk(PagingStyle.CURSOR, ["a", "b"], meta)
    judge = Judge(load_api("svx"), "/svx")
    assert judge.walk(judge.model.operation("listTenants"), cursor) == {}


def test_operation_at_prefers_literal_paths() -> None:
    judge = Judge(load_api("svx"), "/svx")
    found = judge.operation_at("GET", f"/svx{ORG}")
    assert found is not None and found.operation_id == "getOrg"
    assert judge.operation_at("GET", "/svx/nowhere/at/all") is None
