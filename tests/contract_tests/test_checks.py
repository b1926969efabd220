"""Pure judgements of checks: Allow lists, item order, meta.page, verdict kinds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract_tests.checks.base import CHECKS, check, is_advisory
from contract_tests.checks.conformance import missing_required_headers
from contract_tests.checks.errors import allow_problem
from contract_tests.checks.paging import order_problem, order_respected, page_numbers
from contract_tests.failures import CheckFailure
from contract_tests.target import Exchange
from contract_tests.walks import Order, Page, Walk
from orgkit.model import OrderRule, PagingStyle
from orgkit.specs import load_api

ALSO = {"HEAD": "GET", "OPTIONS": "any"}


@pytest.mark.parametrize(("header", "spec", "problem"), [
    ("GET, POST", ["GET", "POST"], None),
    ("post,get", ["GET", "POST"], None),
    ("GET, HEAD, POST", ["GET", "POST"], None),
    ("GET, HEAD, OPTIONS, POST", ["GET", "POST"], None),
    ("OPTIONS, POST", ["POST"], None),
    ("HEAD, POST", ["POST"], "lists HEAD, which the path does not have"),
    ("GET", ["GET", "POST"], "lacks POST"),
    ("GET, POST, PATCH", ["GET", "POST"], "lists PATCH, which the path does not have"),
    ("GET, HEAD, PATCH", ["GET", "DELETE"], "lacks DELETE; lists PATCH"),
    (None, ["GET"], "lacks GET"),
    ("", ["GET"], "lacks GET"),
], ids=["exact", "case-and-order", "head-with-get", "head-and-options", "options-anywhere",
        "head-without-get", "missing-method", "unrelated-extra", "missing-and-extra",
        "no-header", "empty-header"])
def test_allow_problem(header: str | None, spec: list[str], problem: str | None) -> None:
    found = allow_problem(header, spec, ALSO)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_allow_problem_without_the_rule_is_exact() -> None:
    assert allow_problem("GET, HEAD", ["GET"], {}) == "lists HEAD, which the path does not have"


@pytest.mark.parametrize("api", ["svx", "transmit"])
def test_specs_declare_the_extra_allow_methods(api: str) -> None:
    assert load_api(api).model.also_allowed == ALSO


ANY = OrderRule("given_name", inferred=("collation", "nulls"))
STATED = OrderRule("given_name")


@pytest.mark.parametrize(("values", "desc", "rule", "part"), [
    (["anna", "Bob", "carl"], False, ANY, None),
    (["Bob", "anna", "carl"], False, ANY, None),
    (["carl", "Bob", "anna"], True, ANY, None),
    ([None, None, "anna", "bob"], False, ANY, None),
    (["anna", "bob", None], False, ANY, None),
    (["bob", "anna", None], True, ANY, None),
    (["anna", None, "bob"], False, ANY, "nulls"),
    ([None, "anna"], False, OrderRule("given_name", nulls="last"), "nulls"),
    (["anna", "Bob", "carl"], False, OrderRule("given_name", collation="binary"), "collation"),
    (["Élodie", "Emma", "Eric"], False, ANY, "collation"),
    (["O'Neil", "Olivia", "Oscar"], False, ANY, None),
    (["bob", "anna", "carl"], False, ANY, "key"),
    (["anna", "bob", "carl"], True, ANY, "key"),
    ([3, 20, 100], False, ANY, None),
    ([20, 3], False, ANY, "key"),
    (["same", "same", "Same"], True, ANY, None),
    ([], False, ANY, None),
], ids=["casefold", "binary", "desc", "nulls-first", "nulls-last", "desc-nulls-last",
        "nulls-in-the-middle", "nulls-first-where-last-stated", "binary-stated",
        "accents-primary-only", "punctuation-binary", "disorder", "asc-for-desc", "numbers",
        "numbers-disorder", "ties", "empty"])
def test_order_problem(values: list[Any], desc: bool, rule: OrderRule, part: str | None) -> None:
    found = order_problem(values, desc=desc, rule=rule)
    assert (found[2] if found else None) == part, found


@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=12), st.booleans(),
       st.booleans())
def test_any_sorted_list_passes(values: list[str | None], desc: bool, nulls_first: bool) -> None:
    present = sorted((v for v in values if v is not None), key=str.casefold, reverse=desc)
    nulls: list[str | None] = [None] * (len(values) - len(present))
    ordered = nulls + [*present] if nulls_first else [*present, *nulls]
    assert order_problem(ordered, desc=desc, rule=ANY) is None


def walk(style: PagingStyle) -> Walk:
    return Walk(style, 2, Order("asc", "name", {}), (), True)


@pytest.mark.parametrize(("style", "number", "allowed", "inferred"), [
    (PagingStyle.PAGE, 1, [1], False),
    (PagingStyle.PAGE, 3, [3], False),
    (PagingStyle.CURSOR, 1, [None, 1], True),
    (PagingStyle.CURSOR, 2, [None], True),
], ids=["page-1", "page-3", "first-page-unparameterised", "after-a-cursor"])
def test_page_numbers(style: PagingStyle, number: int, allowed: list[int | None],
                      inferred: bool) -> None:
    assert page_numbers(walk(style), number) == (allowed, inferred)


def test_advisory_comes_from_the_failure_or_the_checks_basis() -> None:
    @check("orgkit_test_inferred_basis", "errors", "a check on an inferred rule", basis="inferred")
    def inferred() -> None:
        """Registered for this test only."""

    try:
        assert is_advisory("orgkit_test_inferred_basis", CheckFailure("x"))
        assert not is_advisory("malformed_json_rejected", CheckFailure("x"))
        assert is_advisory("malformed_json_rejected", CheckFailure("x", advisory=True))
    finally:
        del CHECKS["orgkit_test_inferred_basis"]


def test_a_basis_outside_stated_and_inferred_is_refused() -> None:
    with pytest.raises(ValueError, match="basis must be one of"):
        check("orgkit_test_bad_basis", "errors", "t", basis="guessed")


def names_walk(names: list[str | None], direction: str = "asc") -> Walk:
    """A one-page walk over items with these given names."""
    exchange = Exchange("GET", "http://h/svx/admins", {}, None, 200)
    items = tuple({"id": str(i), "given_name": n} for i, n in enumerate(names))
    page = Page(exchange, items, None, None, 1)
    return Walk(PagingStyle.PAGE, 10, Order(direction, "given_name", {}), (page,), True)


@pytest.mark.parametrize(("names", "outcome"), [
    (["anna", "Bob", None], None),
    ([None, "Bob", "anna"], None),
    (["anna", None, "Bob"], "advisory"),
    (["Émile", "Emma"], "advisory"),
    (["Bob", "anna", "Carl"], "fail"),
], ids=["casefold-nulls-last", "binary-nulls-first", "nulls-inside", "accents", "disorder"])
def test_order_respected_is_advisory_where_the_rule_is_inferred(
        names: list[str | None], outcome: str | None) -> None:
    rule = load_api("svx").model.operation("listOrgAdmins").pagination
    assert rule is not None and rule.order is not None
    try:
        order_respected(names_walk(names), rule.order)
    except CheckFailure as failure:
        assert ("advisory" if failure.advisory else "fail") == outcome, failure.message
        assert failure.exchange is not None
        return
    assert outcome is None


def _negative_case(body: Any, *locations: str) -> Any:
    """A stand-in for a Schemathesis case made negative in the given components."""
    from types import SimpleNamespace

    from schemathesis.core.parameters import ParameterLocation

    negative = SimpleNamespace(mode=SimpleNamespace(is_negative=True))
    components = {ParameterLocation(loc): negative for loc in locations}
    return SimpleNamespace(meta=SimpleNamespace(components=components), body=body)


LENIENT = {"type": "object", "properties": {"name": {"type": "string"},
                                            "color": {"type": "string", "maxLength": 20}}}
INFERRED_ONLY = [
    ("too-long-name-only", {"name": "n" * 300}, ("body",), True),
    ("seed-limit-broken", {"color": "c" * 21}, ("body",), False),
    ("wrong-type", {"name": 5}, ("body",), False),
    ("query-negative-too", {"name": "n" * 300}, ("body", "query"), False),
]


@pytest.mark.parametrize(("body", "locations", "advisory"), [c[1:] for c in INFERRED_ONLY],
                         ids=[c[0] for c in INFERRED_ONLY])
def test_a_body_breaking_only_inferred_keywords_is_advisory(
        body: Any, locations: tuple[str, ...], advisory: bool) -> None:
    from contract_tests.driver import violates_only_inferred

    case = _negative_case(body, *locations)
    failure = "Invalid component: in body - name: String larger than maxLength"
    assert violates_only_inferred("negative_data_rejection", failure, (), case,
                                  LENIENT) is advisory
    assert not violates_only_inferred("not_a_server_error", failure, (), case, LENIENT)


@pytest.mark.parametrize(("status", "headers", "missing"), [
    pytest.param(302, {"location": "https://cdn.example/logo.png"}, [], id="with-location"),
    pytest.param(302, {"Location": "https://cdn.example/logo.png"}, [], id="any-case"),
    pytest.param(302, {}, ["Location"], id="without-location"),
    pytest.param(404, {}, [], id="status-declares-none"),
])
def test_missing_required_headers(status: int, headers: dict[str, str],
                                  missing: list[str]) -> None:
    op = load_api("svx").model.operation("redirectToOrgLogo")
    answer = Exchange("GET", "http://h/orgs/x/logo", {}, None, status, headers, "")
    assert missing_required_headers(answer, op) == missing
